"""What a dry run and a preview say beyond the drafts: already published, scheduled, changed, new tags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.registry import CHANNELS
from herald.core.status import PUBLISHED_STATUSES
from herald.pipeline.ledger_access import existing_ledger
from herald.pipeline.schedule import is_scheduled, when

if TYPE_CHECKING:
    from config.settings import Settings
    from herald.pipeline.render import Rendered


def ledger_notes(settings: Settings, rendered: Rendered, path: str) -> dict[str, str]:
    """Per channel, what the ledger says a publish would do instead of sending the preview (read-only)."""
    from herald.pipeline.corrections import changes

    ledger = existing_ledger(settings.ledger_url)
    if ledger is None:
        return {}
    slug = rendered.update.slug
    notes: dict[str, str] = {}
    try:
        changed = {change.channel: change for change in changes(ledger, rendered, settings)}
        for name in rendered.drafts:
            receipt = ledger.receipt(slug, name)
            if name in changed:
                notes[name] = (f"changed since it went out: {changed[name].diff}; a publish sends nothing and exits 1;"
                               f" `herald publish {path} --correct` corrects it")
            elif receipt is not None and receipt.status in PUBLISHED_STATUSES:
                notes[name] = (f"already published {receipt.updated_at:%Y-%m-%d %H:%M} UTC via {receipt.transport}"
                               f"{' at ' + receipt.url if receipt.url else ''}; nothing would be sent")
            elif receipt is not None and receipt.status == "retracted":
                notes[name] = "retracted; nothing would be sent"
            elif receipt is not None and receipt.status == "scheduled" and is_scheduled(rendered.update):
                notes[name] = f"{receipt.detail}; a publish now sends nothing on it"
    finally:
        ledger.close()
    return notes


def schedule_notes(rendered: Rendered) -> dict[str, str]:
    """Per channel, what a publish now would do with a future publish_at."""
    update = rendered.update
    if not is_scheduled(update):
        return {}
    assert update.publish_at is not None
    at = when(update.publish_at)
    return {name: f"goes out now as a scheduled post, public at {at}" if not CHANNELS[name].waits_for_diff else
            f"would be recorded as scheduled for {at} and sent by a publish after that time"
            for name in rendered.drafts}


def site_notes(settings: Settings, rendered: Rendered) -> dict[str, tuple[list[str], str | None]]:
    """Per live channel that can tell, what its service says of the draft before anything is sent (read-only)."""
    found = {}
    for name, draft in rendered.drafts.items():
        ask = CHANNELS[name].site_notes
        if ask is not None and settings.channel(name).is_live():
            found[name] = ask(settings.channel(name), draft, rendered.update.slug)
    return found
