"""The language links between a family's Diff posts: each post links the others, updated in place when a version is
published or retracted (same post IDs; each update a ledger part "links" N, so a killed run finishes next time)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from channels.diff.versions import SEPARATOR, language_name
from herald.core.report import ChannelResult
from herald.core.transport import TransportError, status_of
from herald.pipeline.corrections import as_sent, changes
from herald.pipeline.render import ROOT, render_update
from herald.pipeline.select import transport_for
from herald.pipeline.versions import Member, members, versions_of

if TYPE_CHECKING:
    from config.settings import Settings
    from herald.core.ledger import Ledger

LINKS = "links"  # the ledger part kind of a post's language links


def links_digest(versions: tuple[tuple[str, str], ...]) -> str:
    """The digest of a post's language links, kept in its ledger part."""
    return hashlib.sha256(json.dumps(sorted(versions)).encode()).hexdigest()


def record_links(ledger: Ledger, slug: str, versions: tuple[tuple[str, str], ...], post_id: str | None,
                 url: str | None) -> None:
    """Keep the links a new Diff post went out with (a post without a record of them is taken to have none)."""
    if ledger.parts(slug, ROOT, LINKS):
        return
    ledger.mark_part_intended(slug, ROOT, LINKS, 0, links_digest(versions))
    ledger.mark_part_done(slug, ROOT, LINKS, 0, post_id or "", url)


def _on_site(ledger: Ledger, slug: str) -> tuple[int, str | None]:
    """(the position of the next links write, the digest of the links on the post or None if unsure)."""
    kept = sorted(ledger.parts(slug, ROOT, LINKS), key=lambda part: part.position)
    if not kept:
        return 1, links_digest(())
    last = kept[-1]
    if last.status == "done":
        return last.position + 1, last.payload_hash
    return last.position, None  # an update killed mid-write is made again: writing the same post is harmless


def _names(versions: tuple[tuple[str, str], ...]) -> str:
    return SEPARATOR.join(language_name(lang) for lang, _ in versions) or "no other language"


def relink_family(path: Path | str, settings: Settings, ledger: Ledger, again: str) -> list[ChannelResult]:
    """Update in place every published Diff post of the family whose language links are out of date."""
    family = members(path, settings)
    if len(family) < 2:
        return []
    broken = next((member for member in family if member.update is None), None)
    if broken is not None:
        return [ChannelResult(f"{ROOT}:{broken.lang or '?'}", "failed", None, f"language links not updated: "
                              f"{broken.error}; fix it, then `{again}` updates them", "none")]
    return [result for member in family if (result := _relink(member, family, settings, ledger, again))]


def _relink(member: Member, family: list[Member], settings: Settings, ledger: Ledger, again: str
            ) -> ChannelResult | None:
    update = member.update
    assert update is not None
    receipt = ledger.receipt(update.slug, ROOT)
    if receipt is None or receipt.status != "published" or receipt.transport != "live" or not receipt.remote_id:
        return None
    wanted = versions_of(update, family, ledger)
    position, current = _on_site(ledger, update.slug)
    if current == links_digest(wanted):
        return None
    label = f"{ROOT}:{update.lang}"
    rendered = render_update(update, settings, [ROOT])
    if changes(ledger, rendered, settings):
        return ChannelResult(label, "already_published", receipt.url, f"language links not updated: "
                             f"{update.source} has edits not yet corrected; `herald publish {update.source} "
                             "--correct` corrects it with its links", receipt.transport)
    transport = transport_for(ROOT, settings, update.slug, ledger)
    try:
        draft = as_sent(ledger, rendered, settings, ROOT)
        transport.update_post(int(receipt.remote_id), draft, position, kind=LINKS, digest=links_digest(wanted))
    except TransportError as error:
        return ChannelResult(label, status_of(error), receipt.url, f"language links not updated: {error}; "
                             f"`{again}` tries again", transport.kind)
    finally:
        transport.close()
    return ChannelResult(label, "corrected", receipt.url, f"edited in place: now links {_names(wanted)}",
                         transport.kind)
