"""channels.medium.render + channels.medium.html: every Medium draft stays inside the HTML subset Medium keeps."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from update_files import FIXTURES, load, write

from channels.medium.html import to_medium
from channels.medium.render import Medium
from content.loader import load_update
from herald.core.draft import RenderContext

DIFF_URL = "https://diff.example.org/2026/11/04/consultation/"
CONTEXT = RenderContext(diff_url=DIFF_URL)
# From ../shared/docs/channels.md, written out here so the test does not trust the module's own list.
SUBSET = {"h1", "h2", "h3", "h4", "p", "a", "strong", "b", "em", "i", "blockquote", "ul", "ol", "li", "pre", "code",
          "figure", "img", "figcaption", "hr", "br"}
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
GLOBAL = {"lang", "dir"}
EVERY_FIXTURE = sorted([*(FIXTURES / "updates").glob("*.md"), *(FIXTURES / "twitter").glob("*.md")])


class Elements(HTMLParser):
    """Every start tag with its attributes and the open tags around it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None], tuple[str, ...]]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs), tuple(self.open)))
        if tag not in {"img", "br", "hr"}:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]


def elements(html: str) -> list[tuple[str, dict[str, str | None], tuple[str, ...]]]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def tags(html: str) -> list[str]:
    return [tag for tag, _, _ in elements(html)]


def top_level(html: str) -> list[tuple[str, dict[str, str | None]]]:
    return [(tag, attrs) for tag, attrs, around in elements(html) if not around]


def test_the_checker_is_not_vacuous() -> None:
    found = elements('<table class="x"><tr><td><sup>1</sup></td></tr></table><ul><li><ul><li>a</li></ul></li></ul>')
    assert {tag for tag, _, _ in found} - SUBSET == {"table", "tr", "td", "sup"}
    assert ("li", {}, ("ul", "li", "ul")) in found


