"""What herald.core.draft gives every channel's draft to describe itself."""

from __future__ import annotations

import pytest

from herald.core.draft import counted


@pytest.mark.parametrize(("count", "expected"), [(0, "0 tweets"), (1, "1 tweet"), (2, "2 tweets")])
def test_a_count_takes_its_noun_in_the_right_number(count: int, expected: str) -> None:
    assert counted(count, "tweet") == expected


def test_an_irregular_plural_is_given() -> None:
    assert (counted(1, "status", "statuses"), counted(3, "status", "statuses")) == ("1 status", "3 statuses")


def test_a_one_post_thread_says_one_tweet() -> None:
    from channels.twitter.draft import ThreadDraft

    draft = ThreadDraft(tweets=("Short and whole.",), weights=(16,))
    assert draft.summary() == "1 tweet" and draft.facts().startswith("1 tweet (full body)")
