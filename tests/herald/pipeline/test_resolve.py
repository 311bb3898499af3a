"""`herald resolve`: a person settles a write whose outcome herald could not check."""

from __future__ import annotations

import datetime as dt

import pytest

from herald.core.ledger import Ledger
from herald.pipeline.resolve import NothingToResolve, remote_id_from, resolve

SLUG = "an-update"


@pytest.fixture(autouse=True)
def _recorded(ledger: Ledger) -> None:
    ledger.record_update(SLUG, "x.md", "An update", dt.date(2026, 10, 1))


def test_an_email_that_did_go_out_is_recorded_as_published(ledger: Ledger) -> None:
    ledger.mark_part_intended(SLUG, "email", "message", 1, "h")
    ledger.mark_part_ambiguous(SLUG, "email", "message", 1)
    ledger.record_receipt(SLUG, "email", "needs_attention", detail="check the archive", transport="live")
    archive = "https://lists.example.org/archives/list/news@lists.example.org/message/ABC/"
    assert resolve(ledger, SLUG, "email", archive) == f"email: recorded as published at {archive}"
    assert ledger.receipt(SLUG, "email").status == "published"
    assert ledger.part(SLUG, "email", "message", 1).status == "done"


def test_a_medium_post_that_did_not_go_out_can_be_sent_again(ledger: Ledger) -> None:
    ledger.mark_part_intended(SLUG, "medium", "post", 1, "h")
    resolve(ledger, SLUG, "medium", None)
    assert ledger.part(SLUG, "medium", "post", 1).status == "not_sent"
    receipt = ledger.receipt(SLUG, "medium")
    assert receipt.status == "failed" and "publish again" in receipt.detail


def test_a_tweet_found_by_hand_takes_its_id_from_the_url(ledger: Ledger) -> None:
    ledger.mark_part_intended(SLUG, "twitter", "tweet", 1, "h1")
    ledger.mark_part_done(SLUG, "twitter", "tweet", 1, "111")
    ledger.mark_part_intended(SLUG, "twitter", "tweet", 2, "h2")
    ledger.mark_part_ambiguous(SLUG, "twitter", "tweet", 2)
    resolve(ledger, SLUG, "twitter", "https://x.com/wikimediapolicy/status/1850000000000000002")
    part = ledger.part(SLUG, "twitter", "tweet", 2)
    assert (part.status, part.remote_id) == ("done", "1850000000000000002")
    assert ledger.receipt(SLUG, "twitter").status == "failed"  # the rest of the thread still has to go


def test_nothing_to_resolve_is_an_error(ledger: Ledger) -> None:
    ledger.mark_part_intended(SLUG, "email", "message", 1, "h")
    ledger.mark_part_done(SLUG, "email", "message", 1, "<id@x>")
    with pytest.raises(NothingToResolve, match="email: nothing is waiting"):
        resolve(ledger, SLUG, "email", None)


def test_remote_ids_from_urls() -> None:
    assert remote_id_from("twitter", "https://twitter.com/a/statuses/42") == "42"
    assert remote_id_from("medium", "https://medium.com/@a/post-1a2b") == "https://medium.com/@a/post-1a2b"