@pytest.mark.parametrize("path", EVERY_FIXTURE, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_medium_draft_uses_only_the_subset(path: Path) -> None:
    context = RenderContext(diff_url=DIFF_URL, image_urls=(("../images/courtroom.png", "https://up.example/c.png"),))
    content = Medium().render(load_update(path, FIXTURES), context).content
    for tag, attrs, around in elements(content):
        assert tag in SUBSET, (path.name, tag)
        assert set(attrs) <= ATTRIBUTES.get(tag, set()) | GLOBAL, (path.name, tag, attrs)
        assert "class" not in attrs and "style" not in attrs
        if tag == "img":
            assert (attrs["src"] or "").startswith(("https://", "http://")), attrs
        if tag in {"ul", "ol"}:
            assert not {"ul", "ol"} & set(around), (path.name, "nested list")
        if tag in {"p", "h1", "h2", "h3", "h4", "blockquote", "ul", "ol", "figure"}:
            assert not {"p", "li", "blockquote"} & set(around), (path.name, tag, around)


def test_a_table_becomes_a_list_with_header_labels_and_a_warning() -> None:
    draft = Medium().render(load("consultation.md"), CONTEXT)
    assert "<table" not in draft.content and "<td" not in draft.content
    assert ("<li><strong>Proposal:</strong> Training-data transparency; <strong>Our position:</strong> Support; "
            "<strong>Why:</strong> Readers and editors need to know where information comes from</li>") in draft.content
    assert draft.content.count("<strong>Proposal:</strong>") == 4  # one item per row, the header row is no item
    assert any("table converted to a list" in warning for warning in draft.warnings)


def test_footnotes_become_a_numbered_notes_section_with_plain_references() -> None:
    content = Medium().render(load("consultation.md"), CONTEXT).content
    assert "<sup" not in content and "footnote" not in content and "<section" not in content and "#fn" not in content
    assert "together with several national chapters.[1]</p>" in content
    assert "what happens next in the EU[2].</p>" in content
    notes = content[content.index('<h3 lang="en">Notes</h3>'):]
    assert notes.startswith('<h3 lang="en">Notes</h3>\n<ol lang="en"><li>Wikimedia Deutschland, Wikimedia France')
    assert notes.count("<li>") == 3 and "↩" not in notes
    assert '<a href="https://digital-strategy.ec.europa.eu/en/library/study-copyright-and-new-technologies">' in notes
    assert content.index("Notes</h3>") < content.index("Originally published on")


def test_the_summary_is_the_subtitle_right_after_the_title() -> None:
    update = load("consultation.md")
    content = Medium().render(update, CONTEXT).content
    first, second = top_level(content)[:2]
    assert first[0] == "h1" and second[0] == "h2"
    assert content.splitlines()[1] == f'<h2 lang="en">{update.summary}</h2>'


def test_the_featured_image_is_the_first_figure_with_its_caption() -> None:
    update = load("amicus.md")
    context = RenderContext(diff_url=DIFF_URL, diff_url_known=True, image_urls=(
        ("../images/supreme-court.png", "https://diff.example.org/wp-content/uploads/2026/11/supreme-court.png"),
        ("../images/courtroom.png", "https://diff.example.org/wp-content/uploads/2026/11/courtroom.png"),
    ))
    draft = Medium().render(update, context)
    figures = [attrs for tag, attrs, _ in elements(draft.content) if tag == "img"]
    assert figures[0] == {"src": "https://diff.example.org/wp-content/uploads/2026/11/supreme-court.png",
                          "alt": update.image_alt}
    assert f"<figcaption>{update.image_alt}</figcaption></figure>" in draft.content
    assert [tag for tag, _ in top_level(draft.content)][:4] == ["h1", "h2", "p", "figure"]  # title, subtitle, byline
    assert figures[1]["src"].endswith("/courtroom.png") and figures[1]["alt"].startswith("Volunteers at an edit-a-thon")
    assert not any("image" in warning for warning in draft.warnings)


def test_an_image_without_a_public_url_is_left_out_and_reported() -> None:
    draft = Medium().render(load("amicus.md"), RenderContext(diff_url=DIFF_URL, diff_url_known=True))
    assert "<img" not in draft.content and "../images" not in draft.content
    assert any("'../images/courtroom.png' left out" in warning for warning in draft.warnings)
    assert any("featured image is left out" in warning for warning in draft.warnings)


def test_unsupported_elements_are_converted_and_reported(tmp_path: Path) -> None:
    body = ("##### A small heading\n\n- one\n  - one point one\n- two\n\n<div class=box><span style='color:red'>"
            "Boxed</span> text</div>\n\n<dl><dt>TDM</dt><dd>Text and data mining</dd></dl>\n\nWe ~~never~~ agreed.\n")
    draft = Medium().render(write(tmp_path, "title: T\ndate: 2026-03-02", body), CONTEXT)
    assert "<h4 lang=\"en\">A small heading</h4>" in draft.content
    assert "<li>one</li><li>one point one</li><li>two</li>" in draft.content
    assert '<p lang="en">Boxed text</p>' in draft.content
    assert '<p lang="en"><strong>TDM</strong></p>\n<p lang="en">Text and data mining</p>' in draft.content
    assert "We ~never~ agreed." in draft.content  # struck-out words kept, marked
    notes = " | ".join(draft.warnings)
    for expected in ("<h5> heading shown as <h4>", "nested list flattened", "definition list", "between tildes"):
        assert expected in notes


def test_paragraphs_in_quotes_and_list_items_become_line_breaks() -> None:
    source = "<blockquote>\n<p>One.</p>\n<p>— Someone</p>\n</blockquote>\n<ul><li><p>A</p><p>B</p></li></ul>"
    html, notes = to_medium(source)
    assert html == "<blockquote>One.<br>— Someone</blockquote>\n<ul><li>A<br>B</li></ul>"
    assert notes == []


def test_arabic_blocks_carry_lang_and_rtl() -> None:
    content = Medium().render(load("arabic_update.md"), CONTEXT).content
    for tag, attrs in top_level(content):
        assert attrs.get("lang") == "ar" and attrs.get("dir") == "rtl", tag
    assert "نُشر في الأصل على" in content  # "Originally published on", from the Arabic catalog


def test_spanish_boilerplate(tmp_path: Path) -> None:
    update = load("spanish.md")
    content = Medium().render(update, CONTEXT).content
    assert f'<em>Publicado originalmente en <a href="{DIFF_URL}">Diff</a>.</em>' in content
    assert "Por Equipo de Incidencia Global y Wikimedia Chile" in content
    assert "Originally published" not in content and "By " not in content
    noted = write(tmp_path, "title: T\ndate: 2026-03-02\nlang: es", "Texto.[^1]\n\n[^1]: Una nota.\n")
    assert '<h3 lang="es">Notas</h3>' in Medium().render(noted, CONTEXT).content
