/* A stand-in for a single-page app: the story arrives in pieces after the page has loaded,
   the way a client-rendered news site fills in its article. Nothing is fetched; the text is
   built with createElement and textContent only (never innerHTML), so the page also works
   where Trusted Types are enforced. The content uses finance and privacy terms, which the
   widget on this page is limited to (data-categories="finance,privacy"), plus a few terms
   from other categories that it should therefore leave alone. */
(function () {
  "use strict";

  // [delay in ms, test id, heading, paragraphs]
  var SECTIONS = [
    [500, "late-1", "How buy now, pay later adds up", [
      "Nadine Vukovic, a nursing student, split a $480 laptop into four payments with a buy now, pay later " +
        "service at checkout. Her paycheck cleared two days late the month of the third payment, so the " +
        "automatic draw hit an empty account: the lender added a $10 late charge and her bank added an " +
        "overdraft fee on top.",
      "Some installment lenders now send payment histories to the credit bureaus, and the missed payment " +
        "appeared on her credit report. Her credit score fell about 40 points, which raised the APR she was " +
        "offered on a used-car loan a few weeks later.",
      "Consumer lawyers suggest reading the terms for deferred interest, which can add back months of " +
        "interest at once, and for any junk fee described as a convenience or processing charge."
    ]],
    [1500, "late-2", "What the checkout page learned", [
      "The loan came with a second agreement that few shoppers remember accepting. The lender's privacy " +
        "policy let it share purchase details with partners for targeted advertising, and its app loaded a " +
        "third-party cookie from an analytics company on every screen.",
      "Within weeks, Vukovic's phone number and the kinds of things she buys showed up in a profile sold by " +
        "a data broker. California residents can use the CCPA to opt out of that sale and to exercise a " +
        "right to delete much of the profile; people in many other states have fewer tools.",
      "The same app later offered to cover the deductible for a dental visit she had mentioned in a " +
        "search, something she says she never meant to share with a lender."
    ]],
    [2500, "late-3", "When the data leaks", [
      "The third reader, Ellis Grant, stocks shelves overnight and counts on overtime pay to cover his rent. " +
        "He financed a mattress at checkout, and in October the lender disclosed a data breach affecting " +
        "more than a million accounts. Days later a phishing email copied the lender's logo and asked him " +
        "to confirm his bank login.",
      "Grant placed a credit freeze at each of the three bureaus and now checks every month for signs of " +
        "identity theft. \"I saved forty dollars on the mattress,\" he said. \"I've spent more than that " +
        "in hours.\"",
      "Regulators have warned that some checkout screens rely on a dark pattern, such as a financing " +
        "option that is selected before the shopper touches anything, to steer people into loans they " +
        "did not set out to take."
    ]]
  ];

  // Each uses finance and privacy terms that the story above does not, so a widget that marks
  // only the first use of a term on the page still has something new to mark in the first three.
  var COMMENTS = [
    ["Hollis T.", "My sister took a payday loan to cover one installment, then could only make the minimum " +
      "payment on her card for a year. It ended in wage garnishment."],
    ["grace_okoro", "A debt collector kept calling me about an old store account that turned out to be zombie " +
      "debt, too old to sue over. Ask for everything in writing before you pay a cent."],
    ["Sam Lindgren", "After I paid the loan off, a people-search site still showed my address next to years of " +
      "location data. Its consent banner never offered a way to say no."]
  ];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function addSection(app, testId, heading, paragraphs, last) {
    var section = el("section", "late-section");
    section.setAttribute("data-testid", testId);
    section.appendChild(el("h2", "", heading));
    paragraphs.forEach(function (text) { section.appendChild(el("p", "", text)); });
    app.appendChild(section);
    if (last) {
      var loading = app.querySelector(".loading");
      if (loading) loading.remove();
      app.setAttribute("aria-busy", "false");
    }
  }

  function start() {
    var app = document.getElementById("app");
    if (!app) return;
    SECTIONS.forEach(function (s, i) {
      setTimeout(function () { addSection(app, s[1], s[2], s[3], i === SECTIONS.length - 1); }, s[0]);
    });

    var button = document.getElementById("load-more-comments");
    var list = document.getElementById("comment-list");
    var loaded = 0;
    if (!button || !list) return;
    button.addEventListener("click", function () {
      var comment = COMMENTS[loaded % COMMENTS.length];
      loaded += 1;
      var item = el("li", "comment");
      item.setAttribute("data-testid", "late-comment-" + loaded);
      var meta = el("p", "comment-meta");
      meta.appendChild(el("span", "commenter", comment[0]));
      meta.appendChild(document.createTextNode(" · just now"));
      item.appendChild(meta);
      item.appendChild(el("p", "", comment[1]));
      list.appendChild(item);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
