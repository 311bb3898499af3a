"""content.markdown: one pipeline, sanitised HTML everywhere, plain-text blocks in reading order."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from channels.diff.render import Diff
from channels.email.render import Email
from channels.email.settings import EmailSettings
from channels.medium.render import Medium
from channels.registry import load_update
from content.markdown import Block, bare_link, blocks, render_html, sanitize_html
from herald.core.draft import RenderContext

FIXTURES = Path(__file__).parent.parent / "fixtures"
UPDATES = FIXTURES / "updates"
CONTEXT = RenderContext(diff_url="https://diff.example.org/2026/05/01/unsafe/")
EMAIL = EmailSettings(message_id_domain="example.org")

_EVENT_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.I)
_UNSAFE_URL = re.compile(
    r"""(?:href|src|action|data|formaction|xlink:href)\s*=\s*["']?\s*(?:javascript|data|vbscript):""", re.I
)


def keep(text: str, href: str) -> str:
    """A link style that shows both parts."""
    return f"{text}<{href}>"


def assert_safe(html: str) -> None:
    """No script, no handler, no unsafe URL, no embedding element."""
    lowered = html.lower()
    assert "<script" not in lowered
    assert not _EVENT_HANDLER.search(html), _EVENT_HANDLER.search(html)
    assert not _UNSAFE_URL.search(html), _UNSAFE_URL.search(html)
    assert "javascript:" not in lowered.replace("[markdown javascript link](javascript:", "")
    for tag in ("<iframe", "<style", "<object", "<embed", "<form", "<svg", "<input"):
        assert tag not in lowered, tag


def html_outputs(name: str) -> dict[str, str]:
    """Every HTML output of the fixture: diff.html, medium.html and the email's HTML part."""
    update = load_update(UPDATES / name, FIXTURES)
    outputs = {
        "diff.html": Diff().render(update, CONTEXT).files()["diff.html"].decode(),
        "medium.html": Medium().render(update, CONTEXT).files()["medium.html"].decode(),
    }
    data = Email(EMAIL).render(update, CONTEXT).files()["email.eml"]
    message = email.message_from_bytes(data, policy=email.policy.default)
    outputs["email.html"] = message.get_body(("html",)).get_content()
    outputs["email.txt"] = message.get_body(("plain",)).get_content()
    return outputs


# Markdown features


def test_tables() -> None:
    html = render_html("| Country | Status |\n|---|---|\n| Chile | Passed |\n")
    assert "<table>" in html and "<th>Country</th>" in html and "<td>Passed</td>" in html


def test_footnotes() -> None:
    html = render_html("The Commission agreed.[^dsa]\n\n[^dsa]: See the announcement.\n")
    assert 'class="footnote-ref"' in html and 'href="#fn1"' in html
    assert '<section class="footnotes">' in html and "See the announcement." in html


def test_strikethrough() -> None:
    assert "<s>narrows</s>" in render_html("a reform that ~~narrows~~ widens exceptions")


def test_linkify_turns_bare_urls_into_links() -> None:
    html = render_html("Read https://diff.wikimedia.org/2026/09/12/dsa/ today.")
    assert '<a href="https://diff.wikimedia.org/2026/09/12/dsa/" rel="noopener noreferrer">' in html


def test_code_is_escaped_not_interpreted() -> None:
    html = render_html("```html\n<script>alert(1)</script>\n```\n\nand `<b onclick=x>`\n")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<code>&lt;b onclick=x&gt;</code>" in html
    assert_safe(html)


def test_code_block_language_class_survives() -> None:
    assert '<code class="language-python">' in render_html("```python\nx = 1\n```\n")


def test_links_get_noopener() -> None:
    assert 'rel="noopener noreferrer"' in render_html("[Diff](https://diff.wikimedia.org/)")


def test_fixture_features_render() -> None:
    html = render_html(load_update(UPDATES / "full.md", FIXTURES).body)
    for piece in ("<table>", "<s>narrows</s>", 'class="footnotes"', "<blockquote>", "<ol>", "<ul>", "<h2>"):
        assert piece in html, piece


