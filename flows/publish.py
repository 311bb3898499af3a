"""The publish flow: load, render all, publish Diff, fan the rest out, record, report."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.runtime import flow_run
from prefect.states import Completed, Failed

from channels.registry import CHANNELS
from config.settings import load_settings
from content.body_images import InlineImage
from herald.core.draft import Draft, Receipt, draft_digest
from herald.core.lease import publish_lease
from herald.core.ledger import Ledger, ReceiptRow
from herald.core.parts import counted_since
from herald.core.report import NOT_DONE, ChannelResult, summary_markdown
from herald.core.sent import record_sent, uploaded_images
from herald.core.status import PUBLISHED_STATUSES
from herald.core.transport import PreflightError, Transport, TransportError, closing, status_of
from herald.pipeline.corrections import changed_results, changes, known_diff_url
from herald.pipeline.family_links import record_links, relink_family
from herald.pipeline.gate import prepare_publish
from herald.pipeline.ledger_access import open_ledger
from herald.pipeline.progress import outcome, report, reporter
from herald.pipeline.render import relinked
from herald.pipeline.schedule import diff_result, due_diff_url, is_scheduled, schedule_channels, wait_for_own_time
from herald.pipeline.select import transport_for
from herald.pipeline.translations import for_publish
from herald.pipeline.versions import versions_for
from herald.preview.page import attach_preview

MAX_RATE_LIMIT_WAIT = 15 * 60
IMAGE_CHANNELS = tuple(name for name, spec in CHANNELS.items() if spec.shows_body_images)


def is_transient(task, task_run, state) -> bool:  # noqa: ANN001 - Prefect's retry_condition_fn signature
    """Retry only what cannot have been applied, or what the next attempt looks up; wait out reset times."""
    try:
        state.result()
    except Exception as error:  # noqa: BLE001 - inspecting the task's own failure
        if not getattr(error, "transient", False):
            return False
        delays = task.retry_delay_seconds or [0]
        delays = delays if isinstance(delays, list) else [delays]
        extra = (getattr(error, "retry_after", None) or 0) - delays[min(task_run.run_count - 1, len(delays) - 1)]
        if extra > MAX_RATE_LIMIT_WAIT:
            return False
        time.sleep(max(extra, 0))  # X's x-rate-limit-reset can be minutes away, beyond the configured delay
        return True
    return False


def earlier_receipt(ledger: Ledger, slug: str, channel: str, transport: Transport) -> ReceiptRow | None:
    """The receipt of an earlier publish that counts for this transport (an outbox run never blocks a live one)."""
    prior = ledger.receipt(slug, channel)
    if prior and prior.status in PUBLISHED_STATUSES and (prior.transport == "live" or transport.kind == "outbox"):
        return prior
    return None


@task(task_run_name="publish-{channel}", cache_policy=NONE, retry_condition_fn=is_transient)
def publish_channel(
    channel: str, slug: str, draft: Draft, transport: Transport, ledger: Ledger, started: dt.datetime
) -> Receipt:
    """Send one channel's draft unless the ledger says it already went; record the outcome (with the reason of any
    failed attempt this publish retried, and what every attempt of it posted)."""
    prior = earlier_receipt(ledger, slug, channel, transport)
    if prior:
        report(channel, outcome(channel, "already_published"))
        return Receipt(channel, "already_published", url=prior.url, remote_id=prior.remote_id,
                       detail=f"already published {prior.updated_at:%Y-%m-%d %H:%M} UTC via {prior.transport}")
    digest = draft_digest(draft)
    retried = _retried_failure(ledger.receipt(slug, channel), started)
    ledger.record_receipt(slug, channel, "intended", payload_hash=digest, transport=transport.kind)
    report(channel, "sending" if retried is None else f"sending again after: {retried}")
    try:
        receipt = transport.send(draft)
    except Exception as error:
        status, reason = status_of(error), one_line(error)
        ledger.record_receipt(slug, channel, status, payload_hash=digest, detail=reason, transport=transport.kind)
        report(channel, f"{outcome(channel, status)}: {reason}")
        raise
    spec = CHANNELS[channel]
    if receipt.parts:
        receipt = counted_since(receipt, ledger, slug, spec.part_kind, spec.parts_word, started)
    if retried is not None:
        receipt = replace(receipt, detail=f"{receipt.detail}; went after a retried failure: {retried}")
    report(channel, outcome(channel, receipt.status))
    ledger.record_receipt(
        slug, channel, receipt.status, url=receipt.url, remote_id=receipt.remote_id,
        payload_hash=digest, detail=receipt.detail, transport=transport.kind,
    )
    record_sent(ledger, slug, draft)
    return receipt


def one_line(error: BaseException) -> str:
    """An error as one line for a result or the ledger: its message on one line, else its kind."""
    return " ".join(str(error).split()) or type(error).__name__


def _retried_failure(prior: ReceiptRow | None, started: dt.datetime) -> str | None:
    """The reason an earlier attempt of this same publish failed, when this attempt is its retry."""
    if prior is None or prior.status not in NOT_DONE or prior.updated_at < started:
        return None
    return prior.detail or prior.status


@task(task_run_name="upload-images", cache_policy=NONE, retry_condition_fn=is_transient)
def upload_images(transport: Transport, images: tuple[InlineImage, ...]) -> dict[str, str]:
    """Upload the body's images once to the Diff media library (or the outbox); their URLs by content digest."""
    return transport.upload_images(images)


