"""URL slugs that work for every script."""

from __future__ import annotations

import hashlib

from slugify import slugify

MAX_SLUG_LENGTH = 80


def make_slug(title: str) -> str:
    """A lowercase ASCII slug; transliterates non-Latin titles and never returns an empty string."""
    slug = shorten(slugify(title))
    if slug:
        return slug
    return "update-" + hashlib.sha1(title.encode()).hexdigest()[:10]


def shorten(slug: str, limit: int = MAX_SLUG_LENGTH) -> str:
    """The slug cut at its end on a word boundary, never skipping a word in the middle."""
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1].rfind("-")
    return slug[:cut] if cut > 0 else slug[:limit].rstrip("-")
