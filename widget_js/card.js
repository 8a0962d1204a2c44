// ---- card: the hover card with the definition, the misuse warning and a link ----------------
//
// One card, reused, in an open shadow root on a container at the end of <body>, so host CSS
// cannot reach it; styled by a constructed stylesheet, so a strict CSP does not block it;
// shown with the Popover API (top layer) where available, so no host z-index, overflow or
// transform can hide it. Behaviour follows WCAG 1.4.13: dismissible (Escape), hoverable
// (the pointer may move onto the card), persistent (open until dismissed or left).

const PREFETCH_MS = 100; // pointer at rest: start loading
const OPEN_MS = 300; // pointer at rest: show the card
const CLOSE_MS = 300; // pointer gone from term and card: hide it
const GAP_PX = 8;
const CARD_ID = PREFIX + "-card";

// What this page view has sent, so that reopening a card neither counts an open again nor
// asks for a second vote: in memory only, forgotten with the page.
const openCounted = new Set();
const voted = new Set();

function createCards(config, signal, write, turnOff) {
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
  if (config.theme !== "auto") card.style.colorScheme = config.theme; // light-dark() follows it
  const popover = "popover" in card;
  if (popover) card.popover = "manual";
  shadow.append(card);

  const cache = new Map(); // slug -> Promise of the term's card data
  const loading = new Map(); // slug -> AbortController, until settled; the shown card keeps its own
  let term = null; // the highlight whose card is open
  let timers = [];
  let closeTimer = 0;
  // The term whose card Escape (or a second tap) closed. WCAG 1.4.13 has that last for the
  // current hover or focus only, so it holds back just what follows from the card itself: the
  // pointer or focus coming back from the card to the term. A new hover, focus or tap on the term
  // opens the card again, whatever happened before: no order of events can leave it stuck.
  let dismissed = null;

  const clearTimers = () => {
    timers.forEach(clearTimeout);
    timers = [];
  };
  const highlightOf = (node) => node?.closest?.(HIGHLIGHT);
  const inCard = (node) => node === host || host.contains(node);

  function load(slug) {
    if (!cache.has(slug)) {
      const controller = new AbortController();
      loading.set(slug, controller);
      const data = fetchJson(`${config.base}api/v1/terms/${encodeURIComponent(slug)}.json`, signal, controller.signal);
      // A failed or cancelled request is not cached: the next attempt tries again.
      data.catch(() => cache.delete(slug)).finally(() => loading.delete(slug));
      cache.set(slug, data);
    }
    return cache.get(slug);
  }

  function cancelLoad(slug) {
    const controller = loading.get(slug);
    if (controller && slug !== card.dataset.glossaryCard) controller.abort();
  }

  function open(highlight) {
    clearTimers();
    clearTimeout(closeTimer);
    if (term === highlight) return;
    if (term) close();
    term = highlight;
    dismissed = null;
    const slug = highlight.dataset.glossaryTerm;
    highlight.ariaExpanded = "true";
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
  // card goes back to the term, unless Tab is taking it on (`focusTerm` false).
  function close(focusTerm = true) {
    clearTimeout(closeTimer);
    if (!term) return;
    term.ariaExpanded = "false";
    term.removeAttribute("aria-controls");
    if (focusTerm && inCard(document.activeElement)) {
      dismissed = term; // focus returns to the term; that must not reopen the card
      term.focus();
    }
    term = null;
    if (popover && card.matches(":popover-open")) card.hidePopover();
    card.classList.remove("open");
    delete card.dataset.glossaryCard;
  }

  function show() {
    // Added when first needed (and again if the page's scripts removed it): until then the
    // page's layout is left untouched, so the scan can read it without forcing a new one.
    // Through `write`, so that the observer does not take it for new content to scan.
    if (!host.isConnected) write(() => document.body.append(host));
    if (popover && !card.matches(":popover-open")) card.showPopover();
    card.classList.add("open");
    place();
  }

  function render(nodes) {
    card.replaceChildren(...nodes);
    if (term) place();
  }

  const say = (status) => render([element("p", "status", status)]);

  /** A beacon the first time a term's card shows its content in this page view: it outlives the
   * page, and as text/plain it is a CORS simple request. */
  function countOpen(slug) {
    if (!config.feedback || openCounted.has(slug)) return;
    openCounted.add(slug);
    navigator.sendBeacon(config.feedback + "events", JSON.stringify({ event: "open", term: slug }));
  }

  /**
   * "Was this helpful? Yes No", then "Thanks" in a live region, and after "No" an optional
   * comment, sent as a second post with the same vote (as on the entry pages). A failure says
   * so, briefly, and leaves the page alone. Nothing is asked twice for a term in a page view.
   */
  function askFeedback(slug) {
    const box = element("div", "feedback");
    const status = element("p");
    status.role = "status";
    // A string body, no credentials, no custom header: a CORS simple request, with no preflight.
    // A comment goes with the "No" it explains. Resolves to whether it was stored.
    const post = (answer, thanks) =>
      fetch(config.feedback + "feedback", {
        method: "POST",
        body: JSON.stringify({ term: slug, helpful: false, ...answer }),
        credentials: "omit",
        keepalive: true,
      })
        .then((response) => response.ok, () => false)
        .then((sent) => {
          status.textContent = sent ? thanks : "Could not send";
          return sent;
        });
    // The card keeps focus while the control that had it goes away, so it stays open.
    const replace = (node) => {
      card.focus();
      node.remove();
    };
    const form = element("form");
    const field = element("input");
    field.maxLength = 500;
    const label = element("label", "", "What was missing or wrong? ");
    label.append(field);
    form.append(label, element("button", "", "Send"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const comment = field.value.trim();
      replace(form);
      if (comment) post({ comment }, "Thanks for telling us.");
    });
    const ask = element("p", "", "Was this helpful? ");
    for (const helpful of [true, false]) {
      const button = element("button", "", helpful ? "Yes" : "No");
      button.addEventListener("click", () => {
        voted.add(slug);
        replace(ask);
        post({ helpful }, "Thanks").then((sent) => {
          if (!sent || helpful) return;
          status.after(form);
          field.focus();
          place();
        });
      });
      ask.append(button, " ");
    }
    box.append(ask, status);
    return box;
  }

  function content(data) {
    const link = (path, text) => {
      const a = element("a", "", text);
      a.href = new URL(path, config.base).href;
      if (config.linkTarget) {
        a.target = config.linkTarget;
        a.rel = "noopener";
      }
      return a;
    };
    const closeButton = element("button", "close", "\u00d7");
    closeButton.tabIndex = -1; // Escape closes from the keyboard
    closeButton.ariaLabel = "Close";
    closeButton.addEventListener("click", close);

    // The parts the dialog's name and description refer to: their id is their class.
    const part = (tag, name, text) => {
      const node = element(tag, name, text);
      node.id = name;
      return node;
    };
    const warning = part("div", "warning");
    warning.role = "note";
    warning.append(element("p", "label", "Watch out"), element("p", "", data.misuse));
    const nodes = [
      closeButton,
      element("p", "categories", data.categories.map((c) => c.label).join(" \u00b7 ")),
      part("p", "title", data.title),
      part("p", "definition", data.definition),
      warning,
    ];
    const related = data.related.slice(0, 3);
    if (related.length) {
      const list = element("p", "related", "Related: ");
      related.forEach((r, i) => list.append(i ? ", " : "", link(`glossary/${r.slug}/`, r.title)));
      nodes.push(list);
    }
    const off = element("button", "off", "Turn off highlights");
    off.addEventListener("click", turnOff);
    nodes.push(link(data.url, "Read the full entry \u2192"), off);
    if (config.feedback && !voted.has(data.slug)) nodes.push(askFeedback(data.slug));
    return nodes;
  }

  /**
   * Beside the term: below it, or above when it does not fit below and there is more room
   * above; taller than that room, it scrolls. Shifted sideways to stay inside the viewport.
   */
  function place() {
    if (!term) return;
    const rect = term.getClientRects()[0] || term.getBoundingClientRect();
    const { clientWidth: width, clientHeight: height } = document.documentElement;
    card.style.maxHeight = "";
    const cardWidth = card.offsetWidth;
    const cardHeight = card.offsetHeight;
    const roomBelow = height - rect.bottom - 2 * GAP_PX;
    const roomAbove = rect.top - 2 * GAP_PX;
    const below = cardHeight <= roomBelow || roomBelow >= roomAbove;
    const room = below ? roomBelow : roomAbove;
    if (cardHeight > room) card.style.maxHeight = `${Math.floor(room)}px`;
    const top = below ? rect.bottom + GAP_PX : rect.top - GAP_PX - Math.min(cardHeight, room);
    const left = Math.max(GAP_PX, Math.min(rect.left, width - cardWidth - GAP_PX));
    card.style.top = `${Math.round(top)}px`;
    card.style.left = `${Math.round(left)}px`;
  }

  function scheduleClose() {
    clearTimeout(closeTimer);
    // A card the reader focused (keyboard, click or tap) stays until focus moves away.
    if (document.activeElement !== term && !inCard(document.activeElement)) closeTimer = setTimeout(close, CLOSE_MS);
  }

  // ---- events, delegated from the document -------------------------------------------------

  const on = (target, type, listener, options) =>
    target.addEventListener(type, listener, { capture: true, passive: true, signal, ...options });

  on(document, "pointerover", (event) => {
    if (event.pointerType === "touch") return;
    const highlight = highlightOf(event.target);
    if (!highlight) return;
    if (highlight === term) return clearTimeout(closeTimer);
    if (highlight === dismissed && inCard(event.relatedTarget)) return;
    clearTimers();
    const slug = highlight.dataset.glossaryTerm;
    timers = [setTimeout(() => load(slug), PREFETCH_MS), setTimeout(() => open(highlight), OPEN_MS)];
  });

  on(document, "pointerout", (event) => {
    if (event.pointerType === "touch") return;
    const highlight = highlightOf(event.target);
    if (!highlight || highlight.contains(event.relatedTarget)) return;
    if (highlight === term) {
      if (!inCard(event.relatedTarget)) scheduleClose();
    } else {
      clearTimers();
      cancelLoad(highlight.dataset.glossaryTerm); // the pointer was only passing
    }
  });

  on(card, "pointerenter", () => clearTimeout(closeTimer));
  on(card, "pointerleave", (event) => {
    if (event.pointerType !== "touch" && highlightOf(event.relatedTarget) !== term) scheduleClose();
  });

  // A tap on a term toggles its card (the tap's focus event may already have opened it);
  // a tap or click anywhere else closes the card.
  let openBeforeTap = false;
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

  on(document, "keydown", (event) => {
    if (!term) return;
    if (event.key === "Escape") {
      dismissed = term;
      close();
    } else if (event.key === "Tab") {
      tab(event);
    }
  }, { passive: false });

  /** The card sits at the end of <body>: Tab goes from the term into the card, and out after it. */
  function tab(event) {
    const links = [...card.querySelectorAll("a,button:not(.close),input")];
    const focused = shadow.activeElement;
    if (document.activeElement === term && !event.shiftKey && links.length) {
      event.preventDefault();
      links[0].focus();
    } else if (event.shiftKey && focused === links[0]) {
      event.preventDefault();
      term.focus();
    } else if (!event.shiftKey && focused === links.at(-1)) {
      event.preventDefault();
      const next = nextFocusable(term);
      close(false); // before focusing: `next` may be a term whose card opens on focus
      next?.focus();
    }
  }

  const reposition = () => term && requestAnimationFrame(place);
  on(window, "scroll", reposition);
  on(window, "resize", reposition);

  return {
    destroy() {
      clearTimers();
      close();
      host.remove();
    },
  };
}

/** The first element after `from` in document order that Tab would reach. */
function nextFocusable(from) {
  const candidates = document.querySelectorAll(
    "a[href],button,input,select,textarea,[tabindex],[contenteditable]:not([contenteditable=false])",
  );
  for (const candidate of candidates) {
    if (
      from.compareDocumentPosition(candidate) & Node.DOCUMENT_POSITION_FOLLOWING &&
      !from.contains(candidate) && candidate.tabIndex >= 0 && !candidate.disabled &&
      candidate.getClientRects().length && !candidate.closest("[inert]")
    ) {
      return candidate;
    }
  }
  return null;
}
