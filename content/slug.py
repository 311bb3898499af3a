"""URL slugs that work for every script."""

from __future__ import annotations

import hashlib

from slugify import slugify

MAX_SLUG_LENGTH = 80


def make_slug(title: str) -> str:
    """A lowercase ASCII slug; transliterates non-Latin titles and never returns an empty string."""
    slug = slugify(title, max_length=MAX_SLUG_LENGTH, word_boundary=True)
    if slug:
        return slug
    return "update-" + hashlib.sha1(title.encode()).hexdigest()[:10]
