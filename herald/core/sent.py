"""What went out on a channel, as comparable text: its digest tells a change, its words show it."""

from __future__ import annotations

import difflib
import hashlib
from typing import TYPE_CHECKING

from herald.core.draft import Draft, draft_digest

if TYPE_CHECKING:  # the ledger's SQLAlchemy loads only where a ledger is opened
    from herald.core.ledger import Ledger, ReceiptRow

MAX_DIFF_CHANGES = 4
CONTEXT_WORDS = 4


def sent_text(draft: Draft) -> str:
    """The words a reader sees in a draft (not its ids, dates or markup)."""
    return draft.text()


def text_digest(text: str) -> str:
    """The ledger's digest of what went out."""
    return hashlib.sha256(text.encode()).hexdigest()


def record_sent(ledger: Ledger, slug: str, draft: Draft, revision: int | None = None) -> None:
    """Keep the text of what just went out on the draft's channel: a correction's under its number, a publish's as
    the original (once: a rerun that finds it sent earlier, after a correction, keeps the history as it is)."""
    if revision is None:
        if ledger.snapshots(slug, draft.channel):
            return
        revision = 0
    text = sent_text(draft)
    ledger.record_snapshot(slug, draft.channel, revision, text_digest(text), text)


def last_sent(ledger: Ledger, slug: str, channel: str) -> tuple[int, str, str] | None:
    """(revision, digest, text) of the latest thing that went out on a channel, if the ledger kept it."""
    kept = ledger.snapshots(slug, channel)
    return kept[-1][:3] if kept else None


def has_changed(ledger: Ledger, slug: str, receipt: ReceiptRow, draft: Draft) -> bool:
    """Whether a draft differs from what went out (the receipt's digest when no text was kept)."""
    kept = last_sent(ledger, slug, receipt.channel)
    if kept is not None:
        return kept[1] != text_digest(sent_text(draft))
    return bool(receipt.payload_hash) and receipt.payload_hash != draft_digest(draft)


def word_diff(before: str, after: str) -> str:
    """A short word-level diff: `[-old-]{+new+}` with a few words around each change."""
    old, new = before.split(), after.split()
    pieces: list[str] = []
    opcodes = [op for op in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes() if op[0] != "equal"]
    for tag, i1, i2, j1, j2 in opcodes[:MAX_DIFF_CHANGES]:
        lead = " ".join(old[max(0, i1 - CONTEXT_WORDS):i1])
        change = ""
        if tag in ("replace", "delete"):
            change += f"[-{' '.join(old[i1:i2])}-]"
        if tag in ("replace", "insert"):
            change += f"{{+{' '.join(new[j1:j2])}+}}"
        tail = " ".join(old[i2:i2 + CONTEXT_WORDS])
        lead = ("…" if i1 > CONTEXT_WORDS else "") + lead
        tail += "…" if i2 + CONTEXT_WORDS < len(old) else ""
        pieces.append(" ".join(part for part in (lead, change, tail) if part))
    more = len(opcodes) - MAX_DIFF_CHANGES
    if more > 0:
        pieces.append(f"(and {more} more change{'s' if more > 1 else ''})")
    return " | ".join(pieces) or "(only spacing or markup changed)"


def changed_passage(before: str, after: str) -> str:
    """The new wording of what changed, each changed line once, for a correction notice."""
    old_lines = {line.strip() for line in before.splitlines() if line.strip()}
    return "\n".join(line.strip() for line in after.splitlines() if line.strip() and line.strip() not in old_lines)


def uploaded_images(ledger: Ledger, slug: str) -> dict:
    """The image URLs WordPress gave earlier uploads: body images by content digest, and the featured image."""
    done = [part for part in ledger.parts(slug, "diff") if part.status == "done" and part.url]
    urls = {part.payload_hash: part.url for part in done if part.kind == "image" and part.payload_hash}
    featured = next((part.url for part in done if part.kind == "media" and part.position == 0), None)
    return {"image_urls": urls or None, "featured_url": featured}


def changes_for_diff(ledger: Ledger, slug: str) -> str:
    """The changed lines of the Diff post's latest correction (for a notice when the email itself did not change)."""
    kept = ledger.snapshots(slug, "diff")
    if len(kept) < 2:
        return ""
    return changed_passage(kept[-2][2], kept[-1][2])
