// "Was this helpful?" on an entry page: posts the reader's answer to the feedback endpoint the
// page names (data-endpoint), as a CORS "simple" request without credentials, so a static
// export on a CDN can post to a server elsewhere with no preflight. No cookies, no storage.
(() => {
  "use strict";
  const box = document.querySelector(".entry-feedback[data-endpoint]");
  if (!box) return;
  const choices = box.querySelector(".feedback-choices");
  const form = box.querySelector(".feedback-comment");
  const field = form.elements.comment;
  const status = box.querySelector(".feedback-status");
  const say = (text) => { status.textContent = text; };
  const send = (answer) => fetch(box.dataset.endpoint, {
    method: "POST",
    headers: { "Content-Type": "text/plain" },
    credentials: "omit",
    keepalive: true,
    body: JSON.stringify({ term: box.dataset.term, ...answer }),
  }).then((response) => { if (!response.ok) throw new Error(`status ${response.status}`); });

  /** `asked` (the buttons or the comment form) gives way to the status while `answer` is sent.
   * Focus goes to the status first (it has tabindex=-1), as the card keeps it in the card: the
   * control that had it is hidden, and focus must not fall to the page's top. If the answer
   * is not stored, `asked` comes back as it was, the comment's text kept, with focus on
   * `retry`, so that the reader can send it again. Resolves to whether it was stored. */
  function reply(asked, retry, answer) {
    status.focus();
    asked.hidden = true;
    say("Sending…");
    return send(answer).then(() => true, () => {
      asked.hidden = false;
      retry.focus();
      say("Sorry, your answer could not be sent. Please try again.");
      return false;
    });
  }

  choices.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const helpful = button.dataset.helpful === "true";
    if (!(await reply(choices, button, { helpful }))) return;
    say("Thanks");
    if (!helpful) {
      form.hidden = false;
      field.focus();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const comment = field.value.trim();
    // Nothing to send: the form goes, and "Thanks" for the "No" stays.
    if (!comment) {
      status.focus();
      form.hidden = true;
      return;
    }
    // The comment alone: its "No" was sent and counted when it was clicked.
    if (await reply(form, field, { comment })) say("Thanks for telling us.");
  });
  box.hidden = false;
})();