@task(cache_policy=NONE)
def preflight(transports: dict[str, Transport], drafts: dict[str, Draft]) -> None:
    """Check every live channel's credentials and quotas before anything is sent, all at once (read-only)."""
    if not transports:
        return
    with ThreadPoolExecutor(max_workers=len(transports), thread_name_prefix="preflight") as pool:
        checks = [pool.submit(_check, transport, drafts[name]) for name, transport in transports.items()]
    problems = [str(error) for error in (check.result() for check in checks) if error is not None]
    if problems:  # every failing channel is named, in channel order, one line each
        raise PreflightError("\n".join(problems))


def _check(transport: Transport, draft: Draft) -> TransportError | None:
    """One channel's pre-flight, then its read-only lookups if it has any (WordPress: the post and terms)."""
    try:
        transport.preflight(draft)
        transport.check_site(draft)
    except TransportError as error:
        return error
    transport.look_up(draft)
    return None


def _outcome(channel: str, state, transport: Transport) -> ChannelResult:  # noqa: ANN001 - a Prefect State
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        return ChannelResult(channel, status_of(result), None, one_line(result), transport.kind)
    return ChannelResult(channel, result.status, result.url, result.detail, transport.kind)


@flow(name="publish-update", log_prints=True)
def publish_update(
    path: str, channels: list[str] | None = None, dry_run: bool = False, config: str | None = None
) -> list[dict]:
    """Publish one update: Diff first, then the other channels in parallel with the real Diff URL."""
    settings, channels, _ = for_publish(path, load_settings(config), channels)  # a translation: its language's
    rendered = prepare_publish(path, settings, channels)
    attach_preview(rendered)
    update = rendered.update
    if dry_run:
        results = [ChannelResult(name, "dry_run", None, "; ".join(draft.warnings), "none")
                   for name, draft in rendered.drafts.items()]
        return _report(update.slug, results, dry_run=True)

    ledger = open_ledger(settings.ledger_url)
    versions = versions_for(update, settings, ledger)  # the Diff post links the other published languages
    started = dt.datetime.now(dt.UTC)
    transports = {name: transport_for(name, settings, update.slug, ledger) for name in rendered.drafts}
    for name, transport in transports.items():
        transport.progress = reporter(name)
    with_images = update.images and any(name in IMAGE_CHANNELS for name in rendered.drafts)
    media = (transports.get("diff") or transport_for("diff", settings, update.slug, ledger)) if with_images else None
    retrying = {"retries": settings.publish.retries, "retry_delay_seconds": list(settings.publish.retry_delays)}
    send = publish_channel.with_options(**retrying)
    with closing([*transports.values(), *([media] if media not in (None, transports.get("diff")) else [])]), \
            publish_lease(ledger, update.slug, settings.publish.lease_ttl_seconds):
        changed = changes(ledger, rendered, settings)
        if changed:  # what went out differs from the drafts: nothing is sent until `publish --correct`
            return _report(update.slug, changed_results(ledger, rendered, changed, path))
        report("-", "pre-flight checks")
        preflight({name: transport for name, transport in transports.items()
                   if not earlier_receipt(ledger, update.slug, name, transport)}, rendered.drafts)
        report("-", "publishing")
        wait_for_own_time(ledger, update, flow_run.get_id())
        ledger.record_update(update.slug, str(update.source), update.title, update.date)
        results: list[ChannelResult] = []
        image_urls: dict[str, str] | None = None
        if media is not None:
            can_go = "diff" in rendered.drafts or not update.wants("diff") or known_diff_url(ledger, update.slug)
            waiting = [name for name in rendered.drafts if name in IMAGE_CHANNELS and (name == "diff" or can_go)
                       and not earlier_receipt(ledger, update.slug, name, transports[name])]
            image_urls, results = _upload_images(media, update.images, waiting, transports, retrying)
        skipped = {result.channel for result in results}  # could not go: their images are not uploaded
        diff_url = known_diff_url(ledger, update.slug)
        if "diff" in rendered.drafts and "diff" not in skipped:
            draft = relinked(rendered, settings, ["diff"], image_urls=image_urls, versions=versions).drafts["diff"]
            state = send("diff", update.slug, draft, transports["diff"], ledger, started, return_state=True)
            results.append(diff_result(_outcome("diff", state, transports["diff"]), update))
            if results[-1].status == "published":
                record_links(ledger, update.slug, versions, state.result().remote_id,
                             results[-1].url)
            diff_url = results[-1].url if results[-1].status in {"published", "already_published", "scheduled"} \
                else None

        others = [name for name in rendered.drafts if name != "diff" and name not in skipped]
        if others and diff_url is None and update.wants("diff"):
            results += [ChannelResult(name, "held", None, "waiting for the Diff post: its URL is the canonical link",
                                      transports[name].kind) for name in others]
            for name in others:
                report(name, outcome(name, "held"))
        elif others and is_scheduled(update):
            results += schedule_channels(ledger, update, {name: transports[name].kind for name in others}, path, config)
        elif others:
            if diff_url is not None and update.publish_at is not None:
                diff_url = due_diff_url(ledger, update, transports.get("diff"), diff_url)
            final = relinked(rendered, settings, others, diff_url=diff_url, image_urls=image_urls,
                             featured_url=uploaded_images(ledger, update.slug)["featured_url"])
            futures = {name: send.submit(name, update.slug, final.drafts[name], transports[name], ledger, started)
                       for name in others}
            for future in futures.values():
                future.wait()
            results += [_outcome(name, future.state, transports[name]) for name, future in futures.items()]
        results += relink_family(path, settings, ledger, f"herald publish {path}")
    return _report(update.slug, results)