def test_rendering_is_deterministic() -> None:
    body = (UPDATES / "emoji_urls.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert render_html(body) == render_html(body)
    assert blocks(body, bare_link) == blocks(body, bare_link)


# Sanitising


@pytest.mark.parametrize(
    "dirty",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        '<img src="x.png" onerror="alert(1)">',
        '<p onclick="alert(1)">hi</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
        '<iframe src="https://evil.example/"></iframe>',
        "<style>body{display:none}</style>",
        '<svg onload="alert(1)"></svg>',
        '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">go</button></form>',
        "[x](javascript:alert(1))",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        "<javascript:alert(1)>",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_unsafe_html_is_removed(dirty: str) -> None:
    html = render_html(f"Before.\n\n{dirty}\n\nAfter.\n")
    assert "Before." in html and "After." in html
    assert "<script" not in html.lower()
    assert not _EVENT_HANDLER.search(html)
    assert not _UNSAFE_URL.search(html)
    assert "<iframe" not in html and "<style" not in html and "<svg" not in html
    assert 'style="' not in html.split("<td")[0]


def test_sanitize_keeps_safe_markup() -> None:
    clean = sanitize_html('<p lang="fr" dir="ltr">Été <a href="https://fr.wikipedia.org/">wiki</a></p>')
    assert '<p lang="fr" dir="ltr">' in clean
    assert 'href="https://fr.wikipedia.org/"' in clean
    assert sanitize_html('<a href="mailto:policy@example.org">mail</a>').count("mailto:policy@example.org") == 1


@pytest.mark.parametrize("output", ["diff.html", "medium.html", "email.html"])
def test_unsafe_fixture_never_reaches_an_html_output(output: str) -> None:
    html = html_outputs("unsafe.md")[output]
    assert_safe(html)
    assert "Click me" in html
    assert 'href="https://diff.wikimedia.org/"' in html
    assert "document.cookie" not in html and "display: none" not in html


def test_unsafe_fixture_plain_text_carries_no_markup() -> None:
    text = html_outputs("unsafe.md")["email.txt"]
    assert "<script" not in text.lower() and "onerror" not in text and "<iframe" not in text
    assert "document.cookie" not in text and "alert('inline')" not in text
    assert "Intro paragraph with" in text and "a script." in text
    assert "A safe Diff link [1] survives." in text


def test_inline_script_and_style_content_is_not_text() -> None:
    found = blocks("Before <script>alert(1)</script>middle <STYLE>p{}</STYLE>after.", keep)
    assert found == [Block("paragraph", "Before middle after.")]


@pytest.mark.parametrize(
    "dirty",
    ["<script>x</script>", '<img onerror="x">', '<a href="javascript:x">', "<a href='data:text/html,x'>", "<iframe>"],
)
def test_the_safety_check_itself_catches_unsafe_html(dirty: str) -> None:
    with pytest.raises(AssertionError):
        assert_safe(f"<p>ok</p>{dirty}")


@pytest.mark.parametrize("name", ["full.md", "cyrillic.md", "cjk.md", "arabic.md", "emoji_urls.md"])
def test_every_fixture_renders_safe_html(name: str) -> None:
    for output, html in html_outputs(name).items():
        if output.endswith(".html"):
            assert_safe(html)


# Plain-text blocks


def test_blocks_structure() -> None:
    body = (
        "# Title\n\nFirst *para*\nwraps.\n\n## Section\n\n- one\n- [two](https://x.example/)\n\n"
        "3. three\n4. four\n\n> quoted\n\n```\ncode line\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n"
        "Note.[^n]\n\n[^n]: The note.\n"
    )
    assert blocks(body, keep) == [
        Block("heading", "Title", level=1),
        Block("paragraph", "First para wraps."),
        Block("heading", "Section", level=2),
        Block("item", "one", level=1, marker="•"),
        Block("item", "two<https://x.example/>", level=1, marker="•"),
        Block("item", "three", level=1, marker="3."),
        Block("item", "four", level=1, marker="4."),
        Block("quote", "quoted", level=1),
        Block("code", "code line"),
        Block("table", "a | b\n1 | 2"),
        Block("rule", ""),
        Block("paragraph", "Note.[1]"),
        Block("footnote", "[1] The note."),
    ]


def test_nested_lists_keep_their_level() -> None:
    found = blocks("1. We filed.\n2. We met.\n   - Age assurance.\n", keep)
    assert [(b.kind, b.level, b.marker) for b in found] == [("item", 1, "1."), ("item", 1, "2."), ("item", 2, "•")]


def test_html_blocks_become_text_without_markup() -> None:
    found = blocks("<p onclick='x()'>Click <b>me</b></p>\n\n<script>alert(1)</script>\n", keep)
    assert found == [Block("paragraph", "Click me")]


def test_blocks_route_every_link_through_the_style() -> None:
    seen: list[tuple[str, str]] = []

    def record(text: str, href: str) -> str:
        seen.append((text, href))
        return text

    blocks("See [Diff](https://diff.wikimedia.org/) and https://lists.wikimedia.org/.", record)
    assert seen == [("Diff", "https://diff.wikimedia.org/"), ("https://lists.wikimedia.org/", "https://lists.wikimedia.org/")]


def test_blocks_keep_non_latin_text_and_emoji() -> None:
    body = load_update(UPDATES / "emoji_urls.md", FIXTURES).body
    text = "\n".join(block.text for block in blocks(body, bare_link))
    assert "👩🏽‍💻👨🏿‍💻" in text and "🧑‍🤝‍🧑" in text and "👨‍👩‍👧‍👦 | family" in text
    arabic = blocks(load_update(UPDATES / "arabic.md", FIXTURES).body, bare_link)
    assert arabic[0].text.startswith("ناقش البرلمان")
    assert arabic[1] == Block("heading", "الخطوات التالية", level=2)


@pytest.mark.parametrize(
    ("text", "href", "shown"),
    [
        ("Diff", "https://diff.wikimedia.org/", "Diff https://diff.wikimedia.org/"),
        ("https://diff.wikimedia.org/", "https://diff.wikimedia.org/", "https://diff.wikimedia.org/"),
        ("diff.wikimedia.org", "https://diff.wikimedia.org", "https://diff.wikimedia.org"),
        ("policy@example.org", "mailto:policy@example.org", "policy@example.org"),
        ("", "https://x.example/", "https://x.example/"),
    ],
)
def test_bare_link(text: str, href: str, shown: str) -> None:
    assert bare_link(text, href) == shown


# Nothing dropped or altered in plain text; no invisible marks inside a URL


def test_plain_text_keeps_every_inline_elements_words() -> None:
    [block] = blocks("Inline code, `x = 1`, ~~struck~~ words, and an image ![a *bold* chart](c.png).", bare_link)
    assert block.text == "Inline code, x = 1, ~struck~ words, and an image a bold chart."


def test_the_consultation_fixture_keeps_its_struck_and_code_words_on_every_text_channel() -> None:
    update = load_update(UPDATES / "consultation.md", FIXTURES)
    text = " ".join(block.text for block in blocks(update.body, bare_link))
    assert "We did ~not~ also ask for a new levy" in text
    assert "as a line such as User-agent: * in a site's robots.txt" in text
    email_text = Email(EMAIL).render(update, CONTEXT).message.get_body(("plain",)).get_content()
    assert "We did ~not~ also ask" in " ".join(email_text.split())
    assert "User-agent: * in a site's robots.txt" in " ".join(email_text.split())


MARKS = ["\u200e", "\u200f", "\u200b", "\u200c", "\u200d", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c"]


@pytest.mark.parametrize("mark", MARKS, ids=[f"U+{ord(mark):04X}" for mark in MARKS])
def test_a_mark_after_a_url_never_enters_it(mark: str) -> None:
    body = (f"Read https://meta.wikimedia.org/wiki/Advocacy-ar{mark} now, "
            f"[the notes](https://eg.wikimedia.org/notes{mark}) and <https://w.example/x{mark}>.")
    html = render_html(body)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs == ["https://meta.wikimedia.org/wiki/Advocacy-ar", "https://eg.wikimedia.org/notes",
                     "https://w.example/x"]
    assert f">https://meta.wikimedia.org/wiki/Advocacy-ar</a>{mark} now" in html  # the mark stays in the text
    [block] = blocks(body, bare_link)
    assert "https://meta.wikimedia.org/wiki/Advocacy-ar https://" not in block.text  # the URL is not said twice


def test_joiners_inside_a_persian_url_are_kept() -> None:
    url = "https://fa.wikipedia.org/wiki/\u0646\u06cc\u0645\u200c\u0641\u0627\u0635\u0644\u0647"
    [href] = re.findall(r'href="([^"]*)"', render_html(f"See {url} now."))
    assert "%E2%80%8C" in href
    [block] = blocks(f"See {url} now.", bare_link)
    assert block.text == f"See {href} now."  # said once, not as text then again encoded


def test_the_arabic_update_links_without_its_right_to_left_marks_on_every_channel() -> None:
    from twitter_text import extract_urls_with_indices

    from channels.twitter.render import Twitter

    update = load_update(UPDATES / "arabic_update.md", FIXTURES)
    outputs = [Diff().render(update, CONTEXT), Medium().render(update, CONTEXT), Email(EMAIL).render(update, CONTEXT),
               Twitter().render(update, CONTEXT)]
    for draft in outputs:
        for name, data in draft.files().items():
            text = data.decode()
            assert "%E2%80%8F" not in text.upper(), name
            assert not re.search('href="[^"]*\u200f', text), name
    tweets = " ".join(outputs[3].tweets)
    assert tweets.count("https://meta.wikimedia.org/wiki/Advocacy-ar") == 1
    urls = [found["url"] for tweet in outputs[3].tweets for found in extract_urls_with_indices(tweet)]
    assert "https://meta.wikimedia.org/wiki/Advocacy-ar" in urls  # as X links it: the mark stays outside


# Images and line breaks


def test_images_point_at_their_mapped_url_and_others_stay() -> None:
    html = render_html("![one](a.png) ![two](b.png)", {"a.png": "https://diff.example.org/wp-content/a.png"})
    assert '<img src="https://diff.example.org/wp-content/a.png" alt="one">' in html
    assert '<img src="b.png" alt="two">' in html
    assert '<img src="a.png"' in render_html("![one](a.png) ![two](b.png)")  # the shared tokens are untouched


def test_one_line_paragraphs_keep_no_source_line_break() -> None:
    update = load_update(UPDATES / "consultation.md", FIXTURES)
    html = render_html(update.body, one_line=True)
    assert not re.search(r"[^>\s]\n[^<\s]", html)  # a line break between words: wpautop would make it a <br />
    assert re.search(r"[^>\s]\n[^<\s]", render_html(update.body))  # which the source has
    assert "public consultation on how the rules for text and data mining (TDM) apply to the training" in html
    assert render_html("日本語の\n文章です。\nNext line", one_line=True) == "<p>日本語の文章です。 Next line</p>\n"


def test_escape_markdown_shows_text_exactly() -> None:
    from content.markdown import escape_markdown

    for text in ['Unsafe <script>x</script> & "quotes" *a* _b_ [c](d) `e` ~f~ #1 |g| !h', "1. Not a list",
                 "- not an item", "+ nor this", "> nor a quote", "2026) a year", "a\\b"]:
        [block] = blocks(escape_markdown(text), bare_link)
        assert block.text == text and block.kind == "paragraph"
        [heading] = blocks("## " + escape_markdown(text), bare_link)
        assert heading.text == text and heading.kind == "heading"
