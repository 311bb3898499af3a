"""Diff: a WordPress post through the REST API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from html import escape
from pathlib import Path

from channels.diff.options import DiffOptions
from channels.diff.settings import DiffSettings
from channels.diff.versions import versions_line
from content import i18n
from content.markdown import render_html
from content.model import Update
from herald.core.draft import RenderContext, RenderError, html_text, json_bytes

MAX_TITLE_LENGTH = 200
MAX_EXCERPT_LENGTH = 600
MAX_TERM_LENGTH = 200

@dataclass(frozen=True)
class DiffDraft:
    """A WordPress post, with term names still to be resolved to IDs when it is sent."""

    title: str
    content: str
    excerpt: str
    slug: str
    status: str
    date: str | None
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    featured_image: str | None
    image_alt: str | None
    lang: str
    link: str
    image_file: Path | None = field(default=None, compare=False)
    body_image_files: tuple[Path, ...] = field(default=(), compare=False)  # uploaded before the post is rendered
    warnings: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()  # what of the update it does not carry
    channel: str = "diff"
    versions: str = ""  # the "Also available in" paragraph at the top of `content`: links, not text to correct

    def payload(self) -> dict:
        """The post as the REST API receives it, terms and media by name."""
        body = {
            "title": self.title,
            "content": self.content,
            "excerpt": self.excerpt,
            "slug": self.slug,
            "status": self.status,
            "tags": list(self.tags),
            "categories": list(self.categories),
        }
        if self.date:
            body["date_gmt"] = self.date
        if self.featured_image:
            body["featured_media"] = {"file": self.featured_image, "alt_text": self.image_alt}
        return body

    def files(self) -> dict[str, bytes]:
        """`diff.json` (the request) and `diff.html` (the post body exactly as sent)."""
        return {"diff.json": json_bytes(self.payload()), "diff.html": self.content.encode()}

    def summary(self) -> str:
        """Nothing to add: the post's name is enough in `herald check`."""
        return ""

    def facts(self) -> str:
        """Title, status, terms and the image's alt text."""
        image = f", image alt “{self.image_alt}”" if self.featured_image else ""
        return (f"“{self.title}”, {self.status}, tags {', '.join(self.tags) or 'none'}, "
                f"categories {', '.join(self.categories) or 'none'}{image}")

    def text(self) -> str:
        """Title, excerpt and the body's words."""
        return "\n".join((self.title, self.excerpt, html_text(self.content.replace(self.versions, "", 1))))

    def markdown(self) -> str:
        """The post is shown on the preview page, not in Markdown."""
        return ""

def byline(lang: str, authors: tuple[str, ...]) -> str:
    """The post's byline paragraph from the update's `authors` in its language, or nothing without authors."""
    if not authors:
        return ""
    return f'<p class="byline">{escape(i18n.byline(lang, authors), quote=False)}</p>\n'


def language_wrapper(content: str, lang: str, site_lang: str) -> str:
    """The post's HTML inside a `<div lang dir>` when its language or direction is not the site's: WordPress marks
    neither, and the theme's `<html lang dir>` is the site's."""
    if lang.lower() == site_lang.lower():
        return content
    direction = i18n.direction(lang)
    shown = f' dir="{direction}"' if direction != i18n.direction(site_lang) else ""
    return f'<div lang="{escape(lang)}"{shown}>\n{content}</div>\n'


def render(update: Update, context: RenderContext, settings: DiffSettings, options: DiffOptions) -> DiffDraft:
    """The Diff post for an update (the channel's entry point)."""
    return Diff(settings).render(update, context, options)


class Diff:
    """The Diff blog adapter."""

    name = "diff"
    max_title_length = MAX_TITLE_LENGTH

    def __init__(self, settings: DiffSettings | None = None) -> None:
        self.site_lang = settings.site_lang if settings is not None else DiffSettings().site_lang

    def render(self, update: Update, context: RenderContext, options: DiffOptions | None = None) -> DiffDraft:
        """Render an update as a WordPress post."""
        options = options or update.block(self.name, DiffOptions)
        if len(update.title) > MAX_TITLE_LENGTH:
            raise RenderError(update, "title", f"is {len(update.title)} characters; Diff takes {MAX_TITLE_LENGTH}")
        if len(update.summary) > MAX_EXCERPT_LENGTH:
            raise RenderError(
                update, "summary", f"is {len(update.summary)} characters; the Diff excerpt takes {MAX_EXCERPT_LENGTH}"
            )
        for field_name, names in (("tags", update.tags), ("diff.categories", options.categories)):
            for name in names:
                if len(name) > MAX_TERM_LENGTH:
                    message = f"{name[:40]!r}... is longer than {MAX_TERM_LENGTH} characters"
                    raise RenderError(update, field_name, message)
        status, date = options.status, None
        if update.publish_at is not None:
            date = update.publish_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
            if status == "publish":
                status = "future"
        versions = versions_line(update.lang, context.versions)
        return DiffDraft(
            title=update.title,
            content=language_wrapper(
                versions + byline(update.lang, update.authors)
                + render_html(update.body, dict(context.image_urls), one_line=True),
                update.lang, self.site_lang,
            ),
            excerpt=update.summary,
            slug=update.slug,
            status=status,
            date=date,
            tags=update.tags,
            categories=options.categories,
            featured_image=update.image.as_posix() if update.image else None,
            image_alt=update.image_alt,
            lang=update.lang,
            link=context.diff_url,
            image_file=update.image_path,
            body_image_files=tuple(image.path for image in update.images),
            versions=versions,
        )
