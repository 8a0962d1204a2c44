// "Find a term" on the glossary's index: shows only the terms whose names (title and aliases)
// hold every word typed, whatever the case, accents or hyphens ("out of network" finds
// Out-of-Network, "identity-theft" Identity Theft), and only the categories that still have one;
// their counts, of the whole list, are hidden meanwhile. Without script the form stays hidden and the page is the whole list, as it always was.
// The words typed are kept in the address (`?q=`), so that a filtered list can be linked to and
// comes back with the Back button.
(() => {
  "use strict";
  const form = document.querySelector(".term-filter");
  if (!form) return;
  const field = form.elements.q;
  const status = form.querySelector(".term-filter-status");
  const fold = (text) =>
    text
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .replace(/[\u2018\u2019]/g, "'")
      .replace(/[-\u2010-\u2015]/g, " ")
      .toLowerCase();
  const terms = [...document.querySelectorAll(".term-list li")].map((item) => [
    item,
    fold(`${item.textContent}\n${item.dataset.aliases ?? ""}`),
  ]);
  const nav = document.querySelector(".category-nav");
  const counts = document.querySelectorAll(".count");
  const categories = [...document.querySelectorAll("section.category")].map((section) => [
    section,
    document.querySelector(`.category-nav a[href="#${CSS.escape(section.id)}"]`)?.parentElement,
  ]);

  function filter() {
    const words = fold(field.value).split(/\s+/).filter(Boolean);
    const found = new Set(); // a term of two categories is listed in both, and counted once
    for (const [item, names] of terms) {
      item.hidden = !words.every((word) => names.includes(word));
      if (!item.hidden) found.add(item.firstElementChild.getAttribute("href"));
    }
    for (const [section, navItem] of categories) {
      section.hidden = !section.querySelector(".term-list li:not([hidden])");
      if (navItem) navItem.hidden = section.hidden;
    }
    for (const count of counts) count.hidden = words.length > 0;
    if (nav) nav.hidden = !found.size;
    status.textContent = !words.length
      ? ""
      : found.size
        ? `${found.size} ${found.size == 1 ? "term" : "terms"} found`
        : `No term found for “${field.value.trim()}”`;
  }

  field.addEventListener("input", () => {
    filter();
    const url = new URL(location.href);
    if (field.value.trim()) url.searchParams.set("q", field.value);
    else url.searchParams.delete("q");
    history.replaceState(history.state, "", url);
  });
  // Enter has nothing to send: the list is already filtered.
  form.addEventListener("submit", (event) => event.preventDefault());
  field.value = new URLSearchParams(location.search).get("q") ?? "";
  form.hidden = false;
  if (field.value) filter();
})();
