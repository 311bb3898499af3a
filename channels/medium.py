"""Medium: a long-form article whose canonical link is the Diff post."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from channels.base import RenderContext, json_bytes
from content.markdown import render_html
from content.model import Update

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
    content_format: str = "html"
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


class Medium:
    """The Medium adapter."""

    name = "medium"
    max_tags = MAX_TAGS
    max_tag_length = MAX_TAG_LENGTH

    def render(self, update: Update, context: RenderContext) -> MediumDraft:
        """Render an update as a Medium article."""
        tags, warnings = pick_tags(update.medium.tags if update.medium.tags is not None else update.tags)
        if len(update.title) > MAX_TITLE_LENGTH:
            warnings.append(f"medium shows only the first {MAX_TITLE_LENGTH} characters of the title")
        url = escape(context.diff_url)
        parts = [f"<h1>{escape(update.title)}</h1>"]
        if update.summary:
            parts.append(f"<p><em>{escape(update.summary)}</em></p>")
        parts.append(render_html(update.body, dict(context.image_urls)).strip())
        parts.append(f'<p><em>Originally published on <a href="{url}">{escape(context.site_name)}</a>.</em></p>')
        return MediumDraft(
            title=update.title,
            content="\n".join(parts) + "\n",
            canonical_url=context.diff_url,
            tags=tags,
            publish_status=update.medium.publish_status,
            warnings=tuple(warnings),
        )
