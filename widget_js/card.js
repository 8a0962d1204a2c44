// ---- card: the hover card with the definition, the misuse warning and a link ----------------
//
// One card, reused, in an open shadow root on a container after <body> (or in the host page's
// modal dialog that holds its term), so host CSS cannot reach it; styled by a constructed
// stylesheet, so a strict CSP does not block it; shown with the Popover API (top layer; the widget
// starts only where it exists, see main.js), so no host z-index, overflow or transform can hide
// it: it is open exactly while it matches :popover-open. Behaviour follows WCAG 1.4.13:
// dismissible (Escape, a tap elsewhere; there is no close button), hoverable (the pointer may move
// onto the card), persistent (open until dismissed or left).

import { HIGHLIGHT, PREFIX, element, fetchJson } from "./config.js";

const PREFETCH_MS = 100; // pointer at rest: start loading
const OPEN_MS = 300; // pointer at rest: show the card
const CLOSE_MS = 300; // pointer gone from term and card: hide it
const GAP_PX = 8;
const CARD_ID = PREFIX + "-card";

// What this page view has sent, so that reopening a card neither counts an open again nor
// asks for a second vote: in memory only, forgotten with the page.
const openCounted = new Set();
const voted = new Set();

export function createCards(config, signal, write, turnOff) {
  const host = element("glossary-card", PREFIX);
  host.id = CARD_ID;
  const shadow = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(__CARD_CSS__);
  shadow.adoptedStyleSheets = [sheet];
  const card = element("div", "card");
  card.role = "dialog";
  card.setAttribute("aria-labelledby", "title");
  // Announced with the dialog's name when focus enters it (ids are the shadow root's own).
  card.setAttribute("aria-describedby", "definition warning");
  card.tabIndex = -1; // a click or tap on its text keeps focus in the card, so it stays open
  card.lang = "en"; // its words, whatever the page's language (a screen reader's voice follows)
  if (config.theme !== "auto") card.style.colorScheme = config.theme; // light-dark() follows it
  card.popover = "manual";
  shadow.append(card);

  const cache = new Map(); // slug -> Promise of the term's card data
  let term = null; // the highlight whose card is open
  // Where the pointer last came onto a term, and the line of `term` the card is placed by: the
  // one the pointer came onto (a term may wrap), else the first.
  let pointerY;
  let line;
  let timer; // pointer at rest on a term: loading, then opening its card
  let closeTimer;
  // The term whose card Escape (or a second tap) closed. WCAG 1.4.13 has that last for the
  // current hover or focus only, so it holds back just what follows from the card itself: the
  // pointer or focus coming back from the card to the term. A new hover, focus or tap on the term
  // opens the card again, whatever happened before: no order of events can leave it stuck.
  let dismissed = null;

  const clearTimer = () => clearTimeout(timer);
  const highlightOf = (node) => node?.closest?.(HIGHLIGHT);
  const inCard = (node) => host.contains(node); // the host itself too

  // A request started by a pointer at rest is not aborted when the pointer moves on: it is small,
  // and the card it caches may be wanted a moment later.
  function load(slug) {
    if (!cache.has(slug)) {
      const data = fetchJson(`${config.base}api/v1/terms/${encodeURIComponent(slug)}.json`, signal);
      data.catch(() => cache.delete(slug)); // not cached when failed: the next attempt tries again
      cache.set(slug, data);
    }
    return cache.get(slug);
  }

  function open(highlight) {
    clearTimer();
    clearTimeout(closeTimer);
    if (term === highlight) return;
    if (term) close();
    term = highlight;
    line = [...highlight.getClientRects()].findIndex((rect) => rect.top <= pointerY && pointerY < rect.bottom);
    dismissed = null;
    const slug = highlight.dataset.glossaryTerm;
    highlight.ariaExpanded = true;
    highlight.setAttribute("aria-controls", CARD_ID);
    card.dataset.glossaryCard = slug;
    card.ariaLabel = highlight.textContent; // its name until the title is in
    say("Loading\u2026");
    show();
    load(slug).then(
      (data) => {
        if (term !== highlight) return;
        render(content(data));
        countOpen(slug);
      },
      () => term === highlight && say("This definition could not be loaded."),
    );
  }

  // Pending timers are kept: they belong to the term the pointer rests on now. Focus in the
  // card goes back to the term.
  function close() {
    clearTimeout(closeTimer);
    if (!term) return;
    term.ariaExpanded = false;
    term.removeAttribute("aria-controls");
    if (inCard(document.activeElement)) {
      dismissed = term; // focus returns to the term; that must not reopen the card
      term.focus();
    }
    term = null;
    card.togglePopover(false);
    delete card.dataset.glossaryCard;
  }

  function show() {
    // Added when first needed (and again if the page's scripts removed it): until then the
    // page's layout is left untouched, so the scan can read it without forcing a new one.
    // Through `write`, so that the observer does not take it for new content to scan. After
    // <body>, not in it: as an item of a flex or grid <body> with a gap, it moved the page. In a
    // host page's modal dialog instead, while it has the term: outside it, the card is inert.
    const parent = term.closest("dialog:modal") ?? document.documentElement;
    if (host.parentNode != parent) write(() => parent.append(host));
    card.togglePopover(true);
    place();
  }

  function render(nodes) {
    card.replaceChildren(...nodes);
    if (term) place();
  }

  const say = (status) => render([element("p", "status", status)]);

  /** Posts `data` to the feedback API's `path`; resolves to whether it was stored. A string body,
   * with no credentials and no custom header: a CORS simple request, with no preflight, and no
   * cookie of the glossary's site goes with it (sendBeacon sends them). `keepalive`: it
   * outlives the page. */
  const post = (path, data) =>
    fetch(config.feedback + path, { method: "POST", credentials: "omit", keepalive: true, body: JSON.stringify(data) })
      .then((response) => response.ok, () => false);

  /** Counts an open the first time a term's card shows its content in this page view. */
  function countOpen(slug) {
    if (!config.feedback || openCounted.has(slug)) return;
    openCounted.add(slug);
    post("events", { event: "open", term: slug });
  }

  /**
   * "Was this helpful? Yes No", then "Thanks" in a live region, and after "No" an optional
   * comment, sent as a second post without a vote (as on the entry pages). A failure says
   * so, briefly, and leaves the page alone. Nothing is asked twice for a term in a page view.
   */
  function askFeedback(slug) {
    const box = element("div", "feedback");
    const ask = element("p", "", "Was this helpful? ");
    const status = element("p");
    status.role = "status";
    const form = element("form");
    const field = element("input");
    field.maxLength = 500;
    const label = element("label", "", "What was missing or wrong? ");
    label.append(field);
    form.append(label, element("button", "", "Send"));
    // `asked` gives way to the status; the card keeps focus while the control that had it goes
    // away, so it stays open. A comment is sent alone: its "No" was counted. Resolves to whether
    // the answer was stored.
    const reply = (asked, answer, thanks) => {
      card.focus();
      asked.remove();
      return answer && post("feedback", { term: slug, ...answer }).then((sent) => {
        status.textContent = sent ? thanks : "Could not send";
        return sent;
      });
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const comment = field.value.trim();
      reply(form, comment && { comment }, "Thanks for telling us.");
    });
    for (const helpful of [true, false]) {
      const button = element("button", "", helpful ? "Yes" : "No");
      button.addEventListener("click", async () => {
        voted.add(slug);
        if ((await reply(ask, { helpful }, "Thanks")) && !helpful) {
          status.after(form);
          place(); // first: placing scrolls the card back to its top
          field.focus();
        }
      });
      ask.append(button, " ");
    }
    box.append(ask, status);
    return box;
  }

  function content(data) {
    // The parts the dialog's name and description refer to: their id is their class.
    const part = (tag, name, text) => {
      const node = element(tag, name, text);
      node.id = name;
      return node;
    };
    const warning = part("div", "warning");
    warning.role = "note";
    warning.append(element("p", "label", "Watch out"), element("p", "", data.misuse));
    const entry = element("a", "", "Read the full entry \u2192");
    entry.href = new URL(data.url, config.base).href;
    entry.target = config.linkTarget; // "_blank" opens without `opener`, as browsers now do by default
    const off = element("button", "off", "Turn off highlights");
    off.addEventListener("click", turnOff);
    const nodes = [part("p", "title", data.title), part("p", "definition", data.definition), warning, entry, off];
    if (config.feedback && !voted.has(data.slug)) nodes.push(askFeedback(data.slug));
    return nodes;
  }

  /**
   * Beside the term: below it, or above when it does not fit below and there is more room
   * above. A card that fits neither goes to the term's right, else its left, where there is
   * room, with the viewport's height as its room: half way down a laptop's screen a term has
   * about 370 px above and below it, and a card with "Was this helpful?" is about 490 px tall.
   * Taller than its room, it scrolls. Shifted to stay inside the viewport.
   */
  function place() {
    if (!term) return;
    const rects = term.getClientRects();
    const rect = rects[line] || rects[0] || term.getBoundingClientRect();
    // The viewport: innerHeight, as a page without a doctype has a root as tall as itself.
    const width = document.documentElement.clientWidth;
    const height = innerHeight;
    card.style.maxHeight = "";
    const cardWidth = card.offsetWidth;
    const cardHeight = card.offsetHeight;
    const roomBelow = height - rect.bottom - 2 * GAP_PX;
    const roomAbove = rect.top - 2 * GAP_PX;
    const below = cardHeight <= roomBelow || roomBelow >= roomAbove;
    const fitsRight = rect.right + cardWidth + 2 * GAP_PX <= width;
    const beside = cardHeight > Math.max(roomBelow, roomAbove) && (fitsRight || rect.left >= cardWidth + 2 * GAP_PX);
    const room = beside ? height - 2 * GAP_PX : below ? roomBelow : roomAbove;
    if (cardHeight > room) card.style.maxHeight = `${Math.floor(room)}px`;
    const shown = Math.min(cardHeight, room);
    const top = beside
      ? Math.max(GAP_PX, Math.min(rect.top, height - GAP_PX - shown))
      : below
        ? rect.bottom + GAP_PX
        : rect.top - GAP_PX - shown;
    const x = !beside ? rect.left : fitsRight ? rect.right + GAP_PX : rect.left - GAP_PX - cardWidth;
    const left = Math.max(GAP_PX, Math.min(x, width - cardWidth - GAP_PX));
    card.style.top = `${Math.round(top)}px`;
    card.style.left = `${Math.round(left)}px`;
  }

  function scheduleClose() {
    clearTimeout(closeTimer);
    // A card the reader focused (keyboard, click or tap) stays until focus moves away.
    if (document.activeElement !== term && !inCard(document.activeElement)) closeTimer = setTimeout(close, CLOSE_MS);
  }

  // ---- events, delegated from the document -------------------------------------------------

  const on = (target, type, listener) => target.addEventListener(type, listener, { capture: true, signal });

  on(document, "pointerover", (event) => {
    if (event.pointerType == "touch") return;
    const highlight = highlightOf(event.target);
    if (!highlight) return;
    pointerY = event.clientY;
    if (highlight === term) return clearTimeout(closeTimer);
    if (highlight === dismissed && inCard(event.relatedTarget)) return;
    clearTimer();
    timer = setTimeout(() => {
      load(highlight.dataset.glossaryTerm);
      timer = setTimeout(open, OPEN_MS - PREFETCH_MS, highlight);
    }, PREFETCH_MS);
  });

  on(document, "pointerout", (event) => {
    if (event.pointerType == "touch") return;
    const highlight = highlightOf(event.target);
    if (!highlight || highlight.contains(event.relatedTarget)) return;
    if (highlight === term) {
      if (!inCard(event.relatedTarget)) scheduleClose();
    } else {
      clearTimer(); // the pointer was only passing
    }
  });

  on(card, "pointerenter", () => clearTimeout(closeTimer));
  on(card, "pointerleave", (event) => {
    if (event.pointerType !== "touch" && highlightOf(event.relatedTarget) !== term) scheduleClose();
  });

  // A tap on a term toggles its card (the tap's focus event may already have opened it);
  // a tap or click anywhere else closes the card.
  let openBeforeTap;
  on(document, "pointerdown", (event) => {
    const highlight = highlightOf(event.target);
    openBeforeTap = !!highlight && highlight === term;
    if (term && !highlight && !inCard(event.target)) close();
  });
  on(document, "click", (event) => {
    const highlight = highlightOf(event.target);
    if (!highlight) return;
    if (event.pointerType === "touch" && openBeforeTap) {
      dismissed = highlight;
      close();
    } else {
      open(highlight);
    }
  });

  on(document, "focusin", (event) => {
    const highlight = highlightOf(event.target);
    if (highlight && !(highlight === dismissed && inCard(event.relatedTarget))) open(highlight);
  });

  on(document, "focusout", (event) => {
    const to = event.relatedTarget;
    if (term && !inCard(to) && highlightOf(to) !== term && (highlightOf(event.target) === term || inCard(event.target))) {
      close();
    }
  });

  // Enter or Space on a term opens its card and moves into it, as a button that opens a dialog
  // does; Tab goes on through the page, so a page of many terms takes a key press each. Escape
  // closes the card. Tab out of the card goes on after its term (the card sits after <body>,
  // or at the end of a modal dialog, last in the order Tab follows there).
  on(document, "keydown", (event) => {
    const highlight = highlightOf(event.target);
    if (highlight && (event.key == " " || event.key == "Enter")) {
      event.preventDefault(); // Space would scroll the page
      open(highlight);
      (card.querySelector("a,button,input") ?? card).focus(); // the card itself while it loads
    }
    if (!term) return;
    if (event.key == "Escape") {
      // From the card or its term, Escape closes the card, not a host's dialog under it; from
      // elsewhere (a search field) it is the page's too.
      if (inCard(event.target) || highlight) event.preventDefault();
      dismissed = term;
      close();
    }
    if (event.key !== "Tab") return;
    const controls = [...card.querySelectorAll("a,button,input")];
    const focused = shadow.activeElement;
    const forward = !event.shiftKey;
    if (!forward && [card, controls[0]].includes(focused)) {
      event.preventDefault();
      term.focus();
    } else if (forward && focused === controls.at(-1)) {
      close(); // focus goes back to the term, and the Tab moves on from there
    }
  });

  const reposition = () => term && requestAnimationFrame(place);
  on(window, "scroll", reposition);
  on(window, "resize", reposition);

  // Removes the card and stops its timers, when the highlighting stops (see main.js).
  return () => {
    clearTimer();
    close();
    host.remove();
  };
}
