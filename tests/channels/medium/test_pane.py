"""channels.medium.pane: the article as approval sees it, its featured image the first figure as Medium gets it."""

from __future__ import annotations

import base64
import json
from html.parser import HTMLParser

import pytest
from update_files import load

from channels.medium.pane import medium_pane
from channels.medium.render import Medium
from herald.core.draft import RenderContext

PLANNED = RenderContext(diff_url="https://diff.example.org/2026/10/08/dont-blink/")
UPLOADED = "https://diff.example.org/wp-content/uploads/2026/10/herald-0123456789abcdef.png"


class Article(HTMLParser):
    """The images of the pane's article, in order, and the attributes of the article element."""

    def __init__(self) -> None:
        super().__init__()
        self.article: dict[str, str | None] | None = None
        self.inside = False
        self.order: list[str] = []
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.article, self.inside = dict(attrs), True
        elif self.inside:
            self.order.append(tag)
            if tag == "img":
                self.images.append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.inside = False


def article(html: str) -> Article:
    parser = Article()
    parser.feed(html)
    return parser


def uploaded(update) -> RenderContext:  # noqa: ANN001
    return RenderContext(diff_url=PLANNED.diff_url, diff_url_known=True,
                         image_urls=((update.image.as_posix(), UPLOADED),))


@pytest.mark.parametrize("name", ["full.md", "amicus.md", "consultation.md"])
def test_the_pane_shows_the_first_figure_that_medium_gets_once_the_image_is_uploaded(name: str) -> None:
    update = load(name)
    planned, published = Medium().render(update, PLANNED), Medium().render(update, uploaded(update))
    assert "<img" not in json.loads(planned.files()["medium.json"])["content"].split("</h1>")[0]
    sent = published.content.split("\n")
    assert sent[planned.figure_at] == planned.pending_figure.replace(update.image.as_posix(), UPLOADED)
    assert sent[: planned.figure_at] == planned.content.split("\n")[: planned.figure_at]  # title, subtitle, byline
    assert sent[planned.figure_at].startswith("<figure") and published.image_src == UPLOADED
    assert not any("<img" in line for line in sent[: planned.figure_at])  # the first figure of the article


@pytest.mark.parametrize("known", [False, True])
def test_the_pane_shows_the_featured_image_first_from_its_file(known: bool) -> None:
    update = load("full.md")
    draft = Medium().render(update, uploaded(update) if known else PLANNED)
    assert (draft.image_src is None) is (not known) and bool(draft.pending_figure) is (not known)
    shown = article(medium_pane(draft))
    first = shown.images[0]
    assert first["alt"] == update.image_alt
    assert first["src"] == "data:image/png;base64," + base64.b64encode(update.image_path.read_bytes()).decode()
    assert shown.order.index("figure") < shown.order.index("p", shown.order.index("figure"))  # the first figure
    assert shown.order[: shown.order.index("figure")] == ["h1", "h2", "p", "em"]  # title, subtitle, byline


def test_the_pane_names_where_the_featured_image_is_sent_from() -> None:
    update = load("full.md")
    assert "the first figure, sent at the URL of its Diff upload" in medium_pane(Medium().render(update, PLANNED))
    assert UPLOADED in medium_pane(Medium().render(update, uploaded(update)))
    left_out = Medium().render(update, RenderContext(diff_url=PLANNED.diff_url, diff_url_known=True))
    assert "<img" not in left_out.content and "left out" in medium_pane(left_out)


def test_the_pane_adds_no_language_around_the_article() -> None:
    draft = Medium().render(load("arabic_update.md"), PLANNED)
    shown = article(medium_pane(draft))
    assert shown.article == {"class": "post"}  # the blocks' own lang and dir are what shows
    assert '<h1 lang="ar" dir="rtl">' in draft.content
