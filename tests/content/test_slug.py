"""content.slug: long titles are cut at the end, on a word boundary, never skipping a word."""

from __future__ import annotations

import pytest
from update_files import load

from content.slug import MAX_SLUG_LENGTH, make_slug, shorten


def test_the_amicus_title_keeps_every_word_up_to_the_cut() -> None:
    slug = load("amicus.md").slug
    assert slug == "why-we-asked-the-supreme-court-to-keep-section-230-it-protects-such-volunteer"
    assert "-protects-" in slug


@pytest.mark.parametrize("name", ["amicus.md", "explainer.md", "consultation.md", "announcement.md", "spanish.md"])
def test_a_shortened_slug_is_a_prefix_of_the_full_one_ending_on_a_word(name: str) -> None:
    from slugify import slugify

    update = load(name)
    full = slugify(update.title)
    assert update.slug == make_slug(update.title)
    assert len(update.slug) <= MAX_SLUG_LENGTH
    assert full == update.slug or full.startswith(update.slug + "-")


def test_shorten_cuts_on_the_last_boundary_that_fits() -> None:
    assert shorten("aaa-bbb-ccc", 7) == "aaa-bbb"
    assert shorten("aaa-bbb-ccc", 8) == "aaa-bbb"
    assert shorten("aaa-bbb-ccc", 11) == "aaa-bbb-ccc"
    assert shorten("aaaaaaaaaa-b", 5) == "aaaaa"  # one word longer than the limit: cut inside it
    assert shorten("a-" + "b" * 100, 10) == "a"
