"""Render every selected channel of an update: the one path shared by check, preview and publish."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from channels.registry import CHANNELS, ORDER, load_update
from content.body_images import raw_html_images
from content.errors import UpdateError
from content.i18n import missing_catalog
from content.slug import slug_warning
from herald.core.draft import Draft, RenderContext

if TYPE_CHECKING:
    from config.settings import Settings
    from content.model import Update

ROOT = ORDER[0]  # the canonical home (Diff): its URL is the one the others link to


@dataclass(frozen=True)
class Rendered:
    """An update and its drafts, one per selected channel, in publishing order."""

    update: Update
    context: RenderContext
    drafts: dict[str, Draft]

    @property
    def warnings(self) -> list[str]:
        """The update's own warnings (language, images), then every channel's, prefixed with the channel name."""
        return [*content_warnings(self.update),
                *(f"{name}: {warning}" for name, draft in self.drafts.items() for warning in draft.warnings)]


def content_warnings(update: Update) -> list[str]:
    """What to fix in the update itself whatever the channel: a language without a catalog, a slug transliterated
    from the title, images without alt text or written as raw HTML."""
    missing = missing_catalog(update.lang)
    slug = slug_warning(update.title, update.slug)
    return [
        *([f"lang: {missing}"] if missing else []),
        *([slug] if slug else []),
        *(f"body: image {image.src} (line {image.line}) has no alt text for readers of screen readers"
          for image in update.images if not image.alt.strip()),
        *(f"body: the HTML image {image.src} is neither checked nor uploaded; write it as ![alt text]({image.src})"
          for image in raw_html_images(update.body)),
    ]


def image_urls_for(
    update: Update, uploaded: Mapping[str, str] | None = None, featured_url: str | None = None
) -> tuple[tuple[str, str], ...]:
    """Each body image's src and its URL: the uploaded one (by content digest), else its planned media name; and
    the featured image's public URL once the Diff upload gave one (Medium needs an absolute URL)."""
    uploaded = uploaded or {}
    urls = [(image.src, uploaded.get(image.digest, image.media_name)) for image in update.images]
    if featured_url and update.image is not None:
        urls.append((update.image.as_posix(), featured_url))
    return tuple(urls)


def context_for(
    update: Update, settings: Settings, diff_url: str | None = None, image_urls: Mapping[str, str] | None = None,
    featured_url: str | None = None, versions: tuple[tuple[str, str], ...] = (),
) -> RenderContext:
    """The render context from settings; the Diff URL and image URLs are planned until WordPress gives real ones;
    `versions` are the other published languages' Diff URLs."""
    return RenderContext(
        diff_url=diff_url or settings.diff.planned_url(update.slug, post_date(update, settings)),
        diff_url_known=diff_url is not None,
        image_urls=image_urls_for(update, image_urls, featured_url),
        versions=versions,
    )


def post_date(update: Update, settings: Settings) -> dt.date:
    """The date in the post's URL: publish_at's date in the site's time zone (as WordPress dates it), else `date`."""
    if update.publish_at is None:
        return update.date
    return update.publish_at.astimezone(ZoneInfo(settings.diff.timezone)).date()


def select_channels(update: Update, wanted: Iterable[str] | None, settings: Settings) -> list[str]:
    """The update's channels that the configuration enables, narrowed to `wanted`; an unknown name is an error."""
    if update.channels is not None:
        for name in update.channels:
            if not settings.channel(name).enabled:
                raise UpdateError(update.source, "channels", f"{name} is not enabled in the configuration (set "
                                  f"`[{name}] enabled = true` in herald.toml, or HERALD_{name.upper()}__ENABLED=true)")
    if wanted is None:
        return [name for name in CHANNELS if update.wants(name) and settings.channel(name).enabled]
    wanted = list(wanted)
    for name in wanted:
        if name not in CHANNELS:
            raise UpdateError(update.source, "--channels", f"{name!r} is not a channel ({', '.join(CHANNELS)})")
        if not update.wants(name) or not settings.channel(name).enabled:
            raise UpdateError(update.source, "channels", f"{name} is not among this update's channels")
    return [name for name in CHANNELS if name in wanted and update.wants(name)]


def render_channel(name: str, update: Update, context: RenderContext, settings: Settings) -> Draft:
    """One channel's draft, from its own settings section and the update's block for it."""
    spec = CHANNELS[name]
    return spec.render(update, context, settings.channel(name), update.block(name, spec.options))


def render_update(
    update: Update, settings: Settings, channels: Iterable[str] | None = None, diff_url: str | None = None,
    image_urls: Mapping[str, str] | None = None, featured_url: str | None = None,
    versions: tuple[tuple[str, str], ...] = (),
) -> Rendered:
    """Render the selected channels; raises on the first channel that cannot be rendered."""
    context = context_for(update, settings, diff_url, image_urls, featured_url, versions)
    names = select_channels(update, channels, settings)
    return Rendered(update, context, {name: render_channel(name, update, context, settings) for name in names})


def relinked(
    rendered: Rendered, settings: Settings, channels: Iterable[str], diff_url: str | None = None,
    image_urls: Mapping[str, str] | None = None, featured_url: str | None = None,
    versions: tuple[tuple[str, str], ...] | None = None,
) -> Rendered:
    """The drafts once the real links are known (the Diff URL, the images' URLs, the other languages' posts), as
    Pelican refreshes links after writing: a channel is rendered again only when a link it shows changed, else its
    approved draft goes as it is."""
    update = rendered.update
    before = rendered.context
    versions = before.versions if versions is None else versions
    context = context_for(update, settings, diff_url, image_urls, featured_url, versions)
    drafts = {}
    for name in channels:
        same_links = context.image_urls == before.image_urls and (
            context.versions == before.versions if name == ROOT else context.diff_url == before.diff_url)
        drafts[name] = rendered.drafts[name] if same_links and name in rendered.drafts \
            else render_channel(name, update, context, settings)
    return Rendered(update, context, drafts)


def load_and_render(
    path: Path | str, settings: Settings, channels: Iterable[str] | None = None, diff_url: str | None = None
) -> Rendered:
    """Load, validate and render an update file."""
    return render_update(load_update(path, content_root_for(Path(path), settings)), settings, channels, diff_url)


def content_root_for(path: Path, settings: Settings) -> Path:
    """The configured content root when the update lives under it, else the update's own folder."""
    root = settings.content_root.resolve()
    return root if path.resolve().is_relative_to(root) else path.resolve().parent