def _upload_images(
    media: Transport, images: tuple[InlineImage, ...], waiting: list[str], transports: dict[str, Transport],
    retrying: dict,
) -> tuple[dict[str, str] | None, list[ChannelResult]]:
    """The images' URLs, uploaded once for the channels still to send; if that fails, a result for each of them."""
    if not waiting:
        return None, []
    state = upload_images.with_options(**retrying)(media, images, return_state=True)
    urls = state.result(raise_on_failure=False)
    if not isinstance(urls, BaseException):
        return urls, []
    detail = f"the body's images could not be uploaded: {one_line(urls)}"
    return None, [ChannelResult(name, status_of(urls), None, detail, transports[name].kind) for name in waiting]


def _report(slug: str, results: list[ChannelResult], dry_run: bool = False) -> list[dict]:
    markdown = summary_markdown(slug, results, dry_run=dry_run)
    create_markdown_artifact(key=f"publish-{slug}"[:100], markdown=markdown, description=f"herald publish {slug}")
    payload = [result.as_dict() for result in results]
    failed = [result.channel for result in results if result.status in NOT_DONE]
    if failed:
        return Failed(message=f"{', '.join(failed)} did not go out", data=payload)
    return Completed(message="all channels done", data=payload)


def publish_file(
    path: Path | str, channels: list[str] | None = None, dry_run: bool = False, config: Path | str | None = None
) -> list[dict]:
    """Run the flow and return its per-channel results, whatever the final state."""
    state = publish_update(str(path), channels, dry_run, str(config) if config else None, return_state=True)
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    return result
