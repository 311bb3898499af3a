"""Corrections: find what changed since an update went out, and correct each channel the way it allows.

Diff is edited in place; Medium (no edit API) gets the corrected article in the outbox for a person; X and
email post one reply or one notice only when the update says what was corrected (`correction:`). Each write
is a ledger part of correction number N (the lifecycle part ("correction", N) stays open until every
channel is done), so a killed correction finishes on the next run without sending anything twice.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from channels.registry import lifecycle_hook
from herald.core.lifecycle import KIND, Change
from herald.core.report import ChannelResult
from herald.core.sent import has_changed, last_sent, record_sent, uploaded_images
from herald.core.status import PUBLISHED_STATUSES
from herald.core.transport import TransportError, status_of
from herald.pipeline.render import Rendered, render_update
from herald.pipeline.schedule import LIFECYCLE
from herald.pipeline.select import transport_for
from herald.pipeline.versions import versions_for

if TYPE_CHECKING:
    from config.settings import Settings
    from content.model import Update
    from herald.core.draft import Draft
    from herald.core.ledger import Ledger


def known_diff_url(ledger: Ledger, slug: str) -> str | None:
    """The Diff URL the ledger holds for a published post."""
    receipt = ledger.receipt(slug, "diff")
    return receipt.url if receipt and receipt.status in PUBLISHED_STATUSES else None


def as_sent(ledger: Ledger, rendered: Rendered, settings: Settings, name: str, **images: object) -> Draft:
    """A channel's draft as a publish now would send it: with the Diff URL and the image URLs that went out."""
    update = rendered.update
    images = images or uploaded_images(ledger, update.slug)
    if update.image is None:
        images = {**images, "featured_url": None}
    diff_url = None if name == "diff" else known_diff_url(ledger, update.slug)
    versions = versions_for(update, settings, ledger) if name == "diff" else ()  # its language links stay
    return render_update(update, settings, [name], diff_url, versions=versions,  # type: ignore[arg-type]
                         **images).drafts[name]


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
                status = status_of(error)
                results.append(ChannelResult(name, status, receipt.url, str(error), transport.kind))
            finally:
                transport.close()
        return results

    def kept(self, change: Change | None) -> None:
        """Keep the corrected text as what went out under this correction's number."""
        if change is not None:
            record_sent(self.ledger, self.slug, change.draft, self.revision)

    def section(self, channel: str) -> Any:
        """A channel's settings section."""
        return self.settings.channel(channel)

    def draft(self, channel: str) -> Draft | None:
        """A channel's draft as rendered for this correction."""
        return self.rendered.drafts.get(channel)

    def as_sent(self, channel: str, **images: object) -> Draft:
        """A channel's draft as a publish now would send it (the Diff URL and image URLs that went out)."""
        return as_sent(self.ledger, self.rendered, self.settings, channel, **images)

    def mkdir(self) -> Path:
        """The update's outbox folder, made if missing."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder

