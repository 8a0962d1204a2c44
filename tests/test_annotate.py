"""`glossary-widget annotate`: only the annotations are added, the rest stays byte-for-byte; the
footnotes are plain, well-formed markup; bad input gets a clear error or is annotated as far as
it parses. (The same terms in the same places as the widget: test_annotate_browser.py.)"""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, FIXTURES
from markdown_it import MarkdownIt

from widget_server.annotate import Options, annotate_html, annotate_markdown
from widget_server.cli import main
from widget_server.content import load_glossary
from widget_server.highlights import Settings, parse
from widget_server.model import Glossary

BASE = "https://glossary.example.org/"
GLOSSARY_DATA = Path(__file__).resolve().parent.parent / "glossary_data"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
REFERENCE_RE = re.compile(r'<sup><a href="#gw-fn-\d+"(?: id="gw-ref-\d+")?>\d+</a></sup>')
NOTES_RE = re.compile(r"\n<hr>\n<div>\n<h2>Glossary</h2>\n<ol>\n.*?</ol>\n</div>\n", re.DOTALL)
LINK_RE = re.compile(
    r'<a href="https://glossary\.example\.org/glossary/[a-z0-9-]+/" '
    r'title="[^"<>]*">([^<]*)</a>'
)


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary(FIXTURES / "glossary")


@pytest.fixture(scope="module")
def real_glossary() -> Glossary:
    return load_glossary(GLOSSARY_DATA)


def annotated(source: str, glossary: Glossary, style: str = "footnotes", **settings: object) -> str:
    options = Options(BASE, style, Settings(**settings))  # type: ignore[arg-type]
    return annotate_html(source, glossary, options).apply(source)


def without_annotations(text: str) -> str:
    """The output with the markup `annotate` adds taken out, by patterns written here."""
    return LINK_RE.sub(r"\1", NOTES_RE.sub("", REFERENCE_RE.sub("", text)))


class Elements(HTMLParser):
    """An HTML validator's basic checks: every element closed in order, ids unique; and the
    attributes of every element, to look for anything executable."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            return
        self.open.pop()


def check(text: str) -> Elements:
    elements = Elements()
    elements.feed(text)
    elements.close()
    return elements


def test_the_example_article_round_trips_in_both_styles(real_glossary: Glossary) -> None:
    source = (EXAMPLES / "blog-post.html").read_text(encoding="utf-8")
    for style in ("links", "footnotes"):
        for occurrences in ("first", "all"):
            output = annotated(source, real_glossary, style, occurrences=occurrences)
            assert output != source
            assert without_annotations(output) == source, (style, occurrences)


def test_footnotes_of_the_example_article_are_plain_well_formed_markup(
    real_glossary: Glossary,
) -> None:
    source = (EXAMPLES / "blog-post.html").read_text(encoding="utf-8")
    output = annotated(source, real_glossary, occurrences="all")
    elements = check(output)
    assert elements.problems == [] and elements.open == []
    assert len(elements.ids) == len(set(elements.ids))
    # Numbered in order of first appearance, a number per term, repeats pointing back to it.
    numbers = [int(n) for n in re.findall(r'<sup><a href="#gw-fn-(\d+)"', output)]
    firsts = list(dict.fromkeys(numbers))
    assert firsts == list(range(1, len(firsts) + 1)) and len(numbers) > len(firsts)
    # One Glossary section, at the end of the article (not after the page's related links,
    # footer and scripts), one item per term with absolute links.
    assert output.count("<h2>Glossary</h2>") == 1
    notes = NOTES_RE.search(output)
    assert notes is not None and output[notes.end() :].lstrip().startswith("</article>")
    assert output.index("</article>") == notes.end()
    items = re.findall(r'<li id="gw-fn-(\d+)"><p><a href="([^"]+)">', notes.group())
    assert [int(n) for n, _ in items] == firsts
    assert all(url.startswith(f"{BASE}glossary/") for _, url in items)
    assert output.count("How it is misused:") == len(firsts)
    for number in firsts:  # each note links back to its first reference, and it exists
        assert f'href="#gw-ref-{number}"' in notes.group()
        assert f'id="gw-ref-{number}"' in output
    # No class or style needed: the added markup has neither.
    added = "".join(REFERENCE_RE.findall(output)) + notes.group()
    assert "class=" not in added and "style" not in added


def test_input_without_terms_comes_back_byte_identical(glossary: Glossary) -> None:
    source = (
        "<!DOCTYPE html>\r\n<html><head><title>Premium</title></head>\r\n<body>\r\n"
        "<p>Nothing&nbsp;to see &amp; no terms.</p>\r\n<p title=premium>Here either."
        "<!-- premium --></p>\r\n</body></html>\r\n"
    )
    for style in ("links", "footnotes"):
        assert annotated(source, glossary, style) == source


def test_terms_in_attributes_comments_scripts_styles_and_skipped_elements_are_untouched(
    glossary: Glossary,
) -> None:
    untouched = (
        '<p title="premium" data-x="premium">x</p><!-- premium --><script>var premium = 1;'
        '</script><style>.premium{}</style><h2>Premium</h2><a href="/">premium</a>'
        "<code>premium</code><div data-glossary-skip>premium</div><noscript>premium</noscript>"
    )
    source = f"<!doctype html><body>{untouched}<p>The premium is due.</p></body>"
    output = annotated(source, glossary, "links")
    assert output.startswith(f"<!doctype html><body>{untouched}<p>The <a href=")
    assert without_annotations(output) == source
    assert "<script>var premium = 1;</script>" in output  # kept, not sanitised


def test_a_match_with_a_character_reference_inside_is_annotated_around_it(glossary: Glossary) -> None:
    """WordPress writes every apostrophe as &#8217;: the link goes around the reference."""
    for written in ("pre&#109;ium", "Workers&#8217; Compensation", "workers&rsquo; compensation"):
        source = f"<p>The {written} is due.</p>"
        output = annotated(source, glossary, "links")
        assert re.fullmatch(rf'<p>The <a href="[^"]+" title="[^"]+">{re.escape(written)}</a> is due[.]</p>', output), (
            output
        )
    source = "<p>A health savings\r\naccount.</p>"
    assert annotated(source, glossary, "links").endswith(">health savings\r\naccount</a>.</p>")
    assert annotated(source, glossary).startswith("<p>A health savings\r\naccount<sup>")


def test_a_match_across_markup_is_skipped_and_the_next_one_taken(glossary: Glossary) -> None:
    assert annotated("<p>The prem<!---->ium is due.</p>", glossary, "links") == "<p>The prem<!---->ium is due.</p>"
    output = annotated("<p>A prem<!---->ium, then a premium.</p>", glossary, "links")
    assert output.startswith("<p>A prem<!---->ium, then a <a href=")


def test_ids_do_not_collide_with_the_documents(glossary: Glossary) -> None:
    source = '<body><p id="gw-fn-1">The premium and the policy.</p></body>'
    output = annotated(source, glossary)
    assert 'href="#gw2-fn-1"' in output and output.count('id="gw-fn-1"') == 1
    assert len(check(output).ids) == len(set(check(output).ids))


def test_a_fragment_gets_its_notes_at_its_end(glossary: Glossary) -> None:
    output = annotated("<p>The premium is due.</p>", glossary)
    assert output.startswith('<p>The premium<sup><a href="#gw-fn-1" id="gw-ref-1">1</a></sup>')
    assert output.endswith("</ol>\n</div>\n")


def test_nothing_executable_is_added_whatever_the_glossary_says(tmp_path: Path) -> None:
    data = tmp_path / "glossary"
    shutil.copytree(FIXTURES / "glossary", data)
    term = data / "terms" / "premium.md"
    hostile = 'A "premium" <img src=x onerror=alert(1)> & \'javascript:alert(1)\' " onmouseover="x'
    term.write_text(term.read_text().replace("Test definition of Premium.", hostile))
    glossary = load_glossary(data)
    source = "<body><p>The premium is due.</p></body>"
    for style in ("links", "footnotes"):
        output = annotated(source, glossary, style)
        elements = check(output)
        assert [tag for tag, _ in elements.elements] == (
            ["body", "p", "a"]
            if style == "links"
            else ["body", "p", "sup", "a", "hr", "div", "h2", "ol", "li", "p", "a", "strong", "p", "em", "a"]
        )
        for _tag, attributes in elements.elements:
            assert not any(name.startswith("on") for name in attributes)
            assert not any(v.lower().startswith("javascript:") for v in attributes.values())


# Tags whose attributes a browser reads otherwise than "a quote starts a value" or "a quote
# after `=` starts a value": after each, the browser's text and attribute values differ from
# what either rule would make of them.
ODD_TAGS = ['<p a"b=" x>', "<p a'b=' x>", '<p =" x>', '<p a==" x>', '<p a=b=" x>', '<p a="1"=" x>', '<p/=" x>']


@pytest.mark.parametrize("tag", ODD_TAGS)
def test_text_inside_a_tag_is_never_annotated_however_its_attributes_run(glossary: Glossary, tag: str) -> None:
    """The source is read as the browser's tokenizer reads a tag: a name may hold quotes and
    begin with `=`, an unquoted value may hold `=` and quotes. Text the browser takes for an
    attribute value is never annotated: a link spliced into it would end the value early and
    make what follows live markup (the browser's elements and attributes must stay as they
    were)."""
    quote = "'" if "'" in tag else '"'
    source = f"<body>{tag}premium<img alt={quote}>premium<img src=x onerror=alert(1) q={quote}z{quote}>"
    source += "<p>A premium.</p></body>"

    def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
        """The elements the browser makes, with their attributes, but the ones annotate adds."""
        added = {"a", "sup", "hr", "div", "h2", "ol", "li", "strong", "em"}
        return [(n.tag, n.attributes) for n in parse(html).body.traverse() if n.tag not in added]

    text = parse(source).body.text()
    for style in ("links", "footnotes"):
        output = annotated(source, glossary, style, occurrences="all")
        assert without_annotations(output) == source
        before = elements(source)
        assert elements(output)[: len(before)] == before
        # One annotation for each "premium" in the text the browser shows, none in attributes.
        assert len(parse(output).css("p a" if style == "links" else "p sup")) == text.count("premium")


def test_markdown_prose_is_annotated_and_code_headings_links_are_not(glossary: Glossary) -> None:
    source = (
        "# The premium\n\nYour *premium* and `premium` and [premium](https://x.example/) and "
        "<b>premium</b>.\nA policy\\* here, and a premium again.\n\n> A premium quote.\n\n"
        "```\npremium\n```\n\n    premium\n\n<div>premium</div>\n"
    )
    options = Options(BASE, "links", Settings(occurrences="all"))
    output = annotate_markdown(source, glossary, options).apply(source)
    link = re.compile(r'\[([^\]]+)\]\(<https://glossary\.example\.org/glossary/[a-z-]+/> "[^"]*"\)')
    assert link.sub(r"\1", output) == source
    # In emphasis and inline HTML too, as the widget in the rendered page.
    assert re.findall(r"\[(\w+)\]\(<", output) == ["premium", "premium", "policy", "premium", "premium"]
    footnotes = annotate_markdown(source, glossary, Options(BASE)).apply(source)
    assert "Your *premium[^1]*" in footnotes and "A policy[^2]" in footnotes
    assert footnotes.endswith(
        "\n\n## Glossary\n\n[^1]: **[Premium](<https://glossary.example.org/"
        "glossary/premium/>)**: Test definition of Premium. It exists so "
        "the widget tests have a small, stable glossary. *How it is "
        "misused:* Test misuse of Premium. Shown in the card as the "
        "warning.\n\n[^2]: " + footnotes.split("[^2]: ", 1)[1]
    )
    assert footnotes.count("[^1]") == 2


def test_markdown_line_breaks_of_any_kind_keep_their_places(glossary: Glossary) -> None:
    source = "# Policy\r\n\r\n- A premium\u2028here\r- and a policy.\r\n\r\nThe premium.\n"
    options = Options(BASE, "footnotes", Settings(occurrences="all"))
    output = annotate_markdown(source, glossary, options).apply(source)
    assert output.startswith(
        "# Policy\r\n\r\n- A premium[^1]\u2028here\r- and a policy[^2]."
        "\r\n\r\nThe premium[^1].\n\n## Glossary\n\n[^1]: "
    )


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["annotate", "--data", str(FIXTURES / "glossary"), *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_command_writes_the_annotated_file(tmp_path: Path) -> None:
    source = tmp_path / "in.html"
    source.write_bytes(b"<p>The premium is due.</p>\r\n")
    out = tmp_path / "out.html"
    code, stdout, stderr = run(str(source), "-o", str(out), "--base-url", BASE, "--style", "links")
    assert (code, stdout, stderr) == (0, "", "")
    assert out.read_bytes().startswith(
        b'<p>The <a href="https://glossary.example.org/glossary/premium/" title="Test definition'
    )
    assert out.read_bytes().endswith(b">premium</a> is due.</p>\r\n")


def test_the_command_needs_an_absolute_base_url(tmp_path: Path) -> None:
    source = tmp_path / "in.html"
    source.write_text("<p>premium</p>")
    code, _, stderr = run(str(source))
    assert code == 2 and "--base-url" in stderr
    code, _, stderr = run(str(source), "--base-url", "/glossary/")
    assert code == 2 and "not an absolute http(s) URL" in stderr


def test_binary_input_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    for name, data, message in (
        ("a.png", b"\x89PNG\r\n\x1a\n\xff\xd8", "not UTF-8 text"),
        ("b.html", b"<p>premium\x00</p>", "a NUL byte at 10"),
    ):
        source = tmp_path / name
        source.write_bytes(data)
        code, stdout, stderr = run(str(source), "--base-url", BASE)
        assert code == 1 and stdout == "" and message in stderr and name in stderr


def test_a_huge_file_is_annotated(tmp_path: Path) -> None:
    paragraph = "<p>The premium &amp; the policy, again and again.</p>\n"
    source = tmp_path / "big.html"
    source.write_text(f"<body>{paragraph * (2 * 1024 * 1024 // len(paragraph))}</body>")
    code, stdout, _ = run(str(source), "--base-url", BASE, "--occurrences", "all", "--max", "1000")
    assert code == 0 and stdout.count("<sup>") == 1000
    assert without_annotations(stdout) == source.read_text()


def test_malformed_html_is_annotated_as_far_as_it_parses(glossary: Glossary) -> None:
    for source in (
        "<p>A premium <b>and <i>a policy</p></b> < premium <div <p>premium",
        "<table><tr>premium<td>a premium</td></table><p>policy",
        "<p>premium</p><!-- never closed premium",
        "</body></html><p>premium</p><script>premium",
        "<p>x</p><plaintext><p>premium",
    ):
        for style in ("links", "footnotes"):
            output = annotated(source, glossary, style, occurrences="all")
            assert without_annotations(output) == source, source
    output = annotated("<p>A premium <b>and <i>a policy</p></b>", glossary, "links")
    assert output.count("<a href=") == 2


def test_markdown_files_are_annotated_as_markdown(tmp_path: Path) -> None:
    source = tmp_path / "post.md"
    source.write_text("# Premium\n\nThe premium is due.\n")
    code, stdout, _ = run(str(source), "--base-url", BASE)
    assert code == 0
    assert stdout.startswith("# Premium\n\nThe premium[^1] is due.\n\n## Glossary\n\n[^1]: ")


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>The premium</title><description>About the premium</description>
<item><title>Premium</title>
<description>&lt;p&gt;The premium &amp;amp; the policy.&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>A premium &amp; a policy.</p>]]></content:encoded>
</item>
<item><title>Broken</title><description><p>raw premium</p></description></item>
<item><title>Twice</title><description><![CDATA[<p>premium]]><![CDATA[</p>]]></description></item>
<item><title>Last</title><description>premium</description></item>
</channel></rss>
"""


def test_a_feed_is_annotated_item_by_item_and_broken_items_are_reported(tmp_path: Path) -> None:
    source = tmp_path / "feed.xml"
    source.write_text(FEED)
    code, stdout, stderr = run(str(source), "--feed", "--base-url", BASE, "--style", "links")
    assert code == 0
    assert stderr.splitlines() == [
        f"{source}: line 8: description: markup that is neither escaped nor in a CDATA section; left as it was",
        f"{source}: line 9: description: more than one CDATA section; left as it was",
    ]
    assert "<title>The premium</title><description>About the premium</description>" in stdout
    assert (
        '<description>&lt;p&gt;The &lt;a href="https://glossary.example.org/glossary/premium/" title="Test definition'
    ) in stdout
    assert "&gt;premium&lt;/a&gt; &amp;amp; the &lt;a href=" in stdout
    assert '<![CDATA[<p>A <a href="https://glossary.example.org/glossary/premium/"' in stdout
    assert '<description><a href="https://glossary.example.org/glossary/premium/"' not in stdout
    assert "<description>&lt;a href=" in stdout  # the last item, escaped
    unescaped = re.sub(r'&lt;a href="[^"]+" title="[^"]*"&gt;([^&]*)&lt;/a&gt;', r"\1", stdout)
    assert LINK_RE.sub(r"\1", unescaped) == FEED


def test_an_atom_feed_annotates_html_content_only(tmp_path: Path) -> None:
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>premium</title>'
        '<summary type="text">premium</summary>'
        '<content type="html">&lt;p&gt;premium&lt;/p&gt;</content></entry></feed>'
    )
    source = tmp_path / "atom.xml"
    source.write_text(feed)
    code, stdout, stderr = run(str(source), "--feed", "--base-url", BASE)
    assert (code, stderr) == (0, "")
    assert stdout.startswith(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>premium'
        '</title><summary type="text">premium</summary><content type="html">'
        '&lt;p&gt;premium&lt;sup&gt;&lt;a href="#gw-fn-1" id="gw-ref-1"&gt;1'
    )
    assert stdout.endswith("&lt;/ol&gt;\n&lt;/div&gt;\n</content></entry></feed>")


def test_a_feed_item_nested_too_deep_is_reported_and_the_others_annotated(tmp_path: Path) -> None:
    """Each item is a page of its own to the parser, whose time grows with the square of the
    depth: one is refused as the endpoint refuses a page, in either form of content."""
    deep = "<div>" * 1500 + "premium"
    feed = (
        "<rss><channel>\n"
        f"<item><description><![CDATA[{deep}]]></description></item>\n"
        f"<item><description>{html.escape(deep)}</description></item>\n"
        "<item><description>premium</description></item>\n"
        "</channel></rss>\n"
    )
    source = tmp_path / "feed.xml"
    source.write_text(feed)

    code, stdout, stderr = run(str(source), "--feed", "--base-url", BASE, "--style", "links")

    assert code == 0
    assert stderr.splitlines() == [
        f"{source}: line {line}: description: the HTML nests elements more than 1000 deep; left as it was"
        for line in (2, 3)
    ]
    assert stdout.startswith(feed.split("<item><description>premium")[0])
    assert "<item><description>&lt;a href=" in stdout


def test_an_unclosed_item_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "feed.xml"
    source.write_text("<rss><channel>\n<item><description>premium</description>\n")
    code, stdout, stderr = run(str(source), "--feed", "--base-url", BASE)
    assert code == 0 and stdout == source.read_text()
    assert stderr == f"{source}: line 2: <item> is not closed\n"


@pytest.mark.parametrize("style", ["footnotes", "links"])
@pytest.mark.parametrize("occurrences", ["first", "all"])
def test_annotating_an_annotated_document_changes_nothing(glossary: Glossary, style: str, occurrences: str) -> None:
    """Feed and newsletter pipelines run over content they have annotated before: its notes
    make it whole, and terms linked already count as highlighted (for `first` and `max`)."""
    html_source = "<body><article><p>The premium, the policy.</p><p>A premium again, a tax.</p></article></body>"
    markdown = "The premium, the policy.\n\nA premium again, a tax.\n"
    options = Options(BASE, style, Settings(occurrences=occurrences))
    for source, annotate in ((html_source, annotate_html), (markdown, annotate_markdown)):
        once = annotate(source, glossary, options).apply(source)
        assert once != source
        assert annotate(once, glossary, options).apply(once) == once


def test_terms_in_urls_and_addresses_written_out_are_left_alone(glossary: Glossary) -> None:
    """Mail programs link them: a link or footnote inside would split the address. The term's
    first occurrence is then the next one."""
    source = (
        "<p>See https://example.com/premium/faq, www.premium.example, premium@example.org, example.com/policy and "
        "ftp://files.example/policy.txt; then the premium and the policy.</p>"
    )
    output = annotated(source, glossary, "links")
    assert re.findall(LINK_RE, output) == ["premium", "policy"]
    assert output.startswith(source[: source.index("; then")])
    markdown = "Read https://example.com/premium/ first, then the premium.\n"
    footnotes = annotate_markdown(markdown, glossary, Options(BASE)).apply(markdown)
    assert footnotes.startswith("Read https://example.com/premium/ first, then the premium[^1].\n")


def test_text_a_browser_shows_as_written_is_not_annotated(glossary: Glossary) -> None:
    """A link inside xmp, noembed, noframes or a title in the body would show as markup."""
    for element in ("xmp", "noembed", "noframes", "title"):
        source = f"<body><{element}>The premium.</{element}><p>A policy.</p></body>"
        output = annotated(source, glossary, "links", occurrences="all")
        assert re.findall(LINK_RE, output) == ["policy"], element


def test_what_is_added_is_ascii_for_pages_of_any_declared_encoding(real_glossary: Glossary) -> None:
    """A windows-1252 page that is ASCII reads as UTF-8; what is added must read right in it."""
    source = '<meta charset="windows-1252"><p>The coinsurance and the balance billing.</p>'
    for style in ("links", "footnotes"):
        output = annotated(source, real_glossary, style)
        assert output != source and output.isascii(), style


def test_markdown_inline_html_and_images_are_left_alone(glossary: Glossary) -> None:
    source = (
        'A <a href="https://x.example/">premium</a> link, <code>policy</code> code, <kbd>tax</kbd>.\n'
        'An <img\nalt="premium chart" src="c.png"> image.\n'
        "Wow!premium, <!-- a premium --> and <https://x.example/premium> end.\n"
    )
    options = Options(BASE, "links", Settings(occurrences="all"))
    assert annotate_markdown(source, glossary, options).apply(source) == source


def test_the_command_reports_an_output_it_cannot_write_and_a_feed_without_items(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>The premium.</p>", encoding="utf-8")
    data = ["--data", str(FIXTURES / "glossary"), "--base-url", BASE]

    missing = CliRunner().invoke(main, ["annotate", str(page), *data, "-o", str(tmp_path / "no" / "out.html")])
    not_a_feed = CliRunner().invoke(main, ["annotate", str(page), *data, "--feed"])

    assert (missing.exit_code, missing.stderr) == (
        1,
        f"Error: cannot write {tmp_path / 'no' / 'out.html'}: No such file or directory\n",
    )
    assert not_a_feed.exit_code == 0 and not_a_feed.stdout == "<p>The premium.</p>"
    assert "no <item> or <entry>: not an RSS or Atom feed" in not_a_feed.stderr


@pytest.mark.parametrize(
    "page, before",
    [
        # The root holds another article (a quoted post): its own end tag, not the inner one.
        (
            "<body><main><article><p>The premium.</p><article><p>Quoted.</p></article><p>End.</p>"
            "</article><aside>More</aside></main><footer>Site</footer></body>",
            "</article><aside>",
        ),
        # A root the parser closes without an end tag in the source: the end of the body.
        ("<body><main><p>The premium.</p><footer>Site</footer></body>", "</body>"),
        # The root chosen by data-root, the second of its kind.
        ("<body><div class=x>x</div><div class=post><p>The premium.</p></div><p>Comments</p></body>", None),
    ],
)
def test_the_notes_go_at_the_end_of_the_article_the_widget_reads(
    glossary: Glossary, page: str, before: str | None
) -> None:
    if before is None:
        output = annotated(page, glossary, root="div.post")
        assert re.search(r"</ol>\n</div>\n</div><p>Comments</p>", output)
    else:
        output = annotated(page, glossary)
        assert output.count("<h2>Glossary</h2>") == 1
        assert output[NOTES_RE.search(output).end() :].startswith(before)  # type: ignore[union-attr]


@pytest.mark.parametrize("tag", ["x:y", "x.y", "my-main"])
def test_notes_go_into_a_root_whose_tag_name_is_no_selector(glossary: Glossary, tag: str) -> None:
    """`[role=main]` may be any element, whose name a CSS selector may not be able to say."""
    output = annotated(f"<{tag} role=main><p>The premium.</p></{tag}><footer>Site</footer>", glossary)

    assert re.search(rf"</div>\n</{re.escape(tag)}><footer>Site</footer>$", output)


@pytest.mark.parametrize("left_open", ["<textarea>Ask us", "<!-- cut off", "<script>var x = 1;", '<p title="cut'])
def test_notes_go_before_what_a_cut_off_document_leaves_open(glossary: Glossary, left_open: str) -> None:
    """A feed excerpt cut mid-element: notes after it would be inside it, text or hidden."""
    source = f"<p>The premium.</p>{left_open}"
    output = annotated(source, glossary)
    notes = NOTES_RE.search(output)
    assert notes is not None and output[notes.end() :] == left_open


def glossary_headings(markdown: str) -> list[str]:
    """The level-2 headings of the page the Markdown renders to, as a browser's DOM has them."""
    return [heading.text() for heading in parse(MarkdownIt("commonmark").render(markdown)).css("h2")]


@pytest.mark.parametrize(
    ("left_open", "closer"),
    [
        ("``` python\ncode never closed\n", "```"),
        ("~~~~\ncode never closed", "~~~~"),
        ("<!-- a draft\n\nnever closed\n", "-->"),
        ("<pre>\ncode never closed\n", "</pre>"),
        ("  <Script type=module>\nlet x;\n", "</Script>"),
        ("<?php echo 1;\n", "?>"),
        ("<!DOCTYPE\n", ">"),
        ("<![CDATA[ data\n", "]]>"),
        # Closed in the Markdown, but not in its HTML: a comment or a raw text element inside
        # a quote, a list item or another HTML block.
        ("> <!--\n> quoted\n", "<!-- -->"),
        ("<div>\n<!-- a draft\n", "<!-- -->"),
        ("- <textarea>\n  Ask us\n", "</textarea>"),
        ("> <style>\n", "</style>"),
    ],
)
def test_markdown_notes_close_what_is_left_open_first(glossary: Glossary, left_open: str, closer: str) -> None:
    """What runs to the end of the document (a code block, a comment, raw HTML) would swallow
    the notes: its end is written first, so that the page shows them."""
    source = f"The premium.\n\n{left_open}"
    output = annotate_markdown(source, glossary, Options(BASE)).apply(source)

    assert f"{left_open.rstrip()}\n{closer}\n\n## Glossary\n" in output
    assert glossary_headings(output) == ["Glossary"]
    assert glossary_headings(source) == []


