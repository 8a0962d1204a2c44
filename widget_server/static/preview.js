// The configurator's preview (configure/preview.html), in a sandboxed iframe: takes the settings
// and the owner's text from the URL fragment, gives them to the real widget's tag, and tells the
// configurator what it highlighted and why. Runs as it is parsed, before the deferred widget.
"use strict";

(() => {
  const params = new URLSearchParams(location.hash.slice(1));
  const api = new URL("../api/v1/", location.href).href;
  const text = params.get("text");
  params.delete("text");
  const words = (value) => value.toLowerCase().replace(/[\u2018\u2019]/g, "'").replace(/[\u2010\u2011]/g, "-").replace(/\s+/g, " ");
  // The regular English plural of the last word, as the widget matches it (matcher.js).
  const plural = (name) => /(s|x|z|ch|sh)$/.test(name) ? name + "es" : /[^aeiou\W]y$/.test(name) ? name.slice(0, -1) + "ies" : name + "s";
  let terms = null;

  if (text) {
    // Shown as text, never parsed as markup: a paragraph per run of lines between blank lines.
    const paragraphs = text.split(/\n\s*\n/).map((chunk) => chunk.trim()).filter(Boolean).map((chunk) => {
      const paragraph = document.createElement("p");
      paragraph.textContent = chunk;
      return paragraph;
    });
    document.getElementById("article").replaceChildren(...paragraphs);
  }

  /** Why `text` matched `term`: its title, one of its aliases, or the plural of one. */
  function why(term, text) {
    const found = words(text);
    for (const [index, name] of [term.title, ...term.aliases].entries()) {
      const kind = index ? `alias "${name}"` : "title";
      if (words(name) === found) return `its ${kind}`;
      if (plural(words(name)) === found) return `plural of its ${kind}`;
    }
    return "a name";
  }

  async function report() {
    terms ||= fetch(api + "terms.json", { credentials: "omit" }).then((r) => r.json())
      .then(({ terms }) => new Map(terms.map((term) => [term.slug, term])));
    const bySlug = await terms;
    const rows = new Map();
    const found = document.querySelectorAll("glossary-term[data-glossary-term]");
    for (const element of found) {
      const term = bySlug.get(element.dataset.glossaryTerm);
      if (!term) continue;
      const key = `${term.slug}\n${words(element.textContent)}`;
      const row = rows.get(key) || { slug: term.slug, title: term.title, text: element.textContent, why: why(term, element.textContent), count: 0 };
      row.count += 1;
      rows.set(key, row);
    }
    parent.postMessage({ type: "glossary-preview", highlights: [...rows.values()], total: found.length }, "*");
  }

  document.addEventListener("glossary:ready", () => report().catch(() => {}));
  // The widget's deferred tag runs after this script: it reads these settings.
  // Its data-feedback="off" stays whatever the fragment says (see preview.html).
  const widget = document.getElementById("widget");
  for (const [name, value] of params) if (value && name !== "feedback") widget.dataset[name] = value;
})();
