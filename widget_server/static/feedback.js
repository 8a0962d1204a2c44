// "Was this helpful?" on an entry page: posts the reader's answer to the feedback endpoint the
// page names (data-endpoint), as a CORS "simple" request without credentials, so a static
// export on a CDN can post to a server elsewhere with no preflight. No cookies, no storage.
(() => {
  "use strict";
  const box = document.querySelector(".entry-feedback[data-endpoint]");
  if (!box) return;
  const choices = box.querySelector(".feedback-choices");
  const form = box.querySelector(".feedback-comment");
  const status = box.querySelector(".feedback-status");
  const say = (text) => { status.textContent = text; };
  const failed = () => say("Sorry, your answer could not be sent. Please try again later.");
  const send = (answer) => fetch(box.dataset.endpoint, {
    method: "POST",
    headers: { "Content-Type": "text/plain" },
    credentials: "omit",
    keepalive: true,
    body: JSON.stringify({ term: box.dataset.term, ...answer }),
  }).then((response) => { if (!response.ok) throw new Error(`status ${response.status}`); });

  choices.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const helpful = button.dataset.helpful === "true";
    choices.hidden = true;
    send({ helpful }).then(() => {
      say("Thanks");
      if (!helpful) {
        form.hidden = false;
        form.elements.comment.focus();
      }
    }, failed);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const comment = form.elements.comment.value.trim();
    form.hidden = true;
    // The comment alone: its "No" was sent and counted when it was clicked.
    if (comment) send({ comment }).then(() => say("Thanks for telling us."), failed);
  });
  box.hidden = false;
})();