@pytest.mark.parametrize(
    "closed",
    [
        "```\ncode\n```\n",
        "<!-- a draft\n\nclosed -->\n",
        "<pre>\ncode\n</textarea>\n",  # any of the four end tags ends it
        "<div>\nends at a blank line\n",
        # Inside a list item or a quote: the notes' first line, not indented, ends it.
        "- item\n\n  ```\n  code\n",
        "> <pre>\n> quoted\n",
    ],
)
def test_markdown_notes_leave_a_block_that_ends_before_them_alone(glossary: Glossary, closed: str) -> None:
    source = f"The premium.\n\n{closed}"
    output = annotate_markdown(source, glossary, Options(BASE)).apply(source)

    assert f"{closed}\n## Glossary\n" in output
    assert glossary_headings(output) == ["Glossary"]


def test_the_command_refuses_html_nested_deeper_than_the_endpoint_takes(tmp_path: Path) -> None:
    page = tmp_path / "deep.html"
    page.write_text("<div>" * 1500 + "The premium.", encoding="utf-8")

    result = CliRunner().invoke(main, ["annotate", str(page), "--data", str(FIXTURES / "glossary"), "--base-url", BASE])

    assert result.exit_code == 1
    assert result.stderr == f"Error: {page}: the HTML nests elements more than 1000 deep; no browser shows that\n"
