"""Scheduling: what is due now and what waits for `publish_at`, on the embedded default and on a Prefect server."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from herald.core.report import ChannelResult
from herald.core.transport import Transport, TransportError

if TYPE_CHECKING:
    from content.model import Update
    from herald.core.ledger import Ledger


def now() -> dt.datetime:
    """The current time, timezone-aware."""
    return dt.datetime.now(dt.UTC)


def is_scheduled(update: Update, at: dt.datetime | None = None) -> bool:
    """Whether the update has a `publish_at` still in the future."""
    return update.publish_at is not None and update.publish_at > (at or now())


def when(moment: dt.datetime) -> str:
    """A scheduled time as people read it, in the offset it was written with."""
    return moment.isoformat(timespec="minutes")


def date_warnings(update: Update, today: dt.date | None = None) -> list[str]:
    """`check`'s warnings about time: a `date:` ahead without `publish_at` goes out at once, not on that date."""
    today = today or now().date()
    if update.publish_at is None and update.date > today:
        return [f"date: {update.date} is in the future but there is no publish_at, so a publish sends everything "
                f"at once; add e.g. `publish_at: {update.date}T09:00:00+00:00` to schedule it"]
    return []


DEPLOYMENT = "publish-update/publish-update"
LIFECYCLE = "lifecycle"  # the ledger "channel" of an update's own life events (unschedule, corrections)


class ScheduleError(RuntimeError):
    """The Prefect server could not take or cancel a scheduled run."""


def prefect_server() -> str | None:
    """The Prefect API URL when a server is configured (not the embedded default)."""
    return os.environ.get("PREFECT_API_URL") or None


def _client():  # noqa: ANN202 - Prefect's SyncPrefectClient
    from prefect.client.orchestration import get_client

    return get_client(sync_client=True)


def create_scheduled_run(path: str, config: str | None, publish_at: dt.datetime, key: str) -> str | None:
    """A flow run of `publish-update` at `publish_at` (the same key gives back the same run); None without one."""
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Scheduled

    with _client() as client:
        try:
            deployment = client.read_deployment_by_name(DEPLOYMENT)
        except ObjectNotFound:
            return None
        parameters = {"path": path, **({"config": config} if config else {})}
        run = client.create_flow_run_from_deployment(
            deployment.id, parameters=parameters, state=Scheduled(scheduled_time=publish_at.astimezone(dt.UTC)),
            idempotency_key=key, tags=["herald-scheduled"],
        )
    return str(run.id)


def flow_run_summary(run_id: str) -> str:
    """`name (state at time)` of a flow run, or why it cannot be read."""
    try:
        with _client() as client:
            run = client.read_flow_run(run_id)
    except Exception as error:  # noqa: BLE001 - status reports what it can; the server may be down
        return f"flow run {run_id} (cannot read it from the Prefect server: {type(error).__name__})"
    state = run.state
    at = getattr(state.state_details, "scheduled_time", None) if state else None
    planned = f" for {at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC" if at and state.is_scheduled() else ""
    return f"flow run {run.name} ({state.name if state else 'no state'}{planned}), id {run_id}"


def cancel_run(run_id: str) -> str:
    """Cancel a scheduled flow run; returns its state afterwards."""
    from prefect.states import Cancelled

    try:
        with _client() as client:
            run = client.read_flow_run(run_id)
            if run.state is not None and run.state.is_final():
                return run.state.name
            client.set_flow_run_state(run_id, Cancelled(message="herald unschedule"), force=True)
    except Exception as error:  # noqa: BLE001 - reported as one line
        raise ScheduleError(f"could not cancel flow run {run_id} on {prefect_server()}: {error}") from None
    return "Cancelled"


def schedule_channels(ledger: Ledger, update: Update, kinds: dict[str, str], path: str,
                      config: str | None) -> list[ChannelResult]:
    """Record the channels after Diff as `scheduled` for publish_at; on a Prefect server, also a flow run then."""
    at = update.publish_at
    assert at is not None
    run_id, note = None, ""
    if prefect_server():
        generation = len(ledger.parts(update.slug, LIFECYCLE, "unschedule"))
        try:
            run_id = create_scheduled_run(path, config, at, f"herald:{update.slug}:{at.isoformat()}:{generation}")
        except Exception as error:  # noqa: BLE001 - the embedded way still works; say why the server did not
            note = f" (the Prefect server did not take a scheduled run: {type(error).__name__}: {error})"
        if run_id is None and not note:
            note = f" (the Prefect server has no {DEPLOYMENT} deployment: run `herald deploy` to schedule runs there)"
    diff = ledger.receipt(update.slug, "diff")
    if diff is not None and diff.status == "published" and not diff.detail.startswith("scheduled"):
        ledger.record_receipt(update.slug, "diff", diff.status, url=diff.url, remote_id=diff.remote_id,
                              payload_hash=diff.payload_hash, detail=f"scheduled: public at {when(at)}; {diff.detail}",
                              transport=diff.transport)
    results = []
    for name, kind in kinds.items():
        if run_id:
            detail = (f"scheduled for {when(at)}: flow run {run_id} of {DEPLOYMENT} sends it then "
                      f"(`herald unschedule {path}` cancels it)")
        else:
            detail = (f"scheduled for {when(at)}: nothing sent yet; run `herald publish {path}` again after that "
                      f"time (or from a scheduled job) to send it{note}")
        ledger.record_receipt(update.slug, name, "scheduled", remote_id=run_id, detail=detail, transport=kind)
        results.append(ChannelResult(name, "scheduled", None, detail, kind))
    return results


EARLY_START = dt.timedelta(seconds=30)


def wait_for_own_time(ledger: Ledger, update: Update, run_id: str | None,
                      sleep: Callable[[float], None] = time.sleep) -> None:
    """The scheduled flow run itself, let in up to half a second early, waits until publish_at before sending."""
    at = update.publish_at
    if at is None or not run_id:
        return
    receipts = ledger.receipts(update.slug)
    ours = any(receipt.status == "scheduled" and receipt.remote_id == run_id for receipt in receipts)
    # Prefect's WaitForScheduledTime rounds the delay to whole seconds, so a run can start just before its time
    while ours and dt.timedelta(0) < at - now() <= EARLY_START:
        sleep((at - now()).total_seconds() + 0.01)


def due_diff_url(ledger: Ledger, update: Update, diff_transport: Transport | None, diff_url: str) -> str:
    """The Diff URL once publish_at has come: the post is published (WordPress may have missed it) and its link read."""
    receipt = ledger.receipt(update.slug, "diff")
    if update.publish_at is None or receipt is None or receipt.transport != "live" or not receipt.remote_id \
            or diff_transport is None:
        return diff_url
    try:
        link = diff_transport.ensure_published(int(receipt.remote_id)) or diff_url
    except TransportError:
        return diff_url  # the post's own link still resolves once WordPress publishes it
    if link != receipt.url:
        ledger.record_receipt(update.slug, "diff", receipt.status, url=link, remote_id=receipt.remote_id,
                              payload_hash=receipt.payload_hash, detail=receipt.detail, transport=receipt.transport)
    return link


def diff_result(result: ChannelResult, update: Update) -> ChannelResult:
    """The Diff outcome as people read it: a post WordPress holds until publish_at is scheduled, not published."""
    if is_scheduled(update) and result.status in ("published", "already_published"):
        assert update.publish_at is not None
        return ChannelResult("diff", "scheduled", result.url,
                             f"WordPress publishes the post at {when(update.publish_at)}", result.transport)
    return result
