"""The one validated content model every channel reads."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal, TypeVar

import regex
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from content.body_images import InlineImage


class ChannelOptions(BaseModel):
    """A channel's block in an update's front matter (`mastodon:`, `bluesky:` ...)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


Options = TypeVar("Options", bound=ChannelOptions)


LANG_TAG = re.compile(  # BCP 47: language, script, region, variants; the one pattern for `lang:`, file names, --lang
    r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$"
)


_HASHTAG = regex.compile(r"[\p{L}\p{M}\p{N}_]*[\p{L}\p{M}][\p{L}\p{M}\p{N}_]*")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _one_line(value: str, what: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"{what} must be one line (it contains a line break)")
    return value


class Update(_Strict):
    """One policy update: front matter plus a Markdown body."""

    source: Path = Field(exclude=True)
    title: str
    date: dt.date
    summary: str = ""
    tags: tuple[str, ...] = ()
    channels: tuple[str, ...] | None = None  # None: every channel the configuration enables
    slug: str
    lang: str = "en"
    authors: tuple[str, ...] = ()
    image: Path | None = None
    image_alt: str | None = None
    status: Literal["draft", "ready"] = "ready"
    publish_at: dt.datetime | None = None
    recap: bool = True
    correction: str | None = None
    hashtags: tuple[str, ...] = ()  # without the leading hash sign; only the thread channels read them
    social: tuple[str, ...] = ()  # passages of the body every automatic social thread carries
    source_revision: str | None = None  # a translation's: the digest of its source's text it was made from
    body: str = Field(exclude=True)
    images: tuple[InlineImage, ...] = Field(default=(), exclude=True)  # the body's local images, set by the loader

    @field_validator("title")
    @classmethod
    def _title_one_line(cls, title: str) -> str:
        _one_line(title, "the title")
        if not title:
            raise ValueError("the title is blank")
        return title

    @field_validator("summary")
    @classmethod
    def _summary_flat(cls, summary: str) -> str:
        return " ".join(summary.split())

    @field_validator("tags", "authors", "channels", "hashtags", "social")
    @classmethod
    def _no_duplicates(cls, items: tuple | None) -> tuple | None:
        if items is None:
            return items
        seen = [item for index, item in enumerate(items) if item in items[:index]]
        if seen:
            raise ValueError(f"{seen[0]!r} is listed twice")
        return items

    @field_validator("channels")
    @classmethod
    def _some_channel(cls, channels: tuple | None) -> tuple | None:
        if channels is not None and not channels:
            raise ValueError("name at least one channel, or leave `channels` out for every enabled one")
        return channels

    @field_validator("slug")
    @classmethod
    def _slug_shape(cls, slug: str) -> str:
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
            raise ValueError(f"{slug!r} is not a slug (lowercase letters, digits and single hyphens)")
        return slug

    @field_validator("lang")
    @classmethod
    def _bcp47(cls, lang: str) -> str:
        if not LANG_TAG.fullmatch(lang):
            raise ValueError(f"{lang!r} is not a BCP 47 language tag (for example en, fr, pt-BR, zh-Hant)")
        return lang

    @field_validator("publish_at")
    @classmethod
    def _aware(cls, publish_at: dt.datetime | None) -> dt.datetime | None:
        if publish_at is not None and publish_at.utcoffset() is None:
            raise ValueError("needs a time zone offset, for example 2026-10-08T09:00:00+02:00")
        return publish_at

    @field_validator("correction")
    @classmethod
    def _correction_text(cls, correction: str | None) -> str | None:
        if correction is not None and not correction.strip():
            raise ValueError("is blank; say what was corrected, or remove the field")
        return " ".join(correction.split()) if correction is not None else None

    @field_validator("hashtags")
    @classmethod
    def _hashtags(cls, tags: tuple[str, ...]) -> tuple[str, ...]:
        tags = tuple(tag.removeprefix("#").removeprefix("＃") for tag in tags)
        for tag in tags:
            if not _HASHTAG.fullmatch(tag):
                raise ValueError(f"{tag!r} is not a hashtag (letters, digits and _, no spaces; the # is optional)")
        return tags

    @field_validator("social")
    @classmethod
    def _passages(cls, passages: tuple[str, ...]) -> tuple[str, ...]:
        passages = tuple(" ".join(passage.split()) for passage in passages)
        if not all(passages):
            raise ValueError("a passage is blank; give a sentence of the body, or its first words")
        return passages

    @field_validator("source_revision")
    @classmethod
    def _revision_digest(cls, revision: str | None) -> str | None:
        if revision is not None and not re.fullmatch(r"[0-9a-f]{12,64}", revision):
            raise ValueError(f"{revision!r} is not a source revision (12 or more hex digits, as `herald translate` "
                             "writes it)")
        return revision

    @field_validator("body")
    @classmethod
    def _body_not_empty(cls, body: str) -> str:
        if not body.strip():
            raise ValueError("the update has no text after its front matter")
        return body

    @model_validator(mode="after")
    def _alt_with_image(self) -> Update:
        if self.image is not None and not (self.image_alt or "").strip():
            raise ValueError("image_alt: an image needs alt text for readers of screen readers")
        if self.image is None and self.image_alt:
            raise ValueError("image_alt: alt text given but no image")
        return self

    @property
    def image_path(self) -> Path | None:
        """The image file on disk, resolved against the update's folder."""
        return (self.source.parent / self.image).resolve() if self.image else None

    def wants(self, channel: str) -> bool:
        """Whether this update asks for the named channel (without a `channels` list, it asks for all)."""
        return self.channels is None or channel in self.channels

    def block(self, name: str, kind: type[Options]) -> Options:
        """The channel's validated front-matter block (`twitter:` ...), or its defaults when the update has none."""
        found = getattr(self, name, None)
        return found if isinstance(found, kind) else kind()
