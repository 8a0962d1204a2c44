"""What the page gets (issue 3): highlights that change no text, no layout and no host
behaviour; the glossary:ready event; the GlossaryWidget API; late content; no other traces."""

from __future__ import annotations

import pytest
from conftest import LiveServer
from playwright.sync_api import Page, Request, Route

from tests.support.widget import (
    RECORD_PAGE,
    Console,
    fixture_html,
    highlights,
    html_page,
    install_clock,
    open_ready,
    pause_clock,
    ready_count,
    run_clock,
    serve_html,
    settle,
    wait_for_events,
    wait_ready,
    widget_tag,
)
from widget_server import __version__

DOM_HIGHLIGHTS = [
    ("policy", "policy"),
    ("premium", "premium"),
    ("tax", "tax"),
    ("health-savings-account", "health savings account"),
    ("data-broker", "data broker"),
    ("class-action", "class action"),
    ("wage-theft", "wage theft"),
    ("cafe-fee", "Café Fee"),
    ("non-compete-agreement", "noncompete"),
    ("premium", "Premiums"),
    ("policy", "policy"),
    ("premium", "premium"),
    ("policy", "Policies"),
]

# The boxes of the blocks in the root and of the inline elements in them (whose width may
# differ by a fraction of a pixel, as text split across elements is shaped in parts), and the
# size of the document.
LAYOUT_JS = """() => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return [el.id || el.localName, r.x, r.y, r.width, r.height];
  };
  const elements = [...document.querySelectorAll("#root, #root *:not(glossary-term)")];
  const inline = (el) => getComputedStyle(el).display === "inline";
  return {
    blocks: elements.filter((el) => !inline(el)).map(box),
    inlines: elements.filter(inline).map(box),
    size: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
  };
}"""

TEXT_NODES_JS = """root => {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let node; (node = walker.nextNode()); ) nodes.push(node);
  return nodes;
}"""


def hold(page: Page, pattern: str) -> list[Route]:
    """Holds back the requests for `pattern` until the test lets them go (`release`)."""
    held: list[Route] = []

    def keep(route: Route) -> None:
        held.append(route)

    page.route(pattern, keep)
    return held


def release(page: Page, held: list[Route]) -> None:
    """Lets the first held request go on; it may reach the route only after the load event."""
    wait_for_events(page, lambda: bool(held), "a held request")
    held[0].fallback()


def dom_url(server: LiveServer) -> str:
    return f"{server.url}/examples/dom.html"


def test_highlights_are_the_expected_terms(page: Page, fixture_server: LiveServer) -> None:
    open_ready(page, dom_url(fixture_server))

    assert highlights(page, "#root") == DOM_HIGHLIGHTS
    assert highlights(page, "#outside") == []


def test_the_text_of_the_page_is_unchanged(page: Page, fixture_server: LiveServer) -> None:
    open_ready(page, dom_url(fixture_server))

    before = page.evaluate("window.__before")
    assert before["highlights"] == 0  # recorded before the widget changed anything
    assert page.evaluate("document.querySelector('#root').textContent") == before["rootText"]
    assert page.evaluate("document.body.textContent") == before["bodyText"]


