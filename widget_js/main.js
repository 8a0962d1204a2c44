// ---- main: start once, load the matcher, scan, follow later content, expose GlossaryWidget -----

import {
  DEFAULT_ROOTS,
  HIGHLIGHT,
  PREFIX,
  baseUrl,
  fetchJson,
  findRoots,
  flushWarnings,
  listOf,
  originHash,
  readConfig,
  warn,
  whenDomReady,
} from "./config.js";
import { createMatcher } from "./matcher.js";
import { createHighlighter, unwrap } from "./highlighter.js";
import { createCards } from "./card.js";
import { createToggles, storeOff, storedOff } from "./switch.js";

/** The settings of site `id` (data-site), or none, reported: an unknown site, a file that does
 * not load, a page on an origin that is not the site's. The defaults then apply. */
async function loadSite(api, id, signal) {
  try {
    const site = await fetchJson(`${api}sites/${encodeURIComponent(id)}.json`, signal);
    if (site.origins.includes(location.origin)) return site.settings;
    throw Error(`not registered for ${location.origin}`);
  } catch (error) {
    warn(`data-site "${id}" not loaded (${error.message})`);
  }
}

/**
 * The settings and the matcher files of the chosen categories, else the one of every category;
 * unknown categories are reported and skipped. The matcher files are asked for beside
 * categories.json and the site's settings, so that the data arrives in one round trip, unless
 * the site's settings may choose the categories (data-site, no data-categories on the tag). A
 * page on a switched-off origin gets nothing, whatever its tag says.
 */
async function loadMatcher(script, signal) {
  const base = baseUrl(script, script?.getAttribute("data-api"));
  const api = base + "api/v1/";
  const id = script?.dataset.site;
  const site = id && loadSite(api, id, signal);
  // An unknown category's file answers 404: its error is kept until categories.json tells.
  const load = (slugs) =>
    Promise.all(
      slugs
        ? slugs.map((slug) => fetchJson(`${api}matcher/${encodeURIComponent(slug)}.json`, signal).catch((error) => error))
        : [fetchJson(api + "matcher.json", signal)],
    );
  const [categories, settings, files] = await Promise.all([
    fetchJson(api + "categories.json", signal),
    site,
    // The categories as readConfig reads them: the tag's, else the site's.
    !id || "categories" in script.dataset
      ? load(listOf(script?.dataset.categories))
      : site.then((settings) => load(listOf(settings?.categories))),
  ]);
  // Absent (a categories.json from an older or a hand-made copy) means no origin is switched off.
  if (categories.disabled?.includes(originHash())) throw Error("switched off for this site");
  const config = readConfig(script, base, settings);
  // From here on, where the card posts votes and opens: the API folder categories.json names
  // when the glossary takes feedback, unless the tag or the site turned it off; else nothing.
  // Its own key only: a page's script may have given every object a `feedback` (prototype
  // pollution), which would send the readers' votes and comments there.
  config.feedback = config.feedback !== "off" && Object.hasOwn(categories, "feedback") && categories.feedback && new URL(categories.feedback, base).href;
  const known = categories.categories.map((c) => c.slug);
  // The files were asked for in the order of config.categories; an unknown category is reported
  // (`warn` returns nothing) and dropped.
  const chosen = files.filter(
    (file, i) => !config.categories || known.includes(config.categories[i]) || warn(`unknown category "${config.categories[i]}" ignored`),
  );
  for (const file of chosen) if (file instanceof Error) throw file;
  return [config, chosen];
}

/**
 * The roots of the page, and its later content, for the highlighting: [the roots found now,
 * `onMutations(records)`, which asks `scan` for what the page added inside them and for roots
 * that arrive later, whole, and drops the highlights that a change of a node's text made stale].
 * The roots followed are `config.roots`, where the highlighter's context rule looks too.
 */
