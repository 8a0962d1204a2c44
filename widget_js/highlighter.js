// ---- highlighter: find matches in text nodes and wrap them, reversibly, in small slices ------
//
// Text nodes are read in document order (so "first occurrence" and data-max follow the page's
// reading order) in slices of at most SLICE_MS, and what a slice found is wrapped at its end;
// the scan yields to the browser between slices, so that a long page never blocks input.

const SLICE_MS = 8;

const yieldToBrowser = () =>
  globalThis.scheduler?.yield
    ? scheduler.yield()
    : new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = resolve;
        channel.port2.postMessage(0);
      });

/** Calls `step` until it returns false, in slices, and `end` after each slice; adds the
 * main-thread time to `clock.ms`. */
async function inSlices(step, clock, end) {
  for (;;) {
    const start = performance.now();
    let more;
    // Before every step: once destroy() has run, even from inside a slice, nothing more is wrapped.
    do more = !clock.cancelled && step();
    while (more && performance.now() - start < SLICE_MS);
    end();
    clock.ms += performance.now() - start;
    if (!more) return;
    await yieldToBrowser();
  }
}

/**
 * `write(fn)` runs the DOM changes of one slice, so that the caller can tell its own
 * mutations from the host's.
 */
function createHighlighter(match, config, write) {
  const skip = config.exclude ? `${SKIP_SELECTOR},${config.exclude}` : SKIP_SELECTOR;
  let highlighted; // slugs highlighted on the page, for data-occurrences=first
  let count; // highlights on the page, for data-max

  /** Returns a function giving the next text node in `root` that may hold highlights, or null. */
  function textNodes(root) {
    if (root.closest(skip)) return () => null;
    // The areas to skip, found by the browser in one query; the walk steps over each of them
    // whole (a filter instead would be a call into script for every node of the page), and
    // over the highlights it makes on the way.
    const skipped = new Set(root.querySelectorAll(skip));
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    return () => {
      if (!root.isConnected) return null;
      // The host removed the walk's place between slices: it starts again (the text it has
      // highlighted is stepped over, and the rest of what it read holds no new match).
      if (!root.contains(walker.currentNode)) walker.currentNode = root;
      for (let node = walker.nextNode(); node; ) {
        if (node.nodeType === 3) return node;
        if (!skipped.has(node) && node.localName !== TAG) node = walker.nextNode();
        // Past the skipped element: its next sibling, else the next sibling of an ancestor.
        else while (!(node = walker.nextSibling()) && walker.parentNode());
      }
      return null;
    };
  }

  /** Highlights what `root` holds, text node by text node; what a slice found is wrapped at
   * its end, in one `write`. */
  function highlightIn(root, clock) {
    const next = textNodes(root);
    let found = []; // [text node, its matches] of this slice
    const wrapFound = () => {
      if (found.length && !clock.cancelled) {
        write(() => {
          for (const [node, matches] of found) for (let k = matches.length - 1; k >= 0; k--) wrap(node, matches[k]);
        });
      }
      found = [];
    };
    return inSlices(() => {
      if (count >= config.max) return false;
      const node = next();
      if (!node) return false;
      const all = match(node.data);
      // The host may have put the text in an area to skip since the walk began.
      if (!all.length || node.parentElement.closest(skip)) return true;
      const matches = [];
      for (const m of all) {
        if (count >= config.max) break;
        if (config.occurrences === "first") {
          if (highlighted.has(m[2])) continue;
          highlighted.add(m[2]);
        }
        matches.push(m);
        count++;
      }
      if (matches.length) found.push([node, matches]);
      return true;
    }, clock, wrapFound);
  }

  return async (roots, clock) => {
    // Counted from the page each time: content a single-page app removed frees its terms.
    const present = [...document.querySelectorAll(HIGHLIGHT)];
    highlighted = new Set(present.map((h) => h.dataset.glossaryTerm));
    count = present.length;
    for (const root of roots) await highlightIn(root, clock);
  };
}

/**
 * Wraps text[start, end) of `node` in a highlight. The node keeps the text before the match,
 * and empty text nodes are kept on both sides, so that `unwrap` can restore it exactly.
 */
function wrap(node, [start, end, slug]) {
  const after = node.splitText(end);
  const inner = node.splitText(start);
  const highlight = document.createElement(TAG);
  highlight.className = PREFIX + "-term";
  highlight.dataset.glossaryTerm = slug;
  highlight.tabIndex = 0;
  highlight.role = "button";
  highlight.ariaHasPopup = "dialog";
  highlight.ariaExpanded = "false";
  after.before(highlight);
  highlight.append(inner);
}

/** Undoes `wrap`: the text goes back into the node before the highlight; helpers are removed. */
function unwrap(highlight) {
  const before = highlight.previousSibling;
  const after = highlight.nextSibling;
  if (before?.nodeType === 3 && after?.nodeType === 3) {
    before.data += highlight.textContent + after.data;
    after.remove();
    highlight.remove();
  } else {
    highlight.replaceWith(...highlight.childNodes);
  }
}