def test_each_highlight_is_a_focusable_custom_element_wrapping_only_the_text(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    open_ready(page, dom_url(fixture_server))

    rows = page.eval_on_selector_all(
        "[data-glossary-term]",
        """els => els.map((el) => ({
      tag: el.localName,
      classes: [...el.classList],
      tabIndex: el.tabIndex,
      tabindexAttribute: el.getAttribute("tabindex"),
      onlyText: el.childNodes.length === 1 && el.firstChild.nodeType === Node.TEXT_NODE,
    }))""",
    )
    assert len(rows) == len(DOM_HIGHLIGHTS)
    for row in rows:
        assert row["tag"] == "glossary-term"
        assert "glossary-widget-term" in row["classes"]
        assert row["tabIndex"] == 0 and row["tabindexAttribute"] == "0"
        assert row["onlyText"]


def test_highlights_change_no_font_and_no_box(page: Page, fixture_server: LiveServer) -> None:
    """The page styles `span`, `p b` and `[role=button]`: a highlight takes its parent's font,
    and no box."""
    open_ready(page, dom_url(fixture_server))

    rows = page.eval_on_selector_all(
        "[data-glossary-term]",
        """els => els.map((el) => {
      const own = getComputedStyle(el);
      const parent = getComputedStyle(el.parentElement);
      const props = ["font-family", "font-size", "font-weight", "font-style", "line-height",
                     "letter-spacing", "word-spacing", "text-transform"];
      return {
        display: own.display,
        shadowAndAlignment: [own.boxShadow, own.verticalAlign],
        box: ["padding", "margin", "border"].flatMap((p) => ["top", "right", "bottom", "left"]
          .map((side) => own.getPropertyValue(`${p}-${side}${p === "border" ? "-width" : ""}`))),
        differs: props.filter((p) => own.getPropertyValue(p) !== parent.getPropertyValue(p)),
      };
    })""",
    )
    for row in rows:
        assert row["display"] == "inline"
        assert row["shadowAndAlignment"] == ["none", "baseline"]
        assert set(row["box"]) == {"0px"}
        assert row["differs"] == []


def test_no_layout_change(page: Page, fixture_server: LiveServer) -> None:
    """Measured with the index held back (the widget has not run), then after it has."""
    held = hold(page, "**/api/v1/categories.json")
    page.add_init_script(RECORD_PAGE)
    page.goto(dom_url(fixture_server))
    page.wait_for_function("document.fonts.status === 'loaded'")
    before = page.evaluate(LAYOUT_JS)
    assert page.evaluate("window.__readyEvents.length") == 0

    release(page, held)
    wait_ready(page)
    after = page.evaluate(LAYOUT_JS)

    assert page.evaluate("document.querySelectorAll('glossary-term').length") == len(DOM_HIGHLIGHTS)
    assert after["size"] == before["size"]
    assert len(before["blocks"]) == 10
    assert after["blocks"] == before["blocks"]
    assert len(after["inlines"]) == len(before["inlines"]) == 2
    for now, then in zip(after["inlines"], before["inlines"], strict=True):
        assert [now[0], now[2], now[4]] == [then[0], then[2], then[4]]
        assert now[1] == pytest.approx(then[1], abs=0.1)
        assert now[3] == pytest.approx(then[3], abs=0.1)


def test_host_elements_and_their_listeners_survive(page: Page, fixture_server: LiveServer) -> None:
    page.add_init_script("""document.addEventListener("DOMContentLoaded", () => {
      window.__elements = [...document.querySelectorAll("#root *")];
    })""")
    open_ready(page, dom_url(fixture_server))

    assert page.evaluate("""window.__elements.every((el) => el.isConnected)
      && window.__elements.length === document.querySelectorAll("#root *:not(glossary-term)").length
      && window.__elements.every((el, i) =>
           el === document.querySelectorAll("#root *:not(glossary-term)")[i])""")
    page.click("#clicky glossary-term")
    page.keyboard.press("Escape")  # the click opened a card, which may cover the next term
    page.click("#bold glossary-term")
    page.keyboard.press("Escape")
    page.click("#clicky", position={"x": 2, "y": 2})
    assert page.evaluate("window.hostClicks") == ["clicky", "bold", "clicky"]


def test_selection_of_highlighted_text_is_unchanged(page: Page, fixture_server: LiveServer) -> None:
    selected = """() => {
      const selection = getSelection();
      selection.selectAllChildren(document.querySelector("#root"));
      const text = selection.toString();
      selection.removeAllRanges();
      return text;
    }"""
    held = hold(page, "**/api/v1/categories.json")
    page.add_init_script(RECORD_PAGE)
    page.goto(dom_url(fixture_server))
    before = page.evaluate(selected)
    release(page, held)
    wait_ready(page)

    assert page.evaluate(selected) == before


def test_ready_event_detail(page: Page, fixture_server: LiveServer) -> None:
    detail = open_ready(page, dom_url(fixture_server))

    assert set(detail) == {"highlights", "terms", "ms", "setupMs"}
    assert detail["highlights"] == len(DOM_HIGHLIGHTS)
    assert detail["terms"] == len({slug for slug, _ in DOM_HIGHLIGHTS})
    assert isinstance(detail["ms"], int | float) and 0 <= detail["ms"] < 2000
    assert isinstance(detail["setupMs"], int | float) and 0 <= detail["setupMs"] < 2000
    settle(page)
    assert ready_count(page) == 1

    # The matcher is built once: a later scan reports the same setup time.
    again = page.evaluate("GlossaryWidget.scan()")
    assert again["setupMs"] == detail["setupMs"]


def test_one_global_with_version_scan_enable_disable_and_destroy(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    open_ready(page, dom_url(fixture_server))

    api = page.evaluate("""() => ({
      keys: Object.keys(GlossaryWidget).sort(),
      version: GlossaryWidget.version,
      frozen: Object.isFrozen(GlossaryWidget),
      types: ["scan", "enable", "disable", "destroy"].map((name) => typeof GlossaryWidget[name]),
    })""")
    assert api == {
        "keys": ["destroy", "disable", "enable", "scan", "version"],
        "version": __version__,
        "frozen": True,
        "types": ["function"] * 4,
    }


def test_scan_highlights_content_the_observer_does_not_watch(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    """#outside is not a root: content added there is only highlighted by scan()."""
    open_ready(page, dom_url(fixture_server))
    page.evaluate("""document.querySelector("#outside").insertAdjacentHTML(
      "beforeend", "<p id='late'>Late news about a data broker.</p>")""")
    settle(page)
    assert highlights(page, "#outside") == []

    detail = page.evaluate("GlossaryWidget.scan(document.querySelector('#late'))")

    assert highlights(page, "#outside") == [("data-broker", "data broker")]
    assert detail == page.evaluate("window.__readyEvents.at(-1)")
    assert detail["highlights"] == len(DOM_HIGHLIGHTS) + 1
    assert ready_count(page) == 2


def test_scan_of_an_element_not_on_the_page_wraps_nothing(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    open_ready(page, dom_url(fixture_server))

    result = page.evaluate("""async () => {
      const detached = Object.assign(document.createElement("p"), {textContent: "The tax and the policy."});
      const detail = await GlossaryWidget.scan(detached);
      return [detail.highlights, detached.querySelectorAll("glossary-term").length];
    }""")

    assert result == [len(DOM_HIGHLIGHTS), 0]


def test_a_root_the_page_removes_before_the_scan_reaches_it_uses_up_no_first_occurrence(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    """With data-root=".c", the page removes the second root while the scan is still in the
    first: the term it held is highlighted in the third, and the ready event counts what the
    page holds. The first highlight is written at the end of the scan's first slice (at most
    8 ms); the text nodes before the second root take several slices to read however fast the
    machine, so that the page removes it before the scan gets there."""
    filler = "<p>x</p>" * 150_000
    url = serve_html(
        page,
        f"{fixture_server.url}/examples/removed-root.html",
        html_page(
            f'<div class="c" id="c1"><p>Pay the premium.</p>{filler}</div>'
            '<div class="c" id="c2"><p>The tax is due.</p></div>'
            '<div class="c" id="c3"><p>A tax form.</p></div>' + widget_tag(root=".c")
        ),
    )
    page.add_init_script("""new MutationObserver((records, observer) => {
      if (!document.querySelector("glossary-term")) return;
      observer.disconnect();
      document.querySelector("#c2").remove();
    }).observe(document, {childList: true, subtree: true})""")

    detail = open_ready(page, url)

    assert highlights(page) == [("premium", "premium"), ("tax", "tax")]
    assert page.text_content("#c3 glossary-term") == "tax"
    assert [detail["highlights"], detail["terms"]] == [2, 2]


def test_ready_counts_what_the_page_holds_when_it_removed_highlights_during_the_scan(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    filler = "<p>Nothing to see here at all.</p>" * 20_000
    url = serve_html(
        page,
        f"{fixture_server.url}/examples/removed-highlights.html",
        html_page(
            f'<article><section id="s1">{"<p>Pay the premium now.</p>" * 50}</section>{filler}'
            "<p>A tax.</p></article>" + widget_tag(occurrences="all", max="100000")
        ),
    )
    page.add_init_script("""new MutationObserver((records, observer) => {
      if (!document.querySelector("#s1 glossary-term")) return;
      observer.disconnect();
      document.querySelector("#s1").remove();
    }).observe(document, {childList: true, subtree: true})""")

    detail = open_ready(page, url)

    assert highlights(page) == [("tax", "tax")]
    assert [detail["highlights"], detail["terms"]] == [1, 1]


def test_scan_without_a_root_scans_the_body_and_never_twice(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    open_ready(page, dom_url(fixture_server))

    first = page.evaluate("GlossaryWidget.scan()")
    again = page.evaluate("GlossaryWidget.scan(document.querySelector('#root'))")

    assert highlights(page, "#outside") == [("premium", "premium")]
    assert highlights(page, "#root") == DOM_HIGHLIGHTS
    assert first["highlights"] == again["highlights"] == len(DOM_HIGHLIGHTS) + 1
    assert page.evaluate("document.querySelectorAll('glossary-term glossary-term').length") == 0


def test_destroy_restores_the_dom_and_the_original_text_nodes(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    open_ready(page, dom_url(fixture_server))
    assert page.evaluate("document.adoptedStyleSheets.length") == 1

    page.evaluate("GlossaryWidget.destroy()")

    assert page.evaluate("document.documentElement.outerHTML") == page.evaluate("window.__before.html")
    assert page.evaluate(f"""() => {{
      const before = window.__before.textNodes;
      const now = ({TEXT_NODES_JS})(document.querySelector("#root"));
      return now.length === before.length && now.every((node, i) => node === before[i]
        && node.isConnected && node.data === window.__before.textData[i]);
    }}""")
    assert page.evaluate("document.adoptedStyleSheets.length") == 0
    assert page.evaluate("'GlossaryWidget' in window") is False


def test_after_destroy_nothing_is_highlighted_any_more(page: Page, fixture_server: LiveServer) -> None:
    console = Console.attach(page)
    install_clock(page)
    open_ready(page, dom_url(fixture_server))
    pause_clock(page)
    page.evaluate("GlossaryWidget.destroy()")

    page.evaluate("""document.querySelector("#root").insertAdjacentHTML(
      "beforeend", "<p>A late premium.</p>")""")
    page.focus("#root p")
    run_clock(page)  # a scan of the late paragraph, or a card, would have run by now

    assert highlights(page) == []
    assert ready_count(page) == 1
    assert console.page_errors == []


def test_destroy_during_a_scan_leaves_no_highlight(page: Page, fixture_server: LiveServer) -> None:
    """destroy() called while a scan is still matching (here: from inside it, the moment the
    scan reads a given text node) must stop it before anything is wrapped."""
    console = Console.attach(page)
    install_clock(page)
    open_ready(page, dom_url(fixture_server))
    pause_clock(page)
    page.evaluate("""() => {
      const outside = document.querySelector("#outside");
      for (let i = 0; i < 3000; i++) {
        outside.append(Object.assign(document.createElement("p"), {textContent: `Tax ${i}.`}));
      }
      const trap = outside.children[1].firstChild;
      const data = Object.getOwnPropertyDescriptor(CharacterData.prototype, "data");
      let sprung = false;
      Object.defineProperty(trap, "data", {
        get() {
          if (!sprung) { sprung = true; GlossaryWidget.destroy(); }
          return data.get.call(this);
        },
        set(value) { data.set.call(this, value); },
      });
      window.__scan = GlossaryWidget.scan(outside);
    }""")
    run_clock(page)  # the scan's slices: the first springs the trap; after it, none may wrap
    page.evaluate("window.__scan")

    assert page.evaluate("'GlossaryWidget' in window") is False
    assert highlights(page) == []
    assert ready_count(page) == 1
    assert console.page_errors == []


def test_loading_twice_gives_one_instance(page: Page, fixture_server: LiveServer) -> None:
    requests: list[str] = []

    def record(request: Request) -> None:
        requests.append(request.url)

    page.on("request", record)
    tag = widget_tag(root="#root", occurrences="all")
    url = serve_html(page, dom_url(fixture_server), fixture_html("dom.html", tag + tag))
    open_ready(page, url)
    widget = page.evaluate_handle("GlossaryWidget")
    page.evaluate("""() => {
      const script = document.createElement("script");
      script.src = "/widget.js";
      script.dataset.occurrences = "all";
      document.body.append(script);
      return new Promise((resolve) => script.addEventListener("load", resolve));
    }""")
    settle(page)  # a second instance would have loaded its index and scanned by now

    assert page.evaluate("w => w === GlossaryWidget", widget)
    assert highlights(page, "#root") == DOM_HIGHLIGHTS
    assert ready_count(page) == 1
    assert requests.count(f"{fixture_server.url}/api/v1/categories.json") == 1
    assert page.evaluate("document.adoptedStyleSheets.length") == 1
    assert page.evaluate("document.querySelectorAll('glossary-card').length") <= 1


# ---- content added later ---------------------------------------------------------------------


def test_appended_content_is_highlighted(page: Page, fixture_server: LiveServer) -> None:
    open_ready(page, dom_url(fixture_server))

    page.evaluate("""document.querySelector("#root").insertAdjacentHTML("beforeend",
      "<section id='comments'><p>First comment: a tax.</p><p>Second: <a href='#'>policy</a></p></section>")""")
    wait_ready(page, 2)

    assert highlights(page, "#comments") == [("tax", "tax")]


def test_a_scan_that_throws_does_not_stop_the_widget_following_the_page(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    """An exception while wrapping (here from a page's broken patch of a text node's `after`,
    once) loses that scan, with a warning, but not the observer: content added later is
    highlighted."""
    page.add_init_script(RECORD_PAGE)
    page.add_init_script("""const after = CharacterData.prototype.after;
      let failed = false;
      Text.prototype.after = function (...args) {
        if (!failed) { failed = true; throw new Error("broken patch"); }
        return after.apply(this, args);
      };""")
    with page.expect_console_message(lambda message: message.type == "warning") as warning:
        page.goto(dom_url(fixture_server))
    assert "broken patch" in warning.value.text
    assert ready_count(page) == 0

    page.evaluate("""document.querySelector("#root").insertAdjacentHTML("beforeend",
      "<p id='late'>A tax, explained.</p>")""")
    wait_ready(page, 1)

    assert highlights(page, "#late") == [("tax", "tax")]


def test_changed_text_is_highlighted(page: Page, fixture_server: LiveServer) -> None:
    open_ready(page, dom_url(fixture_server))

    page.evaluate("document.querySelector('#plain').firstChild.data = 'Now about a savings account.'")
    wait_ready(page, 2)

    assert highlights(page, "#plain") == [("savings-account", "savings account")]


def test_a_framework_rewriting_a_split_text_node_shows_its_text_once(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    """React and Vue keep a reference to the text node they rendered and set its text on every
    update; the widget split that node, so the pieces it split off must go."""
    body = '<article><p id="price">Your yearly premium and the policy fee are $120.</p></article>'
    url = serve_html(page, f"{fixture_server.url}/examples/rerender.html", html_page(body + widget_tag()))
    open_ready(page, url)
    page.evaluate("window.rendered = document.querySelector('#price').firstChild")  # as React keeps it
    assert highlights(page) == [("premium", "premium"), ("policy", "policy")]

    page.evaluate("rendered.data = 'Your yearly premium and the policy fee are $130.'")
    wait_ready(page, 2)

    assert page.text_content("#price") == "Your yearly premium and the policy fee are $130."
    assert highlights(page) == [("premium", "premium"), ("policy", "policy")]
    page.evaluate("rendered.data = 'No fee this year.'")
    page.wait_for_function("document.querySelector('#price').textContent === 'No fee this year.'")
    assert highlights(page) == []


@pytest.mark.parametrize(
    "retouch",
    [
        "node.data = node.data",  # set unchanged
        "node.data = node.data.replace(/'/g, '\u2019')",  # typographic apostrophes
        "node.data = node.data.replace(/yearly/g, 'year\u00adly')",  # a soft hyphen
    ],
)
def test_a_script_retouching_the_text_of_split_nodes_loses_no_text(
    page: Page,
    fixture_server: LiveServer,
    retouch: str,
) -> None:
    """Scripts that walk the text nodes and set their text (typography, hyphenation) are not
    re-renders: every word stays, once."""
    # (The <b> makes a node the widget leaves empty: written back unchanged, it is still empty.)
    body = "<article><p id='price'>Your yearly <b>premium</b> and the policy's fee are due.</p></article>"
    url = serve_html(page, f"{fixture_server.url}/examples/retouch.html", html_page(body + widget_tag()))
    open_ready(page, url)
    assert highlights(page) == [("premium", "premium"), ("policy", "policy")]

    page.evaluate(f"""() => {{
      const walker = document.createTreeWalker(document.querySelector('#price'), NodeFilter.SHOW_TEXT);
      for (let node; (node = walker.nextNode()); ) {retouch};
    }}""")
    wait_ready(page, 2)

    words = page.evaluate("document.querySelector('#price').textContent.replace(/[^\\w ]/g, '')")
    assert words == "Your yearly premium and the policys fee are due"
    assert highlights(page) == [("premium", "premium"), ("policy", "policy")]


def test_late_content_in_a_skipped_area_is_not_highlighted(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    open_ready(page, dom_url(fixture_server))

    page.evaluate("""() => {
      document.querySelector("#root").insertAdjacentHTML("beforeend", "<nav id='late-nav'>A tax</nav>");
      document.querySelector("#bold").closest("p").insertAdjacentHTML("beforeend", "<code>tax</code>");
    }""")
    settle(page)

    assert page.evaluate("document.querySelectorAll('nav glossary-term, code glossary-term').length") == 0


def test_the_widgets_own_changes_cause_no_rescans(page: Page, fixture_server: LiveServer) -> None:
    open_ready(page, dom_url(fixture_server))
    # One scan per change of the page's: each is waited for, so that none are batched.
    for i in range(5):
        page.evaluate(f"""document.querySelector("#root").append(
          Object.assign(document.createElement("p"), {{textContent: "Premium {i} and policy."}}))""")
        wait_ready(page, 2 + i)
    page.evaluate("document.querySelector('#plain').firstChild.data += ' And a tax.'")
    wait_ready(page, 7)
    # A scan the widget's own highlights started would be asked for before its scan ended.
    settle(page)

    assert ready_count(page) == 7
    assert len(highlights(page, "#root")) == len(DOM_HIGHLIGHTS) + 11


def test_a_root_replaced_by_a_single_page_app_is_followed(page: Page, fixture_server: LiveServer) -> None:
    """A router swaps the whole <article> for the next one: the new article is highlighted,
    and so is what is added to it afterwards."""
    body = (
        "<header><p>A tax in the header.</p></header><main>"
        '<article id="one"><p>The first article is about a premium.</p></article></main>'
    )
    url = serve_html(page, f"{fixture_server.url}/examples/spa-root.html", html_page(body + widget_tag()))
    open_ready(page, url)
    assert highlights(page) == [("premium", "premium")]

    page.evaluate("""document.querySelector("#one").replaceWith(Object.assign(
      document.createElement("article"), {id: "two", innerHTML: "<p>The next one reads a policy.</p>"}))""")
    wait_ready(page, 2)
    page.evaluate("""document.querySelector("#two").insertAdjacentHTML("beforeend",
      "<p id='late'>Then a savings account.</p>")""")
    wait_ready(page, 3)

    assert highlights(page) == [("policy", "policy"), ("savings-account", "savings account")]


def test_roots_added_later_are_followed(page: Page, fixture_server: LiveServer) -> None:
    """With data-root, an element matching it that arrives later is scanned: a new comment, or
    the article a router mounts after showing a loading message (no root in between)."""
    body = (
        '<main><article class="story"><p>The story is about a premium.</p></article>'
        '<section id="comments"><p class="comment">A first comment on the tax.</p></section></main>'
    )
    tag = widget_tag(root=".story, .comment")
    url = serve_html(page, f"{fixture_server.url}/examples/late-roots.html", html_page(body + tag))
    open_ready(page, url)
    assert highlights(page) == [("premium", "premium"), ("tax", "tax")]

    page.evaluate("""document.querySelector("#comments").insertAdjacentHTML("beforeend",
      "<p class='comment' id='second'>A second one on the policy.</p>")""")
    wait_ready(page, 2)
    assert highlights(page, "#second") == [("policy", "policy")]

    # The next article comes a task later, as a router's next render: the widget has seen the
    # page with no root in between (its observer's records are handled before that task).
    page.evaluate("""async () => {
      for (const element of document.querySelectorAll(".story, .comment")) element.remove();
      document.querySelector("main").append("Loading...");
      await new Promise((resolve) => setTimeout(resolve));
    }""")
    page.evaluate("""document.querySelector("main").insertAdjacentHTML("beforeend",
      "<article class='story' id='next'>The next story reads a savings account.</article>")""")
    page.wait_for_function("document.querySelectorAll('#next glossary-term').length === 1")

    assert highlights(page) == [("savings-account", "savings account")]


def test_an_article_added_outside_the_story_does_not_take_its_place(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    """Without data-root, the story found at the start stays the one followed: a "more to read"
    box that arrives later as an <article> of its own is not highlighted, and what is added to
    the story afterwards still is."""
    body = '<main id="story"><p>The story is about a premium.</p></main><footer id="more"></footer>'
    url = serve_html(page, f"{fixture_server.url}/examples/late-article.html", html_page(body + widget_tag()))
    open_ready(page, url)

    page.evaluate("""() => {
      document.querySelector("#more").insertAdjacentHTML("beforeend", "<article>More on the tax.</article>");
      document.querySelector("#story").insertAdjacentHTML("beforeend", "<p>And on the policy.</p>");
    }""")
    wait_ready(page, 2)
    page.evaluate("""document.querySelector("#story").insertAdjacentHTML("beforeend",
      "<p>Then a savings account.</p>")""")
    wait_ready(page, 3)

    assert highlights(page) == [("premium", "premium"), ("policy", "policy"), ("savings-account", "savings account")]


def test_the_story_mounted_after_a_teaser_article_is_followed(page: Page, fixture_server: LiveServer) -> None:
    """Without data-root, a root that is preferred to the one followed (here the <article> in
    <main>, mounted by a router after the widget took the teaser <article> in the header) takes
    its place; the teaser is no longer followed."""
    body = '<header><article id="teaser"><p>A teaser on a premium.</p></article></header>'
    url = serve_html(page, f"{fixture_server.url}/examples/late-story.html", html_page(body + widget_tag()))
    open_ready(page, url)
    assert highlights(page) == [("premium", "premium")]

    page.evaluate("""document.body.insertAdjacentHTML("beforeend",
      "<main><article id='story'><p>The story is about a policy.</p></article></main>")""")
    wait_ready(page, 2)
    page.evaluate("""() => {
      document.querySelector("#teaser").insertAdjacentHTML("beforeend", "<p>And a tax.</p>");
      document.querySelector("#story").insertAdjacentHTML("beforeend", "<p>Then a savings account.</p>");
    }""")
    wait_ready(page, 3)

    assert highlights(page, "#story") == [("policy", "policy"), ("savings-account", "savings account")]
    assert highlights(page, "#teaser") == [("premium", "premium")]


@pytest.mark.parametrize(
    ("body", "rendered", "text", "expected"),
    [
        # The same words as before the highlight: only the space after them went.
        ("<p id='price'>Pay the premium</p>", "#price", "Pay the", "Pay the"),
        # The highlight was all the node's text: the node the framework keeps is the empty one.
        ("<p id='price'>The <span>premium</span> is due.</p>", "#price span", "\u2014", "The \u2014 is due."),
    ],
    ids=["the-text-before-a-highlight", "a-highlight-that-was-all-of-it"],
)
def test_a_framework_rewriting_a_split_text_node_leaves_no_highlight_behind(
    page: Page,
    fixture_server: LiveServer,
    body: str,
    rendered: str,
    text: str,
    expected: str,
) -> None:
    url = serve_html(
        page,
        f"{fixture_server.url}/examples/rerender-short.html",
        html_page(f"<article>{body}</article>" + widget_tag()),
    )
    open_ready(page, url)
    page.evaluate(f"window.rendered = document.querySelector({rendered!r}).firstChild")
    assert highlights(page) == [("premium", "premium")]

    page.evaluate(f"rendered.data = {text!r}")
    page.wait_for_function(f"document.querySelector('#price').textContent === {expected!r}")
    settle(page)  # the scan of the changed paragraph

    assert page.text_content("#price") == expected
    assert highlights(page) == []


@pytest.mark.parametrize("removed", ["the text node it is at", "the section it is in"])
def test_a_scan_goes_on_after_the_page_removes_the_place_it_reached(
    page: Page,
    fixture_server: LiveServer,
    removed: str,
) -> None:
    """Between two slices of a long scan, the page removes the node the scan had reached (here
    right after the first slice: every paragraph has a term, so that is the text before the last
    highlight): the rest of the page is still highlighted."""
    sections = "".join(f"<section>{'<p>Pay the premium now.</p>' * 100}</section>" for _ in range(20))
    url = serve_html(
        page,
        f"{fixture_server.url}/examples/long-scan.html",
        html_page(f"<article>{sections}</article>" + widget_tag(occurrences="all", max="100000")),
    )
    remove = "last.previousSibling.remove()" if removed.startswith("the text") else "last.closest('section').remove()"
    page.add_init_script(f"""new MutationObserver((records, observer) => {{
      const highlights = document.querySelectorAll("glossary-term");
      if (!highlights.length) return;
      observer.disconnect();
      const last = highlights[highlights.length - 1];
      window.removedAt = highlights.length;
      {remove};
    }}).observe(document, {{childList: true, subtree: true}})""")

    open_ready(page, url)

    assert page.evaluate("removedAt") < 1_900  # the scan had more slices to go
    assert page.evaluate("document.querySelectorAll('p:not(:has(glossary-term))').length") == 0


def test_a_long_scan_lets_the_browser_paint_after_each_slice(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    """Between two frames the scan changes at most one slice's text nodes (it ends with the batch
    of 64 in which it reached SLICE_NODES, 32: at most 95), so a long page never holds a frame
    back while the browser lays out its new highlights; it used to resume ahead of rendering,
    and Chrome then laid out about a thousand of them in one frame."""
    paragraphs = "<p>Pay the premium now.</p>" * 2000
    url = serve_html(
        page,
        f"{fixture_server.url}/examples/frames.html",
        html_page(f"<article>{paragraphs}</article>" + widget_tag(occurrences="all", max="100000")),
    )
    page.add_init_script("""window.perFrame = [];
      const highlights = document.getElementsByTagName("glossary-term");
      let seen = 0;
      const frame = () => {
        perFrame.push(highlights.length - seen);
        seen = highlights.length;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);""")

    open_ready(page, url)
    page.evaluate("new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))")

    new_per_frame = [count for count in page.evaluate("perFrame") if count]
    assert sum(new_per_frame) == 2000
    assert max(new_per_frame) <= 95
    assert len(new_per_frame) >= 2000 // 95


def test_without_frames_a_long_scan_goes_on_with_a_timer(page: Page, fixture_server: LiveServer) -> None:
    """A hidden tab renders no frames, so no requestAnimationFrame callback runs there: the scan
    goes on between slices with its timer, and the whole page is highlighted."""
    paragraphs = "<p>Pay the premium now.</p>" * 400
    url = serve_html(
        page,
        f"{fixture_server.url}/examples/no-frames.html",
        html_page(f"<article>{paragraphs}</article>" + widget_tag(occurrences="all", max="100000")),
    )
    page.add_init_script("window.requestAnimationFrame = () => 0;")
    page.add_init_script(RECORD_PAGE)

    page.goto(url)
    # Polled by a timer: Playwright polls on animation frames by default.
    page.wait_for_function("window.__readyEvents.length === 1", polling=100)

    assert page.evaluate("document.querySelectorAll('p:not(:has(glossary-term))').length") == 0


def test_occurrences_first_holds_for_late_content(page: Page, fixture_server: LiveServer) -> None:
    url = serve_html(page, dom_url(fixture_server), fixture_html("dom.html", widget_tag(root="#root")))
    open_ready(page, url)
    assert [slug for slug, _ in highlights(page)].count("premium") == 1

    page.evaluate("""document.querySelector("#root").insertAdjacentHTML("beforeend",
      "<p id='late'>Another premium and a savings account.</p>")""")
    wait_ready(page, 2)

    assert highlights(page, "#late") == [("savings-account", "savings account")]


def test_opening_a_card_is_not_taken_for_new_content(page: Page, fixture_server: LiveServer) -> None:
    """Without an article, the widget scans <body>, and follows the whole document, which the
    card's container joins (after <body>) when a card is first shown: that must not start
    another scan."""
    url = serve_html(page, dom_url(fixture_server) + "?body", html_page("<p>The premium is due.</p>" + widget_tag()))
    open_ready(page, url)

    page.locator("glossary-term").first.focus()
    page.locator('[data-glossary-card="premium"]').wait_for(state="visible")
    settle(page)

    assert page.evaluate("document.documentElement.lastElementChild.localName") == "glossary-card"
    assert ready_count(page) == 1


# ---- no traces -----------------------------------------------------------------------------

# Own property names of the global object and of built-in prototypes, and which of their
# functions are still native: a widget that adds a global or patches a prototype changes this.
FINGERPRINT_JS = """() => {
  const describe = (object) => Object.getOwnPropertyNames(object).sort().map((name) => {
    const d = Object.getOwnPropertyDescriptor(object, name);
    const fn = d.value || d.get;
    return typeof fn === "function" && !/\\[native code\\]/.test(Function.prototype.toString.call(fn))
      ? name + ":patched" : name;
  });
  const prototypes = [Object, Array, String, Function, Promise, Map, Set, RegExp, JSON, Math,
    EventTarget, Node, Element, HTMLElement, Text, CharacterData, Document, Window,
    MutationObserver, CustomEvent, NodeFilter, TreeWalker, Range, Selection, CSSStyleSheet,
    AbortController, AbortSignal, Response, URL, MessageChannel, Scheduler, Storage];
  return {
    window: Object.getOwnPropertyNames(window).sort(),
    prototypes: prototypes.map((c) => describe(c.prototype || c)),
  };
}"""


def test_no_global_but_glossary_widget_and_no_patched_prototypes(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    serve_html(page, dom_url(fixture_server) + "?without", fixture_html("dom.html", ""))
    page.goto(dom_url(fixture_server) + "?without")
    without = page.evaluate(FINGERPRINT_JS)
    page.goto(dom_url(fixture_server))
    page.wait_for_selector("glossary-term")
    with_widget = page.evaluate(FINGERPRINT_JS)

    assert set(with_widget["window"]) - set(without["window"]) == {"GlossaryWidget"}
    assert set(without["window"]) - set(with_widget["window"]) == set()
    assert with_widget["prototypes"] == without["prototypes"]


def wait_for_card(page: Page) -> None:
    """Until the hovered term's card shows its data: the term has been loaded."""
    page.wait_for_function("document.querySelector('glossary-card')?.shadowRoot.querySelector('.definition')")


def test_no_cookies_and_no_storage(page: Page, fixture_server: LiveServer) -> None:
    open_ready(page, dom_url(fixture_server))
    page.hover("#intro glossary-term")  # a hover card loads a term too
    wait_for_card(page)

    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("[localStorage.length, sessionStorage.length]") == [0, 0]
    assert page.context.cookies() == []


def test_requests_carry_no_cookies(page: Page, fixture_server: LiveServer) -> None:
    page.context.add_cookies([{"name": "reader", "value": "someone", "url": fixture_server.url}])
    api_headers: list[dict[str, str]] = []

    def record(request: Request) -> None:
        if "/api/" in request.url:
            api_headers.append(request.all_headers())

    page.on("request", record)
    open_ready(page, dom_url(fixture_server))
    page.hover("#intro glossary-term")
    wait_for_card(page)

    assert len(api_headers) >= 2
    assert all("cookie" not in headers for headers in api_headers)
    assert [c["name"] for c in page.context.cookies()] == ["reader"]


def test_small_page_without_a_root_element(page: Page, fixture_server: LiveServer) -> None:
    """A page whose body is the root: the card's container added at the end of the body is the
    widget's own, and the body's text is unchanged."""
    url = serve_html(page, f"{fixture_server.url}/examples/bare.html", html_page("<p>A premium.</p>" + widget_tag()))
    open_ready(page, url)

    assert highlights(page) == [("premium", "premium")]
    assert page.evaluate("document.body.textContent") == page.evaluate("window.__before.bodyText")


def test_scan_called_before_the_index_arrives_is_not_lost(
    page: Page,
    fixture_server: LiveServer,
) -> None:
    """A single-page app may render and call scan() at once, before the index has loaded."""
    held = hold(page, "**/api/v1/categories.json")
    page.add_init_script(RECORD_PAGE)
    page.goto(dom_url(fixture_server))
    page.evaluate("""() => {
      document.querySelector("#outside").insertAdjacentHTML("beforeend", "<p id='early'>A tax.</p>");
      window.__early = GlossaryWidget.scan(document.querySelector("#early"));
    }""")
    release(page, held)
    detail = page.evaluate("window.__early")

    page.wait_for_function("() => window.__readyEvents.length >= 2")
    assert highlights(page, "#early") == [("tax", "tax")]
    assert highlights(page, "#root") == DOM_HIGHLIGHTS
    assert detail is not None and detail["highlights"] >= 1
