"""The one status vocabulary: what happened to a channel of an update, and its words and colour on screen."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A channel's state in the ledger, in a publish's results, on screen."""

    INTENDED = "intended"
    PUBLISHED = "published"
    ALREADY_PUBLISHED = "already_published"
    PENDING_MANUAL = "pending_manual"
    SCHEDULED = "scheduled"
    CORRECTED = "corrected"
    RETRACTED = "retracted"
    DRY_RUN = "dry_run"
    HELD = "held"
    CHANGED = "changed"
    FAILED = "failed"
    NEEDS_ATTENTION = "needs_attention"

    @property
    def word(self) -> str:
        """How a person reads it on a progress line."""
        return _WORDS.get(self, self.value.replace("_", " "))

    @property
    def colour(self) -> str:
        """Its colour on a terminal."""
        return _COLOURS[self]


class PartStatus(StrEnum):
    """One remote write of a channel (a tweet, an upload): intended before it is sent, then settled."""

    INTENDED = "intended"
    DONE = "done"
    AMBIGUOUS = "ambiguous"
    NOT_SENT = "not_sent"


NOT_DONE = frozenset({Status.FAILED, Status.HELD, Status.NEEDS_ATTENTION, Status.CHANGED})
PUBLISHED_STATUSES = (Status.PUBLISHED, Status.PENDING_MANUAL)  # it went out (a manual import counts)
RECEIPT_STATUSES = (Status.PUBLISHED, Status.FAILED, Status.PENDING_MANUAL, Status.NEEDS_ATTENTION, Status.INTENDED,
                    Status.SCHEDULED, Status.RETRACTED)  # what the ledger keeps per channel
UNSETTLED_PART_STATUSES = (PartStatus.INTENDED, PartStatus.AMBIGUOUS)  # may have been applied: never resent blindly

_WORDS = {
    Status.PUBLISHED: "posted",
    Status.ALREADY_PUBLISHED: "already published earlier",
    Status.PENDING_MANUAL: "waiting for a manual import",
    Status.NEEDS_ATTENTION: "needs a person",
    Status.HELD: "held: waiting for the Diff post",
    Status.DRY_RUN: "dry run: nothing sent",
}
_COLOURS = {
    Status.INTENDED: "yellow", Status.PUBLISHED: "green", Status.ALREADY_PUBLISHED: "cyan",
    Status.PENDING_MANUAL: "yellow", Status.SCHEDULED: "cyan", Status.CORRECTED: "green",
    Status.RETRACTED: "magenta", Status.DRY_RUN: "cyan", Status.HELD: "yellow", Status.CHANGED: "red",
    Status.FAILED: "red", Status.NEEDS_ATTENTION: "red",
}


def known(status: str) -> Status | None:
    """The status a word names, or None for a word outside the vocabulary (an older ledger's)."""
    try:
        return Status(status)
    except ValueError:
        return None


def colour_of(status: str) -> str:
    """A status's colour; white for a word outside the vocabulary."""
    found = known(status)
    return found.colour if found is not None else "white"
