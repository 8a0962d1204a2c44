// ---- main: start once, load the index, scan, follow later content, expose GlossaryWidget -----

/** Fetches JSON with a time limit, unless a signal aborts it first; no cookies are sent, so
 * nothing identifies the reader. */
async function fetchJson(url, ...signals) {
  const response = await fetch(url, {
    signal: AbortSignal.any([...signals, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
    credentials: "omit",
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/** The index entries of the chosen categories; unknown categories are reported and skipped. */
async function loadIndex(config, signal) {
  const api = config.base + "api/v1/";
  const known = (await fetchJson(api + "categories.json", signal)).categories.map((c) => c.slug);
  // An unknown category is reported (`warn` returns nothing) and dropped.
  const chosen = config.categories?.filter(
    (slug) => known.includes(slug) || warn(`unknown category "${slug}" ignored`),
  );
  const indexes = await Promise.all((chosen || known).map((slug) => fetchJson(`${api}index/${slug}.json`, signal)));
  const entries = new Map(); // a term in two categories is in both indexes
  // A list of text; what is not even an array has no `every`.
  const texts = (list) => list?.every?.((s) => typeof s === "string");
  for (const index of indexes) {
    // The category's context words, for the names that need context, are text if given.
    if (!texts(index.context ?? [])) throw new Error("bad index");
    for (const entry of index.terms) {
      // [slug, name, aliases..., context rules...], all text.
      if (!entry?.[1] || !texts(entry)) throw new Error("bad index");
      entry.c = index.context;
      entries.set(entry[0], entry);
    }
  }
  return [...entries.values()];
}

function whenDomReady() {
  return new Promise((resolve) => {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", resolve, { once: true });
    else resolve();
  });
}

function start(script) {
  const config = readConfig(script);
  const stop = new AbortController();
  const clock = { ms: 0, cancelled: false };
  let setupMs = 0; // building the matcher, once: the scans' own `ms` leave it out
  const styles = new CSSStyleSheet();
  let observer = null;
  let scanning = null; // the start-up, then each scan in turn
  let scanHighlights = null;
  let cards = null;

  let roots = [];
  let rootSelector = ""; // what an element that arrives later must match to be a root
  /** Follows `found`. Later, an element is a root if it matches data-root; without it, if it
   * is a default root that is preferred to the one followed (the story that a router mounts
   * after a teaser <article> was found), but not if it is only another one of those. */
  const follow = (found) => {
    roots = found;
    rootSelector = config.root || DEFAULT_ROOTS.slice(0, DEFAULT_ROOTS.findIndex((s) => found[0].matches(s))).join();
  };
  // The whole document, not only the roots: a single-page app may replace a root itself. (Text
  // changes are observed too: asking for their old value asks for them.)
  const observe = () =>
    observer.observe(document.documentElement, { childList: true, subtree: true, characterDataOldValue: true });
  // Adopted once the index has loaded, a frame before the first highlights: on a long page the
  // browser then restyles the document (6-8 ms for 100,000 words) in that frame, not in the one
  // that lays out the first slice's highlights. Again before each change, should the page have
  // replaced the document's adopted stylesheets since.
  const adopt = () => {
    if (!document.adoptedStyleSheets.includes(styles)) {
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, styles];
    }
  };
  const write = (change) => {
    adopt();
    const hostRecords = observer.takeRecords();
    observer.disconnect(); // our own changes then queue no records at all
    try {
      change();
    } finally {
      observe(); // a change that throws loses its scan, not the following of the page
    }
    if (hostRecords.length) onMutations(hostRecords);
  };

  /** Scans after the scans before it; until the index has loaded, that means after loading. */
  function scan(roots) {
    scanning = scanning.then(() => scanNow(roots)).catch(fail);
    return scanning;
  }

  async function scanNow(roots) {
    if (!scanHighlights || clock.cancelled) return null;
    clock.ms = 0;
    const [highlights, terms] = await scanHighlights(roots, clock);
    if (clock.cancelled) return null;
    const detail = { highlights, terms, ms: clock.ms, setupMs };
    document.dispatchEvent(new CustomEvent("glossary:ready", { detail }));
    return detail;
  }

  let pending = new Set();
  function onMutations(records) {
    // A root was replaced (a new page of a single-page app), or one was added (a new comment
    // for data-root=".comment", see `follow`): the new roots are scanned whole.
    let refind = roots.some((root) => !root.isConnected);
    for (const record of records) {
      if (record.type === "characterData") dropSplitOff(record);
      const nodes = record.type === "characterData" ? [record.target] : record.addedNodes;
      for (let node of nodes) {
        // Text is scanned with the text beside it, so that it meets the same rules: the text of
        // a highlight is not highlighted again, nor what was highlighted before.
        const text = node.nodeType === 3;
        if (text) node = node.parentNode;
        if (node?.nodeType === 1 && node.isConnected) {
          if (roots.some((root) => root.contains(node))) pending.add(node);
          else if (!text && rootSelector) refind ||= node.matches(rootSelector) || node.querySelector(rootSelector);
        }
      }
    }
    if (refind) {
      const found = findRoots(config);
      for (const root of found) if (!roots.includes(root)) pending.add(root);
      follow(found);
    }
    if (!pending.size) return;
    // One scan for everything that arrived in this task.
    queueMicrotask(() => {
      // Outermost only, found by walking up: comparing every pair took seconds for thousands.
      const nodes = [...pending].filter((node) => {
        for (let parent = node.parentNode; parent; parent = parent.parentNode) if (pending.has(parent)) return false;
        return true;
      });
      pending = new Set();
      scan(nodes.filter((node) => node.isConnected));
    });
  }

  /**
   * A script of the page set the text of a node the widget had split. Frameworks re-rendering
   * (React and Vue set the text of the node they rendered) put the whole new text there: the
   * highlights and text split off it (see `wrap`) are stale and would show the old words a
   * second time. That is so when the node was empty (a highlight was all the text) and is not
   * now, or when its letters, digits or spacing changed ("Pay the " to "Pay the"). A script that
   * only retouches the text (typographic quotes, soft hyphens, or setting it unchanged) leaves
   * those as they were, and nothing is removed.
   */
  function dropSplitOff({ target, oldValue }) {
    const shape = (text) => text.replace(/[^\p{L}\p{M}\p{N}_\s]/gu, "").replace(/\s+/g, " ");
    if (!target.nextSibling?.matches?.(HIGHLIGHT)) return;
    if (oldValue ? shape(target.data) === shape(oldValue) : !target.data) return;
    write(() => {
      for (let next; (next = target.nextSibling)?.matches?.(HIGHLIGHT); ) {
        const after = next.nextSibling; // the text after the highlight, unless the page removed it
        if (after?.nodeType === 3) after.remove();
        next.remove();
      }
    });
  }

  function fail(error) {
    if (clock.cancelled) return null;
    warn(`glossary not loaded (${error?.message})`);
    flushWarnings();
    return null;
  }

  function destroy() {
    clock.cancelled = true;
    stop.abort();
    observer?.disconnect();
    cards?.destroy();
    for (const highlight of document.querySelectorAll(HIGHLIGHT)) unwrap(highlight);
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((sheet) => sheet !== styles);
    delete window.GlossaryWidget;
  }

  const scanRoot = (root) => scan([!root || root.nodeType === 9 ? document.body : root]);
  window.GlossaryWidget = Object.freeze({ version: VERSION, scan: scanRoot, destroy });

  scanning = Promise.all([loadIndex(config, stop.signal), whenDomReady()])
    .then(([entries]) => {
      flushWarnings();
      if (clock.cancelled) return;
      const started = performance.now();
      const match = createMatcher(entries);
      setupMs = performance.now() - started;
      scanHighlights = createHighlighter(match, config, write);
      styles.replaceSync(__HIGHLIGHT_CSS__);
      adopt();
      cards = createCards(config, stop.signal, write);
      follow(findRoots(config));
      observer = new MutationObserver(onMutations);
      observe();
      return scanNow(roots);
    })
    .catch(fail);
}

// An element with id="GlossaryWidget" also shows up as window.GlossaryWidget: check for ours.
// The newest features the widget needs are AbortSignal.any (Chrome 116, Firefox 124, Safari
// 17.4) and CSS light-dark() (Chrome 123, Firefox 120, Safari 17.5): a browser with both has
// everything else it uses. An older one is left as it is.
if (!window.GlossaryWidget?.version && "any" in AbortSignal && CSS.supports("color", "light-dark(red,red)")) {
  try {
    start(document.currentScript);
  } catch (error) {
    console.warn(`[${PREFIX}] not started`, error);
  }
}
