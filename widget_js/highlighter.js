// ---- highlighter: find matches in text nodes and wrap them, reversibly, in small slices ------
//
// Text nodes are read in document order (so "first occurrence" and data-max follow the page's
// reading order) in slices of at most SLICE_MS, and what a slice found is wrapped at its end.
// Between slices the scan waits for the browser to paint a frame, so that a long page never
// blocks input or holds a frame back: each frame lays out again only the text one slice changed.

import { BULKY, HEADINGS, HIGHLIGHT, PREFIX, SKIP_SELECTOR, TAG, element } from "./config.js";

/**
 * `write(fn)` runs the DOM changes of one slice, so that the caller can tell its own
 * mutations from the host's.
 */
export function createHighlighter(match, config, write) {
  const skip = config.exclude ? `${SKIP_SELECTOR},${config.exclude}` : SKIP_SELECTOR;
  /** The highlights on the page, and the terms they are of: counted from the page each time,
   * as content a single-page app removed frees its terms. */
  const onPage = () => {
    const present = [...document.querySelectorAll(HIGHLIGHT)];
    return [present.length, new Set(present.map((h) => h.dataset.glossaryTerm))];
  };

  /** Scans `roots` in turn; returns the number of highlights and of terms highlighted on the
   * page. What a slice found is wrapped at its end, in one `write`. */
  return async (roots, clock) => {
    let highlighted; // slugs highlighted on the page
    let count; // highlights on the page, for data-max
    let next = 0; // the root after `root`
    let root;
    let walker; // through the text nodes of `root`
    let skipped; // text nodes the walk steps over
    let found = []; // [text node, its matches] of this slice
    const blocks = new Map(); // block -> Map(context words -> how many the block holds)
    /** A walk through the text nodes of `root`, or none for a root the page removed (or put in
     * an area to skip) since the scan was asked for. The walk sees only text nodes (making
     * script objects for the page's elements would cost more than matching their text). It
     * steps over the text it highlights and that of the areas that can hold much of it (inline
     * scripts and styles are most of the text of many news pages), found by the browser in one
     * query; a node of the other areas to skip (links, headings, ...) is matched, and dropped if
     * it has a match (`closest`). Querying them all took longer than that, on a page of many
     * links. */
    const walk = (root) => {
      if (!root.isConnected || root.closest(skip)) return;
      skipped = new Set();
      for (const area of root.querySelectorAll(BULKY)) {
        for (const inside = textWalker(area); inside.nextNode(); ) skipped.add(inside.currentNode);
      }
      return textWalker(root);
    };
    /** The next batch of 64 text nodes, matched as one text with a NUL between them (no name
     * spans two nodes), so that script runs per match, not per node: [nodes, where each starts
     * in the text, text]. */
    const readBatch = () => {
      const nodes = [];
      const starts = [];
      let text = "";
      for (let node; nodes.length < 64 && (node = walker.nextNode()); ) {
        if (skipped.has(node)) continue;
        nodes.push(node);
        starts.push(text.length);
        text += node.data + "\0";
      }
      if (nodes.length < 64) walker = null; // the walk is over: on to the next root
      return [nodes, starts, text];
    };
    /** Keeps the matches of a batch that `first`, data-max and the areas to skip let through,
     * per text node, in `found`. */
    const keep = ([nodes, starts, text]) => {
      let k = -1;
      let matches;
      // Only for a match that needs context: the block's text is read once per scan.
      const near = (start, end, words) => {
        const block = nodes[starts.findLastIndex((s) => s <= start)].parentElement.closest(BLOCK);
        const counts = blocks.get(block) ?? new Map();
        blocks.set(block, counts);
        if (!counts.has(words)) {
          // The block before it too (docs/editors.md): a quote or a one-line paragraph takes its
          // sense from there, a first list item or quote paragraph from the one before its list
          // or quote, and the first block of a section from its heading; not from outside the
          // page's root (`config.roots`: the scan's may be content added later), nor from
          // another area to skip.
          const before = block.previousElementSibling ?? block.parentElement?.previousElementSibling;
          const context =
            config.roots.find((found) => found.contains(block))?.contains(before) &&
            (before.matches(HEADINGS) || !before.matches(skip))
              ? before.textContent + " "
              : "";
          counts.set(words, words(context + block.textContent).length);
        }
        return counts.get(words) > words(text.slice(start, end)).length;
      };
      // Indexed loops per match, here and in wrap: until the engine optimizes it (in most scans
      // it never does), code that destructures an array or loops with `of` calls the array's
      // iterator for each item.
      const hits = match(text, near);
      for (let h = 0; h < hits.length; h++) {
        const start = hits[h][0];
        const end = hits[h][1];
        const slug = hits[h][2];
        if (count >= config.max) break;
        if (config.occurrences == "first" && highlighted.has(slug)) continue;
        if (starts[k + 1] <= start) {
          while (starts[k + 1] <= start) k++;
          // Also true of text the host put in an area to skip since the walk began.
          matches = nodes[k].parentElement.closest(skip) ? null : [];
          if (matches) found.push([nodes[k], matches]);
        }
        if (!matches) continue;
        highlighted.add(slug);
        matches.push([start - starts[k], end - starts[k], slug]);
        count++;
      }
    };
    /** Advances the scan by one batch of text nodes; false once it is over. */
    const step = () => {
      if (!highlighted) [count, highlighted] = onPage();
      if (count >= config.max) return false;
      if (!walker || !root.isConnected) {
        root = roots[next++];
        if (!root) return false;
        walker = walk(root);
        if (!walker) return true;
      }
      // The host removed the walk's place between slices: it starts again (the text it has
      // highlighted is stepped over, and the rest of what it read holds no new match).
      if (!root.contains(walker.currentNode)) walker.currentNode = root;
      keep(readBatch());
      return true;
    };
    // Steps in slices of at most SLICE_MS, the main-thread time of each added to `clock.ms`.
    // The first slice waits for a frame too, so that the setup before it (building the matcher
    // from the index) is not in the same frame as the first highlights' layout.
    for (let more = true; more; ) {
      await yieldToBrowser();
      const start = performance.now();
      // Before every step: once destroy() has run, even from inside a slice, nothing more is wrapped.
      do more = !clock.cancelled && step();
      while (more && found.length < SLICE_NODES && performance.now() - start < SLICE_MS);
      // What the slice found is wrapped in one `write`.
      if (found.length && !clock.cancelled) {
        write(() => {
          for (const [node, matches] of found) wrap(node, matches, skipped);
        });
      }
      found = [];
      // What the page holds now: it may have removed highlights while the scan went on.
      if (!more) [count, highlighted] = onPage();
      clock.ms += performance.now() - start;
    }
    return [count, highlighted.size];
  };
}

