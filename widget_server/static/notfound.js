// The 404 page, at an address under glossary/ that names no entry (mistyped, guessed, or an
// entry renamed since the link was made): "Did you mean" with up to three entries whose names
// hold the most words of the address, each word as the start of a word of a name or as that
// word with a plural ending ("wage-theft-law" and "data-brokers" find Wage Theft and Data
// Broker), the shortest titles first among equals. Words shorter than three letters are passed
// over. Without script, at any other address or when no entry has such a word, the page is as it
// always was.
(() => {
  "use strict";
  const suggestions = document.querySelector(".not-found-suggestions");
  const slug = location.pathname.match(/\/glossary\/([^/]+)\/?$/)?.[1];
  if (!suggestions || !slug) return;
  const words = (text) =>
    text
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word.length >= 3);
  let wanted;
  try {
    wanted = words(decodeURIComponent(slug).replace(/\.html?$/, ""));
  } catch {
    return; // a stray `%`: no words to read
  }
  if (!wanted.length) return;
  const index = new URL(suggestions.dataset.index, location.href); // wherever the glossary is served
  fetch(new URL("../api/v1/terms.json", index), { credentials: "omit" })
    .then((response) => (response.ok ? response.json() : { terms: [] }))
    .then(({ terms }) => {
      const scored = terms
        .map((term) => {
          const named = [term.title, ...term.aliases].flatMap(words);
          const found = wanted.filter((word) =>
            named.some((name) => name.startsWith(word) || (word.startsWith(name) && word.length - name.length <= 2)),
          ).length;
          return [found, -words(term.title).length, term];
        })
        .filter(([found]) => found > 0)
        .sort((a, b) => b[0] - a[0] || b[1] - a[1]);
      const list = suggestions.querySelector("ul");
      for (const [, , term] of scored.slice(0, 3)) {
        const link = document.createElement("a");
        link.href = new URL(`${encodeURIComponent(term.slug)}/`, index).href;
        link.textContent = term.title;
        list.append(document.createElement("li"));
        list.lastChild.append(link);
      }
      suggestions.hidden = !list.children.length;
    })
    .catch(() => {}); // no suggestions: the page says the rest
})();
