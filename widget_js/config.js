// ---- config: settings from the script tag's data-* attributes, and what every part uses -----
// Each part imports what it takes from the parts before it; the build drops the import and
// export lines and joins the parts in one function scope (see README.md in this folder).

export const TAG = "glossary-term"; // a custom element, so host rules on `span` never reach highlights
export const PREFIX = "glossary-widget";
export const HIGHLIGHT = `${TAG}.${PREFIX}-term`; // the selector of the widget's highlights
// The story, not a teaser: news pages often have an <article> in their header, before <main>,
// and "more to read" cards as <article>s after it. The first that a page has is the root.
export const DEFAULT_ROOTS = ["main article", "main", "[role=main]", "article", "body"];
const FETCH_TIMEOUT_MS = 3000;

// Areas never highlighted: interactive controls, code, headings, navigation, hidden content,
// and the widget's own elements. BULKY are those that can hold much text: the scan steps over
// their text rather than matching it (see highlighter.js).
// Skipped, but read for the context of the block after them (highlighter.js).
export const HEADINGS = "h1,h2,h3,h4,h5,h6";
export const BULKY = "script,style,noscript,template,svg,math,iframe,select,textarea,pre,code,nav";
export const SKIP_SELECTOR = [
  BULKY, HEADINGS, "a,button,input,option,label,summary,kbd,samp", TAG,
  "[contenteditable]:not([contenteditable=false]),[hidden],[aria-hidden=true]",
  "[role=button],[role=link],[role=menuitem],[role=tab],[data-glossary-skip]",
  "." + PREFIX,
].join();

const problems = [];

/** Collects a problem; `flushWarnings` reports them all in a single console.warn. */
export function warn(message) {
  problems.push(message);
}

export function flushWarnings() {
  if (problems.length) console.warn(`[${PREFIX}] ${problems.splice(0).join("; ")}`);
}

/** The glossary's base URL: `data-api`, else the folder the script came from. */
export function baseUrl(script, value) {
  try {
    if (value) return new URL(value.endsWith("/") ? value : value + "/", document.baseURI).href;
  } catch {
    warn(`data-api "${value}" ignored`);
  }
  const src = new URL(script ? script.src : "widget.js", document.baseURI);
  // A pinned copy lives at static/widget.<hash>.js, one folder below the base.
  return new URL(/\/static\/widget\.[\w-]+\.js$/.test(src.pathname) ? "../" : "./", src).href;
}

/** The settings: a data-* attribute of the tag, else the site file's (`site`, data-site), else
 * the default. Both are read as attribute text, so they meet the same checks. */
export function readConfig(script, base, site) {
  const data = { ...site, ...script?.dataset };
  const config = {
    base,
    categories: listOf(data.categories), // none: all
    // Unset until a data-* attribute gives them: root (DEFAULT_ROOTS), exclude.
    occurrences: "first",
    max: 100,
    linkTarget: data.linkTarget === "_blank" ? "_blank" : "",
    theme: "auto",
  };
  // data-<name>: kept (converted) if `valid`, else reported and ignored.
  const setting = (name, valid, convert = String) => {
    const value = data[name];
    if (!value) return;
    if (valid(value)) config[name] = convert(value);
    else warn(`data-${name} "${value}" ignored`);
  };
  const oneOf = (pattern) => (value) => pattern.test(value);
  setting("root", validSelector);
  setting("occurrences", oneOf(/^(first|all)$/));
  // A whole number above 0 (`%` and `>` read text as Number() does).
  setting("max", (value) => value % 1 == 0 && value > 0, Number);
  setting("exclude", validSelector);
  setting("theme", oneOf(/^(light|dark|auto)$/));
  // "off": the card neither asks "Was this helpful?" nor counts opens (see card.js).
  setting("feedback", oneOf(/^(on|off)$/));
  return config;
}

/** A new element of the widget's, its text set as text. */
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/** 32-bit FNV-1a of the page's origin, as `origin_hash` in widget_server/sites.py: the kill
 * switch publishes the hashes of the origins it switches off, not the origins. */
export function originHash() {
  let hash = 0x811c9dc5;
  for (const char of location.origin) hash = Math.imul(hash ^ char.charCodeAt(), 16777619) >>> 0;
  return hash;
}

/** The items of a comma-separated list (data-categories), or nothing for an empty value. */
export function listOf(value) {
  return value ? value.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
}

/** Fetches JSON with a time limit, unless `signal` aborts it first; no cookies are sent, so
 * nothing identifies the reader. */
export async function fetchJson(url, signal) {
  const response = await fetch(url, {
    signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
    credentials: "omit",
  });
  if (!response.ok) throw Error(`${url} answered ${response.status}`);
  return response.json();
}

/** Resolves once the document has been parsed. */
export function whenDomReady() {
  return new Promise((resolve) => {
    if (document.readyState == "loading") document.addEventListener("DOMContentLoaded", resolve);
    else resolve();
  });
}

function validSelector(selector) {
  try {
    new DocumentFragment().querySelector(selector);
    return true;
  } catch {
    return false;
  }
}

/** The containers to scan, outermost only, so that no text is scanned twice. */
export function findRoots(config) {
  if (!config.root) return [DEFAULT_ROOTS.map((s) => document.querySelector(s)).find(Boolean)];
  // In document order, an element inside another comes after it, and after nothing outside it.
  const roots = [];
  for (const root of document.querySelectorAll(config.root)) if (!roots.at(-1)?.contains(root)) roots.push(root);
  return roots;
}
