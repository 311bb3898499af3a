"""Medium: a long-form article whose canonical link is the Diff post, in the HTML subset Medium keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from channels.medium.html import to_medium
from channels.medium.options import MediumOptions
from content import i18n
from content.markdown import render_html
from content.model import Update
from herald.core.draft import RenderContext, html_text, json_bytes

MAX_TAGS = 3
MAX_TAG_LENGTH = 25
MAX_TITLE_LENGTH = 100


@dataclass(frozen=True)
class MediumDraft:
    """A Medium post as `POST /v1/users/{id}/posts` receives it."""

    title: str
    content: str
    canonical_url: str
    tags: tuple[str, ...]
    publish_status: str
    warnings: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()  # what of the update it does not carry
    content_format: str = "html"
    lang: str = "en"
    image_src: str | None = None  # the featured image's URL in the article (from its Diff upload)
    image_file: Path | None = field(default=None, compare=False)
    pending_figure: str = field(default="", compare=False)  # the first figure once the Diff upload gives its URL
    figure_at: int = field(default=0, compare=False)  # the article's line it takes (after title, subtitle, byline)
    channel: str = "medium"

    def payload(self) -> dict:
        """The request body."""
        return {
            "title": self.title,
            "contentFormat": self.content_format,
            "content": self.content,
            "canonicalUrl": self.canonical_url,
            "tags": list(self.tags),
            "publishStatus": self.publish_status,
            "notifyFollowers": False,
        }

    def files(self) -> dict[str, bytes]:
        """`medium.json` (the request) and `medium.html` (the article, ready to import by hand)."""
        return {"medium.json": json_bytes(self.payload()), "medium.html": self.content.encode()}

    def summary(self) -> str:
        """Nothing to add: the article's name is enough in `herald check`."""
        return ""

    def facts(self) -> str:
        """Status, canonical link and the tags Medium keeps."""
        return f"{self.publish_status}, canonical {self.canonical_url}, tags {', '.join(self.tags)}"

    def text(self) -> str:
        """Title and the article's words."""
        return "\n".join((self.title, html_text(self.content)))

    def markdown(self) -> str:
        """The article is shown on the preview page, not in Markdown."""
        return ""


def pick_tags(tags: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    """The first tags Medium will keep, and a note for each one dropped."""
    kept: list[str] = []
    notes: list[str] = []
    for tag in tags:
        if len(tag) > MAX_TAG_LENGTH:
            notes.append(f"medium tag {tag!r} dropped: longer than {MAX_TAG_LENGTH} characters")
        elif len(kept) == MAX_TAGS:
            notes.append(f"medium tag {tag!r} dropped: Medium keeps only {MAX_TAGS} tags")
        else:
            kept.append(tag)
    return tuple(kept), notes


def block_attrs(lang: str) -> dict[str, str]:
    """`lang`, and `dir="rtl"` for a right-to-left language, for each top-level block."""
    return {"lang": lang, "dir": "rtl"} if i18n.is_rtl(lang) else {"lang": lang}


def featured_figure(update: Update, src: str) -> str:
    """The featured image as a figure, its alt text the caption."""
    alt = escape(update.image_alt or "")
    return f'<figure><img src="{escape(src)}" alt="{alt}"><figcaption>{alt}</figcaption></figure>'


def head_html(update: Update, image_url: str | None) -> list[str]:
    """Title, subtitle (the summary, as the `h2` Medium's importer reads), byline and featured image."""
    parts = [f"<h1>{escape(update.title)}</h1>"]
    if update.summary:
        parts.append(f"<h2>{escape(update.summary)}</h2>")
    if update.authors:
        parts.append(f"<p><em>{escape(i18n.byline(update.lang, update.authors))}</em></p>")
    if image_url is not None:
        parts.append(featured_figure(update, image_url))
    return parts


def pending_figure(update: Update) -> tuple[str, int]:
    """The featured figure as the article will have it once the Diff upload gives its URL (its file until then),
    and the article's line it will take."""
    assert update.image is not None
    src = update.image.as_posix()
    figure, _ = to_medium(featured_figure(update, src), {src: src}, block_attrs=block_attrs(update.lang))
    return figure, 1 + bool(update.summary) + bool(update.authors)


def closing_html(update: Update, context: RenderContext) -> str:
    """"Originally published on <Diff>." in the update's language, the site name linked."""
    before, _, after = i18n.t(update.lang, "Originally published on {site}.").partition("{site}")
    link = f'<a href="{escape(context.diff_url)}">{escape(context.site_name)}</a>'
    return f"<p><em>{escape(before)}{link}{escape(after)}</em></p>"


def render(update: Update, context: RenderContext, settings: object, options: MediumOptions) -> MediumDraft:
    """The Medium article for an update (the channel's entry point)."""
    return Medium().render(update, context, options)


class Medium:
    """The Medium adapter."""

    name = "medium"
    max_tags = MAX_TAGS
    max_tag_length = MAX_TAG_LENGTH

    def render(self, update: Update, context: RenderContext, options: MediumOptions | None = None) -> MediumDraft:
        """Render an update as a Medium article in Medium's HTML subset."""
        options = options or update.block(self.name, MediumOptions)
        tags, warnings = pick_tags(options.tags if options.tags is not None else update.tags)
        if len(update.title) > MAX_TITLE_LENGTH:
            warnings.append(f"medium shows only the first {MAX_TITLE_LENGTH} characters of the title")
        images = dict(context.image_urls)
        image_url = images.get(update.image.as_posix()) if update.image is not None else None
        html = "\n".join([*head_html(update, image_url), render_html(update.body, images),
                          closing_html(update, context)])
        content, notes = to_medium(html, images, i18n.t(update.lang, "Notes"), block_attrs(update.lang))
        pending, figure_at = "", 0
        if update.image is not None and image_url is None:
            if context.diff_url_known:
                warnings.append("the featured image is left out: its public URL from the Diff upload is missing")
            else:
                pending, figure_at = pending_figure(update)
        return MediumDraft(
            title=update.title,
            content=content + "\n",
            canonical_url=context.diff_url,
            tags=tags,
            publish_status=options.publish_status,
            warnings=(*warnings, *notes),
            lang=update.lang,
            image_src=image_url,
            image_file=update.image_path,
            pending_figure=pending,
            figure_at=figure_at,
        )
