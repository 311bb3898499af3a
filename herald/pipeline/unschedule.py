"""Unschedule: cancel the scheduled flow run and take the Diff post back to draft; a later publish schedules again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from herald.core.transport import TransportError
from herald.pipeline.schedule import LIFECYCLE, ScheduleError, cancel_run, prefect_server
from herald.pipeline.select import transport_for

if TYPE_CHECKING:
    from config.settings import Settings
    from herald.core.ledger import Ledger


def unschedule(ledger: Ledger, settings: Settings, slug: str, given: str) -> tuple[list[str], bool]:
    """Take a scheduled update back; returns the lines to print and whether everything was done."""
    receipts = {row.channel: row for row in ledger.receipts(slug)}
    waiting = [row for row in receipts.values() if row.status == "scheduled"]
    diff = receipts.get("diff")
    if not waiting:
        return [f"{slug}: nothing is scheduled (`herald status {given}` shows what went where)"], False
    lines, ok = [], True
    for run_id in dict.fromkeys(row.remote_id for row in waiting if row.remote_id):
        if not prefect_server():
            lines.append(f"flow run {run_id}: PREFECT_API_URL is not set, so it cannot be cancelled from here; "
                         "set it to the server that holds the run and run `herald unschedule` again")
            ok = False
            continue
        try:
            lines.append(f"flow run {run_id}: {cancel_run(run_id)}")
        except ScheduleError as error:
            lines.append(str(error))
            ok = False
    if not ok:
        return lines, False
    if diff is not None and diff.status == "published" and diff.transport == "live" and diff.remote_id:
        transport = transport_for("diff", settings, slug, ledger)
        try:
            post = transport.set_status(int(diff.remote_id), "draft")
            lines.append(f"diff: post {diff.remote_id} is a draft again ({post.get('status')})")
        except TransportError as error:
            lines.append(f"diff: could not take post {diff.remote_id} back to draft: {error}; run `herald unschedule "
                         f"{given}` again")
            return lines, False
        finally:
            transport.close()
    if diff is not None and diff.status == "published":
        ledger.record_receipt(slug, "diff", "failed", url=diff.url, remote_id=diff.remote_id,
                              payload_hash=diff.payload_hash, detail="unscheduled: the post is a draft; "
                              f"`herald publish {given}` schedules it again", transport=diff.transport)
    for row in waiting:
        ledger.record_receipt(slug, row.channel, "failed", detail=f"unscheduled; `herald publish {given}` "
                              "schedules it again", transport=row.transport)
    position = len(ledger.parts(slug, LIFECYCLE, "unschedule")) + 1
    ledger.mark_part_done(slug, LIFECYCLE, "unschedule", position, str(position))
    lines.append(f"{slug}: unscheduled {', '.join(row.channel for row in waiting)}; nothing was sent; "
                 f"`herald publish {given}` schedules it again")
    return lines, True
