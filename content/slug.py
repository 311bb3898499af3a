"""URL slugs that work for every script."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from slugify import slugify

MAX_SLUG_LENGTH = 80
MIN_PHRASE_SHARE = 0.5  # a phrase cut shorter than this share of the limit loses too much: cut at a word instead
# Where a title's phrases end: ",;:.!?…" before a space, a spaced dash, brackets and quotes, CJK and Arabic marks.
_PHRASE_END = re.compile(r"[,;:.!?…](?=\s)|\s[-–—]\s|[()\[\]«»“”\"|]|[،؛؟。，、：；！？]")
_WORD_END = re.compile(r"\s|(?<=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])(?=\S)")  # CJK: every character


def make_slug(title: str) -> str:
    """A lowercase ASCII slug; transliterates non-Latin titles and never returns an empty string."""
    full = slugify(title)
    slug = cut(title, full)
    if slug:
        return slug
    return "update-" + hashlib.sha1(title.encode()).hexdigest()[:10]


def cut(title: str, full: str, limit: int = MAX_SLUG_LENGTH) -> str:
    """A slug too long cut where one of the title's phrases ends, else where its last word that fits ends (never
    inside a word such as "d'auteur"); a title of one word longer than the limit is cut inside it."""
    if len(full) <= limit:
        return full
    phrases = _fitting(title, full, _PHRASE_END, limit)
    long_enough = [slug for slug in phrases if len(slug) >= limit * MIN_PHRASE_SHARE]
    words = _fitting(title, full, _WORD_END, limit)
    return max(long_enough or words, key=len, default="") or shorten(full, limit)


def _fitting(title: str, full: str, ends: re.Pattern[str], limit: int) -> list[str]:
    """The slugs of the title up to each of its `ends` that fit the limit and begin the full slug with whole words."""
    cuts = (slugify(title[: found.start()]) for found in ends.finditer(title))
    return [slug for slug in cuts if slug and len(slug) <= limit and full.startswith(slug + "-")]


def shorten(slug: str, limit: int = MAX_SLUG_LENGTH) -> str:
    """The slug cut at its end on a word boundary, never skipping a word in the middle."""
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1].rfind("-")
    return slug[:cut] if cut > 0 else slug[:limit].rstrip("-")


def is_transliterated(title: str) -> bool:
    """Whether the title has letters outside the Latin script, which its slug spells in Latin letters."""
    return any(char.isalpha() and not unicodedata.name(char, "").startswith("LATIN") for char in title)


def slug_warning(title: str, slug: str) -> str | None:
    """The advice for a slug made by transliterating a non-Latin title (not for a `slug:` chosen by hand)."""
    if slug != make_slug(title) or not is_transliterated(title):
        return None
    return (f"slug: {slug!r} is the title transliterated to Latin letters; set `slug:` in the front matter "
            "to choose the post's URL")
