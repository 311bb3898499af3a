"""Corrections: find what changed since an update went out, and correct each channel the way it allows.

Diff is edited in place; Medium (no edit API) gets the corrected article in the outbox for a person; X and
email post one reply or one notice only when the update says what was corrected (`correction:`). Each write
is a ledger part of correction number N (the lifecycle part ("correction", N) stays open until every
channel is done), so a killed correction finishes on the next run without sending anything twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from channels.registry import lifecycle_hook
from config.settings import Settings
from content.model import Update
from herald.core.draft import Draft
from herald.core.ledger import PUBLISHED_STATUSES, Ledger, ReceiptRow
from herald.core.report import ChannelResult
from herald.core.transport import Ambiguous, NeedsAttention, TransportError
from herald.pipeline.render import Rendered, render_update
from herald.pipeline.schedule import LIFECYCLE
from herald.pipeline.select import transport_for
from herald.pipeline.sent import changed_passage, has_changed, last_sent, record_sent, sent_text, word_diff

KIND = "correction"
MAX_PASSAGE = 1500


@dataclass(frozen=True)
class Change:
    """A channel whose draft differs from what went out."""

    channel: str
    receipt: ReceiptRow
    draft: Draft
    before: str

    @property
    def diff(self) -> str:
        """A short word-level diff of what went out against the draft."""
        return word_diff(self.before, sent_text(self.draft)) if self.before else "(the text sent was not kept)"


def known_diff_url(ledger: Ledger, slug: str) -> str | None:
    """The Diff URL the ledger holds for a published post."""
    receipt = ledger.receipt(slug, "diff")
    return receipt.url if receipt and receipt.status in PUBLISHED_STATUSES else None


def uploaded_images(ledger: Ledger, slug: str) -> dict:
    """The image URLs WordPress gave earlier uploads: body images by content digest, and the featured image."""
    done = [part for part in ledger.parts(slug, "diff") if part.status == "done" and part.url]
    urls = {part.payload_hash: part.url for part in done if part.kind == "image" and part.payload_hash}
    featured = next((part.url for part in done if part.kind == "media" and part.position == 0), None)
    return {"image_urls": urls or None, "featured_url": featured}


def as_sent(ledger: Ledger, rendered: Rendered, settings: Settings, name: str, **images: object) -> Draft:
    """A channel's draft as a publish now would send it: with the Diff URL and the image URLs that went out."""
    update = rendered.update
    images = images or uploaded_images(ledger, update.slug)
    if update.image is None:
        images = {**images, "featured_url": None}
    diff_url = None if name == "diff" else known_diff_url(ledger, update.slug)
    return render_update(update, settings, [name], diff_url, **images).drafts[name]  # type: ignore[arg-type]


def changes(ledger: Ledger, rendered: Rendered, settings: Settings) -> list[Change]:
    """The published channels whose drafts (rendered with the Diff URL that went out) differ from what was sent."""
    update = rendered.update
    found = []
    for name in rendered.drafts:
        receipt = ledger.receipt(update.slug, name)
        if receipt is None or receipt.status not in PUBLISHED_STATUSES:
            continue
        final = as_sent(ledger, rendered, settings, name)
        if has_changed(ledger, update.slug, receipt, final):
            kept = last_sent(ledger, update.slug, name)
            found.append(Change(name, receipt, final, kept[2] if kept else ""))
    return found


def changed_results(ledger: Ledger, rendered: Rendered, found: list[Change], path: str) -> list[ChannelResult]:
    """The report of a publish refused because the update changed: the changes, and nothing sent."""
    slug = rendered.update.slug
    changed = {change.channel: change for change in found}
    results = []
    for name in rendered.drafts:
        receipt = ledger.receipt(slug, name)
        transport = receipt.transport if receipt else "none"
        if name in changed:
            results.append(ChannelResult(name, "changed", receipt.url if receipt else None,
                                         f"differs from what went out: {changed[name].diff}; "
                                         f"`herald publish {path} --correct` corrects it", transport))
        elif receipt is not None and receipt.status in PUBLISHED_STATUSES:
            results.append(ChannelResult(name, "already_published", receipt.url, "unchanged", transport))
        else:
            results.append(ChannelResult(name, "held", None, "not sent: the update changed since it went out; "
                                         f"`herald publish {path} --correct` first", transport))
    return results


def open_revision(ledger: Ledger, slug: str, start: bool) -> int | None:
    """The correction in progress (a killed run's), else a new one when `start`, else None."""
    done = [part for part in ledger.parts(slug, LIFECYCLE, KIND)]
    for part in done:
        if part.status != "done":
            return part.position
    if not start:
        return None
    number = max((part.position for part in done), default=0) + 1
    ledger.mark_part_intended(slug, LIFECYCLE, KIND, number, "")
    return number


def revisions(ledger: Ledger, slug: str) -> list[tuple[int, str, dt.datetime]]:
    """(number, state, when) of every correction of an update."""
    return [(part.position, part.status, part.updated_at) for part in ledger.parts(slug, LIFECYCLE, KIND)]


class Corrector:
    """Corrects each published channel of one update for correction number `revision`."""

    def __init__(self, ledger: Ledger, settings: Settings, rendered: Rendered, revision: int,
                 sent_at: dt.datetime) -> None:
        self.ledger = ledger
        self.settings = settings
        self.rendered = rendered
        self.update: Update = rendered.update
        self.slug = rendered.update.slug
        self.revision = revision
        self.sent_at = sent_at
        self.folder = settings.outbox / self.slug

    def run(self, rendered: Rendered, found: list[Change]) -> list[ChannelResult]:
        """Correct every selected published channel; a failure on one leaves the others done."""
        changed = {change.channel: change for change in found}
        diff_url = known_diff_url(self.ledger, self.slug) or rendered.context.diff_url
        results = []
        for name in rendered.drafts:
            receipt = self.ledger.receipt(self.slug, name)
            if receipt is None or receipt.status not in (*PUBLISHED_STATUSES, "needs_attention"):
                results.append(ChannelResult(name, "held", None, "never went out: `herald publish` sends it",
                                             receipt.transport if receipt else "none"))
                continue
            transport = transport_for(name, self.settings, self.slug, self.ledger)
            try:
                results.append(lifecycle_hook(name, "correct")(self, transport, receipt, changed.get(name), diff_url))
            except TransportError as error:
                status = "needs_attention" if isinstance(error, NeedsAttention) or (
                    isinstance(error, Ambiguous) and not error.transient) else "failed"
                results.append(ChannelResult(name, status, receipt.url, str(error), transport.kind))
            finally:
                close = getattr(transport, "close", None)
                if close is not None:
                    close()
        return results

    def kept(self, change: Change | None) -> None:
        """Keep the corrected text as what went out under this correction's number."""
        if change is not None:
            record_sent(self.ledger, self.slug, change.draft, self.revision)

    def mkdir(self) -> Path:
        """The update's outbox folder, made if missing."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder


def changes_for_diff(ledger: Ledger, slug: str) -> str:
    """The changed lines of the Diff post's latest correction (for a notice when the email itself did not change)."""
    kept = ledger.snapshots(slug, "diff")
    if len(kept) < 2:
        return ""
    return changed_passage(kept[-2][2], kept[-1][2])