// What every highlight is, copied for each: a custom element (host rules on `span` never reach
// it), a button for keyboard and screen-reader users that opens the card, a dialog.
const HIGHLIGHT_TEMPLATE = Object.assign(element(TAG, PREFIX + "-term"), {
  tabIndex: 0,
  role: "button",
  ariaHasPopup: "dialog",
  ariaExpanded: false,
});

// 4 is NodeFilter.SHOW_TEXT, as the number: shorter in the bundle, and no global the page could
// replace.
const textWalker = (node) => document.createTreeWalker(node, 4);

/** Undoes `wrap`: the text goes back into the node before the highlight; helpers are removed. */
export function unwrap(highlight) {
  const before = highlight.previousSibling;
  const after = highlight.nextSibling;
  if (before?.nodeType == 3 && after?.nodeType == 3) {
    before.data += highlight.textContent + after.data;
    after.remove();
    highlight.remove();
  } else {
    highlight.replaceWith(...highlight.childNodes);
  }
}

/**
 * Wraps `matches`, [[start, end, slug], ...] in text order, of `node` in highlights, their text
 * nodes added to `skipped`. The node keeps the text before the first; the highlights and the
 * text between and after them, in new text nodes (empty ones too, so that `unwrap` can restore
 * the text exactly), are inserted after it at once: one change of its text and one insertion per
 * node, rather than two splits and an insertion per match.
 */
function wrap(node, matches, skipped) {
  const text = node.data;
  const pieces = [];
  let end = 0;
  for (let k = 0; k < matches.length; k++) {
    const highlight = HIGHLIGHT_TEMPLATE.cloneNode();
    highlight.setAttribute("data-glossary-term", matches[k][2]);
    skipped.add(highlight.appendChild(new Text(text.slice(matches[k][0], matches[k][1]))));
    pieces.push(text.slice(end, matches[k][0]), highlight);
    end = matches[k][1];
  }
  // Inserted first: if that fails, the page's text is as it was.
  node.after(...pieces.slice(1), text.slice(end));
  node.data = pieces[0];
}

// The scan's pace, and the block of a text, read by createHighlighter above once the bundle has
// loaded. (Down here because the order of a file's parts changes the widget's compressed size
// by a few bytes, and this order fits the budget.)
const SLICE_MS = 8;
// A slice ends with the batch (64 text nodes) in which it found SLICE_NODES to change, so it
// changes at most 95: the browser lays out each one's paragraph again, which on the benchmark's
// two slow cores made the frame after a slice of a dense page take 20-35 ms.
const SLICE_NODES = 32;
// The block of a text, in which a name that needs context looks for its context words: the
// nearest ancestor that is not a phrasing element (widget_server/highlights.py has the same
// list). The phrasing elements whose text is never highlighted (a, code, kbd, samp, the
// highlights) need not be in it.
const BLOCK = ":not(abbr,b,bdi,bdo,cite,data,del,dfn,em,font,i,ins,mark,q,s,small,span,strong,sub,sup,time,u,var)";

// Each slice runs after a frame's rendering, not before it: scheduler.yield() resumed the scan
// ahead of rendering, and Chrome then painted once in ~100 ms, laying out a thousand new
// highlights of a long page in one 100-190 ms frame. A hidden tab renders no frames: its scan
// goes on with the timer, as slowly as the browser runs timers there.
const yieldToBrowser = () => new Promise((resolve) => {
  requestAnimationFrame(() => setTimeout(resolve));
  setTimeout(resolve, 100);
});
