// ---- switch: the reader's choice to turn highlights off, and the page's toggles --------------
//
// The only thing the widget ever stores: "1" under OFF_KEY in localStorage while the reader has
// turned highlights off. localStorage belongs to the page's origin, so the choice holds for that
// site alone, and it never leaves the browser. Where storage is blocked or throws, the choice
// lasts for the page view, silently.

import { PREFIX, whenDomReady } from "./config.js";

const OFF_KEY = PREFIX + ":off";
const TOGGLE = "[data-glossary-toggle]";

/** `use(localStorage)`, or nothing where storage is blocked or throws: the page view then keeps
 * the reader's choice (see `start`). */
function withStorage(use) {
  try {
    return use(localStorage);
  } catch {}
}

export const storedOff = () => withStorage((storage) => storage.getItem(OFF_KEY)) === "1";

/** Switched on, the key is removed: nothing is left behind but an "off" the reader chose. */
export const storeOff = (off) => withStorage((storage) => (off ? storage.setItem(OFF_KEY, "1") : storage.removeItem(OFF_KEY)));

/**
 * Every element with data-glossary-toggle becomes a switch of the highlights: a <button> as it
 * is, any other element a role=button that Enter and Space activate. Toggles the page adds later
 * (a single-page app's footer) are found as they arrive. `flip` switches; `show(on)` labels them.
 * Its observer of the page is the widget's only one: `follow(listener)` hands its records to the
 * highlighting too, while that runs; `quiet(change)` makes a change of the widget's own unseen.
 */
export function createToggles(flip) {
  const stop = new AbortController();
  const saved = new Map(); // toggle -> a copy of it as the page made it, for destroy()
  let shown = true;

  function show(on) {
    shown = on;
    for (const toggle of document.querySelectorAll(TOGGLE)) {
      if (!saved.has(toggle)) saved.set(toggle, toggle.cloneNode(true));
      if (toggle.localName !== "button") {
        toggle.role = "button";
        toggle.tabIndex = 0;
      }
      toggle.textContent = `Glossary highlights: ${on ? "on" : "off"}`;
    }
  }

  const options = { capture: true, signal: stop.signal };
  document.addEventListener("click", (event) => {
    if (event.target.closest?.(TOGGLE)) {
      event.preventDefault(); // neither a form's submit nor a link's navigation
      flip();
    }
  }, options);
  document.addEventListener("keydown", (event) => {
    const toggle = event.target.closest?.(TOGGLE);
    if (toggle && toggle.localName !== "button" && (event.key == " " || event.key == "Enter")) {
      event.preventDefault(); // Space would scroll the page
      flip();
    }
  }, options);
  // Only added elements are looked at, so the cost follows what the page adds; the labels' own
  // text is not an element, so labelling does not call this again. The highlights are written
  // `quiet`ly, unseen.
  let following = null; // the highlighting's listener, while it runs
  const added = (node) => node.matches?.(TOGGLE) || node.querySelector?.(TOGGLE);
  const noticed = (records) => {
    if (records.length) following?.(records);
    if (records.some((record) => [...record.addedNodes].some(added))) show(shown);
  };
  const observer = new MutationObserver(noticed);
  // From the end of parsing: the toggles found then are labelled at once. The whole document,
  // not only the roots: a single-page app may replace a root itself. (Text changes are observed
  // too, for the highlighting: asking for their old value asks for them.)
  const watch = () =>
    stop.signal.aborted ||
    document.readyState == "loading" ||
    observer.observe(document.documentElement, { childList: true, subtree: true, characterDataOldValue: true });
  /**
   * Makes the widget's own `change` with the observer disconnected, so that it queues no records
   * at all; the page's records that were pending are handled after it. The observer connects
   * again even if the change throws: that loses a scan, not the following of the page.
   */
  const quiet = (change) => {
    const pending = observer.takeRecords();
    observer.disconnect();
    try {
      change();
    } finally {
      watch();
    }
    noticed(pending);
  };
  whenDomReady().then(() => stop.signal.aborted || quiet(() => show(shown)));

  return {
    show,
    quiet,
    /** Hands later records to `listener` (none: null), from now on: those before are not its. */
    follow(listener) {
      noticed(observer.takeRecords());
      following = listener;
    },
    /** Puts back, in place of every toggle, a copy of it as the page made it. */
    destroy() {
      stop.abort();
      observer.disconnect();
      for (const [toggle, copy] of saved) toggle.replaceWith(copy);
    },
  };
}
