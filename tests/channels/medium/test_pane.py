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
def test_the_planned_article_has_the_featured_image_as_its_first_figure(name: str) -> None:
    update = load(name)
    draft = Medium().render(update, PLANNED)
    sent = json.loads(draft.files()["medium.json"])["content"]
    figure = f'<img src="{update.image.as_posix()}" alt="{update.image_alt}">'
    assert figure in sent and sent.index(figure) < sent.index("<p", sent.index("<figure"))  # before the body
    assert sent.count("<img") >= 1 and sent.index("<img") == sent.index(figure)


@pytest.mark.parametrize("name", ["full.md", "amicus.md"])
def test_once_uploaded_only_the_featured_image_url_changes(name: str) -> None:
    update = load(name)
    planned, published = Medium().render(update, PLANNED), Medium().render(update, uploaded(update))
    assert published.content.replace(UPLOADED, update.image.as_posix()) == planned.content
    assert published.image_src == UPLOADED


@pytest.mark.parametrize("known", [False, True])
def test_the_pane_shows_the_featured_image_first_from_its_file(known: bool) -> None:
    update = load("full.md")
    draft = Medium().render(update, uploaded(update) if known else PLANNED)
    shown = article(medium_pane(draft))
    first = shown.images[0]
    assert first["alt"] == update.image_alt
    assert first["src"] == "data:image/png;base64," + base64.b64encode(update.image_path.read_bytes()).decode()
    assert shown.order.index("figure") < shown.order.index("p", shown.order.index("figure"))  # the first figure
    assert shown.order[: shown.order.index("figure")] == ["h1", "h2", "p", "em"]  # title, subtitle, byline


def test_the_pane_names_where_the_featured_image_is_sent_from() -> None:
    update = load("full.md")
    assert "the first figure, at the URL of its Diff upload" in medium_pane(Medium().render(update, PLANNED))
    assert UPLOADED in medium_pane(Medium().render(update, uploaded(update)))
    left_out = Medium().render(update, RenderContext(diff_url=PLANNED.diff_url, diff_url_known=True))
    assert "<img" not in left_out.content and "left out" in medium_pane(left_out)


def test_the_pane_adds_no_language_around_the_article() -> None:
    draft = Medium().render(load("arabic_update.md"), PLANNED)
    shown = article(medium_pane(draft))
    assert shown.article == {"class": "post"}  # the blocks' own lang and dir are what shows
    assert '<h1 lang="ar" dir="rtl">' in draft.content
