// The methods the widget is measured against (see annotate.py). Each runs synchronously on the
// article in a fresh page and returns {ms, hits, done, total, finished}.
//
// `prepare` builds the one combined regular expression (escaped names, longest first, so the
// leftmost alternative that matches is the longest) and runs it, so that it is compiled before
// the scan; its time is reported apart, as the widget reports building its matcher (`setupMs`)
// apart from its scan (`ms`).
(() => {
  const escape = (name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const byLength = (a, b) => b.length - a.length;
  const article = () => document.querySelector("article");
  let combined = null;

  function alternation(names, flags) {
    return new RegExp(`\\b(?:${[...names].sort(byLength).map(escape).join("|")})\\b`, flags);
  }

  /** Wraps text[start, end) of `node` in a <mark>; returns the text node before it. */
  function wrap(node, start, end) {
    const after = node.splitText(end);
    const inner = node.splitText(start);
    const mark = document.createElement("mark");
    after.before(mark);
    mark.append(inner);
    return node;
  }

  function textNodes(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let node; (node = walker.nextNode()); ) nodes.push(node);
    return nodes;
  }

  function timed(run) {
    const start = performance.now();
    const result = run();
    return { ms: performance.now() - start, done: 1, total: 1, finished: true, ...result };
  }

  function prepare(names) {
    const start = performance.now();
    combined = alternation(names, "gi");
    for (let i = 0; i < 3; i++) combined.exec("warm up the compiled expression " + names[0]);
    combined.lastIndex = 0;
    return performance.now() - start;
  }

  /** The bare floor: TreeWalker, one combined case-insensitive regex, <mark>, no rules. */
  function floor() {
    return timed(() => {
      let hits = 0;
      for (const node of textNodes(article())) {
        const text = node.data;
        const found = [];
        combined.lastIndex = 0;
        for (let m; (m = combined.exec(text)); ) found.push([m.index, m.index + m[0].length]);
        for (let k = found.length - 1; k >= 0; k--) wrap(node, found[k][0], found[k][1]);
        hits += found.length;
      }
      return { hits };
    });
  }

  /** mark.js 8.11.1 `markRegExp` with the same combined expression. */
  function markRegExp() {
    return timed(() => {
      let hits = 0;
      new Mark(article()).markRegExp(combined, { done: (count) => (hits = count) });
      return { hits };
    });
  }

  /**
   * `markRegExp` making the widget's highlight rather than a bare <mark>: its element, class and
   * attributes (HIGHLIGHT_TEMPLATE in widget_js/highlighter.js), so that the two differ only in
   * how they find and wrap the matches. Every highlight gets the same slug: mark.js has no name
   * for what it found, and looking one up would add to its time, not to the element's.
   */
  function markRegExpAsWidget() {
    return timed(() => {
      let hits = 0;
      new Mark(article()).markRegExp(combined, {
        element: "glossary-term",
        className: "glossary-widget-term",
        each: (highlight) => {
          Object.assign(highlight, { tabIndex: 0, role: "button", ariaHasPopup: "dialog", ariaExpanded: "false" });
          highlight.dataset.glossaryTerm = "term";
        },
        done: (count) => (hits = count),
      });
      return { hits };
    });
  }

  /**
   * mark.js 8.11.1 `mark()` with the array of names, as its documentation suggests for a list
   * of keywords. mark.js sorts the keywords longest first (a stable sort) and then searches the
   * whole context once per keyword; calling it on consecutive slices of that same order does
   * exactly the same work, and lets the run stop after `limitMs`.
   */
  function markArray(names, limitMs, slice = 5) {
    const keywords = [...new Set(names)].sort(byLength);
    const instance = new Mark(article());
    const options = { accuracy: "exactly", separateWordSearch: false };
    const start = performance.now();
    let hits = 0;
    let done = 0;
    while (done < keywords.length && performance.now() - start < limitMs) {
      const part = keywords.slice(done, done + slice);
      instance.mark(part, { ...options, done: (count) => (hits += count) });
      done += part.length;
    }
    const ms = performance.now() - start;
    return { ms, hits, done, total: keywords.length, finished: done === keywords.length };
  }

  /** The naive baseline: one regular expression per term, first occurrence only. */
  function naive(terms, limitMs) {
    const root = article();
    const start = performance.now();
    let hits = 0;
    let done = 0;
    for (const names of terms) {
      if (performance.now() - start >= limitMs) break;
      const regex = alternation(names, "i");
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node; (node = walker.nextNode()); ) {
        const m = regex.exec(node.data);
        if (m) {
          wrap(node, m.index, m.index + m[0].length);
          hits++;
          break;
        }
      }
      done++;
    }
    const ms = performance.now() - start;
    return { ms, hits, done, total: terms.length, finished: done === terms.length };
  }

  window.benchPeers = { prepare, floor, markRegExp, markRegExpAsWidget, markArray, naive };
})();