function followContent(config, scan, write) {
  let rootSelector = ""; // what an element that arrives later must match to be a root
  /** Follows `found`. Later, an element is a root if it matches data-root; without it, if it
   * is a default root that is preferred to the one followed (the story that a router mounts
   * after a teaser <article> was found), but not if it is only another one of those. */
  const follow = (found) => {
    config.roots = found;
    rootSelector = config.root || DEFAULT_ROOTS.slice(0, DEFAULT_ROOTS.findIndex((s) => found[0].matches(s))).join();
  };
  let pending = new Set();
  function onMutations(records) {
    // A root was replaced (a new page of a single-page app), or one was added (a new comment
    // for data-root=".comment", see `follow`): the new roots are scanned whole.
    let refind = config.roots.some((root) => !root.isConnected);
    for (const record of records) {
      const textChanged = record.type == "characterData";
      if (textChanged) dropSplitOff(record, write);
      const nodes = textChanged ? [record.target] : record.addedNodes;
      for (let node of nodes) {
        // Text is scanned with the text beside it, so that it meets the same rules: the text of
        // a highlight is not highlighted again, nor what was highlighted before.
        const text = node.nodeType == 3;
        if (text) node = node.parentNode;
        if (node?.nodeType == 1 && node.isConnected) {
          if (config.roots.some((root) => root.contains(node))) pending.add(node);
          else if (!text && rootSelector) refind ||= node.matches(rootSelector) || node.querySelector(rootSelector);
        }
      }
    }
    if (refind) {
      const found = findRoots(config);
      for (const root of found) if (!config.roots.includes(root)) pending.add(root);
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

  follow(findRoots(config));
  // Said, as the page may add it later (a single-page app's view, a comment): a site owner
  // whose selector has a typo sees why nothing is highlighted.
  if (!config.roots[0]) {
    warn(`data-root "${config.root}" matches nothing yet`);
    flushWarnings();
  }
  return [config.roots, onMutations];
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
function dropSplitOff({ target, oldValue }, write) {
  const shape = (text) => text.replace(/[^\p{L}\p{M}\p{N}_\s]/gu, "").replace(/\s+/g, " ");
  if (!target.nextSibling?.matches?.(HIGHLIGHT)) return;
  if (oldValue ? shape(target.data) === shape(oldValue) : !target.data) return;
  write(() => {
    for (let next; (next = target.nextSibling)?.matches?.(HIGHLIGHT); ) {
      const after = next.nextSibling; // the text after the highlight, unless the page removed it
      if (after?.nodeType == 3) after.remove();
      next.remove();
    }
  });
}

/**
 * Starts as the reader last chose on this site: switched off, it fetches and highlights nothing,
 * and only the toggles and GlossaryWidget.enable() are there to switch it on again.
 */
function startWidget(script) {
  const kept = {};
  let widget; // the highlighting, while switched on
  let on = !storedOff();
  let destroyed = false;
  const toggles = createToggles(() => turn(!on));

  function apply(value) {
    if (destroyed) return;
    // Quietly: unwrapping a long page's highlights would be thousands of records for the toggles.
    toggles.quiet(() => {
      on = value;
      if (on) widget ||= highlightPage(script, kept, () => turn(false), toggles, () => apply(false));
      else {
        widget?.stop();
        widget = null;
      }
      toggles.show(on);
    });
  }
  // The reader's (or a script's) choice; the stored one is only read at start.
  const turn = (value) => {
    storeOff(!value);
    apply(value);
  };

  function destroy() {
    apply(false);
    destroyed = true;
    toggles.destroy();
    delete window.GlossaryWidget;
  }

  window.GlossaryWidget = Object.freeze({
    version: __VERSION__,
    scan: async (root) => widget?.scan(root) ?? null,
    enable: () => turn(true),
    disable: () => turn(false),
    destroy,
  });
  apply(on);
}

/**
 * Highlights the page until `stop()`: loads the matcher, scans the roots, follows later content.
 * The settings and the matcher built from its files are kept in `kept`, so that switching
 * highlights off and on again in the same page view fetches and builds nothing. Later content
 * comes from the one observer of the page, the toggles' (`page.follow`), and the widget's own
 * changes are made unseen by it (`page.quiet`).
 */
function highlightPage(script, kept, turnOff, page, failed) {
  const stop = new AbortController();
  const clock = { ms: 0 }; // a scan's main-thread time; `cancelled` once stopped
  let setupMs; // building the matcher, once: the scans' own `ms` leave it out
  const styles = new CSSStyleSheet();
  let scanning; // the start-up, then each scan in turn
  let scanHighlights;
  let removeCards;

  // Adopted once the matcher has loaded, a frame before the first highlights: on a long page the
  // browser then restyles the document (6-8 ms for 100,000 words) in that frame, not in the one
  // that lays out the first slice's highlights. Again before each change, should the page have
  // replaced the document's adopted stylesheets since.
  const adopt = () => {
    if (!document.adoptedStyleSheets.includes(styles)) {
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, styles];
    }
  };
  // Unseen: a long scan's writes would be thousands of records.
  const write = (change) =>
    page.quiet(() => {
      adopt();
      change();
    });

  /** Scans after the scans before it; until the matcher has loaded, that means after loading. */
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

  function fail(error) {
    if (clock.cancelled) return null;
    warn(`glossary not loaded (${error?.message})`);
    flushWarnings();
    return null;
  }

  function destroy() {
    clock.cancelled = true;
    stop.abort();
    page.follow(null);
    removeCards?.();
    for (const highlight of document.querySelectorAll(HIGHLIGHT)) unwrap(highlight);
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((sheet) => sheet !== styles);
  }

  const matcher =
    kept.matcher ||
    Promise.all([loadMatcher(script, stop.signal), whenDomReady()]).then(([[settings, files]]) => {
      flushWarnings();
      const started = performance.now();
      return (kept.matcher = [settings, createMatcher(files), performance.now() - started]);
    });
  scanning = Promise.resolve(matcher)
    .then(([config, match, ms]) => {
      if (clock.cancelled) return;
      setupMs = ms;
      scanHighlights = createHighlighter(match, config, write);
      styles.replaceSync(__HIGHLIGHT_CSS__);
      adopt();
      removeCards = createCards(config, stop.signal, write, turnOff);
      const [roots, onMutations] = followContent(config, scan, write);
      page.follow(onMutations);
      return scanNow(roots);
    })
    // A glossary that does not load (an outage, a switched-off site) leaves the highlights off
    // for the page view, so that the toggles do not say "on"; switching on tries again. Not
    // when this start was stopped (the reader switched off, and on again, while it loaded),
    // nor when the first scan threw (that loses the scan, not the following of the page).
    .catch((error) => fail(error) || scanHighlights || clock.cancelled || failed());

  return { scan: (root) => scan([!root || root.nodeType == 9 ? document.body : root]), stop: destroy };
}

// An element with id="GlossaryWidget" also shows up as window.GlossaryWidget: check for ours.
// So does <img name="currentScript"> as document.currentScript, and its data-api would choose
// where the glossary comes from: only a script element is the widget's tag.
// The newest features the widget needs are the Popover API (Chrome 114, Firefox 125, Safari 17),
// for the card, and CSS light-dark() (Chrome 123, Firefox 120, Safari 17.5): a browser with both
// has everything else it uses (AbortSignal.any: Chrome 116, Firefox 124, Safari 17.4). An older
// one is left as it is.
if (!window.GlossaryWidget?.version && "popover" in HTMLElement.prototype && CSS.supports("color", "light-dark(red,red)")) {
  try {
    const script = document.currentScript;
    startWidget(script instanceof HTMLScriptElement ? script : null);
  } catch (error) {
    console.warn(`[${PREFIX}] not started`, error);
  }
}
