"""The CLI's lifecycle commands: `publish --dry-run` notes, `publish --correct`, `unschedule`, `retract`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from channels.registry import CHANNELS, lifecycle_hook
from content.errors import UpdateError
from herald.cli.app import app
from herald.cli.console import (
    EXIT_FAILED,
    EXIT_INVALID,
    INPUT_ERRORS,
    ConfigOption,
    err,
    fail,
    out,
    preflight_failed,
    print_channel,
    print_results,
    settings_from,
    slug_of,
)
from herald.core.status import NOT_DONE

if TYPE_CHECKING:  # the ledger's SQLAlchemy loads only when a command opens one
    from config.settings import Settings
    from herald.core.ledger import Ledger, ReceiptRow
    from herald.pipeline.render import Rendered


def dry_run_report(rendered: Rendered, settings: Settings, path: str) -> None:
    """Each channel as a publish now would treat it, with the ledger's and the site's view; exit 1 if refused."""
    from herald.pipeline.notes import ledger_notes, schedule_notes, site_notes

    notes = {**schedule_notes(rendered), **ledger_notes(settings, rendered, path)}
    said = site_notes(settings, rendered)
    for name, draft in rendered.drafts.items():
        via = "live" if settings.channel(name).is_live() else "outbox"
        detail = notes.get(name) or "; ".join(draft.warnings) or "would be sent as previewed"
        extra = said.get(name, ([], None))[0]
        if extra and "already published" not in detail:
            detail += "; " + "; ".join(extra)
        root = not CHANNELS[name].waits_for_diff
        print_channel(name, "dry_run", via, rendered.context.diff_url if root else None, detail)
    refusals = [refusal for _, refusal in said.values() if refusal]
    if refusals:
        err.print(f"[red]pre-flight would fail, nothing would be sent:[/red] {refusals[0]}", markup=True)
        raise typer.Exit(EXIT_FAILED)


def run_correction(update: Path, rendered: Rendered, settings: Settings) -> None:
    """`publish --correct`: correct every published channel that changed, each write once."""
    import datetime as dt

    from herald.core.lease import LeaseHeld, publish_lease
    from herald.core.transport import PreflightError
    from herald.pipeline.corrections import Corrector, changes, open_revision
    from herald.pipeline.ledger_access import open_ledger

    ledger = open_ledger(settings.ledger_url)
    slug = rendered.update.slug
    try:
        with publish_lease(ledger, slug, settings.publish.lease_ttl_seconds):
            found = changes(ledger, rendered, settings)
            if open_revision(ledger, slug, start=False) is None and not found:
                out.print(f"{slug}: nothing to correct: what went out matches the update", markup=False)
                return
            _preflight(ledger, settings, rendered, found)  # a refusal here leaves the ledger as it was
            revision = open_revision(ledger, slug, start=True)
            ledger.record_update(slug, str(rendered.update.source), rendered.update.title, rendered.update.date)
            results = Corrector(ledger, settings, rendered, revision, dt.datetime.now(dt.UTC)).run(rendered, found)
            if all(result.status not in NOT_DONE or (result.status == "needs_attention" and lifecycle_hook(
                    result.channel, "CORRECTED_BY_A_PERSON")) for result in results):  # tracked by its own part
                ledger.mark_part_done(slug, "lifecycle", "correction", revision, str(revision))
    except PreflightError as error:
        preflight_failed(error)
    except LeaseHeld as error:
        err.print(f"[red]not corrected:[/red] {error}", markup=True)
        raise typer.Exit(EXIT_FAILED) from None
    except INPUT_ERRORS as error:
        fail(error)
    finally:
        ledger.close()
    out.print(f"{slug}: correction {revision}", markup=False)
    print_results([result.as_dict() for result in results])
    if any(result.status in NOT_DONE for result in results):
        raise typer.Exit(EXIT_FAILED)


def _preflight(ledger: Ledger, settings: Settings, rendered: Rendered, found: list) -> None:  # noqa: ANN001
    """Check the credentials of every live channel a correction writes to, before the first write."""
    from herald.pipeline.corrections import known_diff_url
    from herald.pipeline.select import transport_for

    changed = {change.channel: change for change in found}
    writes = [name for name in rendered.drafts
              if lifecycle_hook(name, "writes_correction")(rendered.update, changed.get(name))]
    diff_url = known_diff_url(ledger, rendered.update.slug) or rendered.context.diff_url
    for name in writes:  # a correction a channel could not send is refused before anything is written
        lifecycle_hook(name, "check_correction")(rendered.update, diff_url)
    for name in writes:
        transport = transport_for(name, settings, rendered.update.slug, ledger)
        try:
            if transport.kind == "live":
                transport.preflight(rendered.drafts[name])
        finally:
            transport.close()


def status_lines(ledger: Ledger, slug: str, row: ReceiptRow) -> list[str]:
    """Corrections of a channel, and the state of a scheduled flow run."""
    from herald.pipeline.schedule import flow_run_summary, prefect_server

    lines = []
    kept = ledger.snapshots(slug, row.channel)
    if len(kept) > 1:
        lines.append("revisions: " + ", ".join(
            f"{'original' if revision == 0 else f'correction {revision}'} {at:%Y-%m-%d %H:%M} UTC"
            for revision, _, _, at in kept))
    if row.channel in CHANNELS:
        lines += lifecycle_hook(row.channel, "status_lines")(ledger, slug)
    if row.status == "scheduled" and row.remote_id and prefect_server():
        lines.append(flow_run_summary(row.remote_id))
    return lines


def next_step(ledger: Ledger, slug: str, row: ReceiptRow, source: str) -> str | None:
    """`status`'s next step where the lifecycle decides it: "" for none, None to leave it to `resolve.advice`."""
    if row.status == "scheduled":
        return f"nothing before publish_at; then `herald publish {source}` sends it (or the scheduled flow run does)"
    if any(receipt.status == "retracted" for receipt in ledger.receipts(slug)):
        step = lifecycle_hook(row.channel, "retract_step")(ledger, slug, row) if row.channel in CHANNELS else None
        if step is not None:
            return step
        return "" if row.status in ("retracted", "published") else None
    return None


def _open_ledger(update: str, settings: Settings) -> Ledger:
    """The ledger, which must exist already: with none, nothing was published (and none is created)."""
    from herald.pipeline.ledger_access import existing_ledger

    ledger = existing_ledger(settings.ledger_url)
    if ledger is None:
        fail(UpdateError(update, None, f"nothing was published as {slug_of(update, settings)!r} (no ledger at "
                          f"{settings.ledger_url}), so there is nothing to take back"))
    return ledger


def _recorded(update: str, settings: Settings, ledger: Ledger):  # noqa: ANN202 - UpdateRow
    slug = slug_of(update, settings)
    recorded = ledger.update(slug)
    if recorded is None or not ledger.receipts(slug):
        fail(UpdateError(update, None, f"nothing was published as {slug!r}, so there is nothing to take back"))
    return recorded


@app.command()
def unschedule(
    update: Annotated[str, typer.Argument(help="The update file, or its slug")],
    config: ConfigOption = None,
) -> None:
    """Cancel a scheduled publish: the Prefect flow run, and the Diff post back to draft."""
    from herald.core.lease import LeaseHeld, publish_lease
    from herald.pipeline.unschedule import unschedule as take_back

    settings = settings_from(config)
    ledger = _open_ledger(update, settings)
    try:
        recorded = _recorded(update, settings, ledger)
        with publish_lease(ledger, recorded.slug, settings.publish.lease_ttl_seconds):
            lines, ok = take_back(ledger, settings, recorded.slug, update)
    except LeaseHeld as error:
        err.print(f"[red]not unscheduled:[/red] {error}", markup=True)
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        ledger.close()
    for line in lines:
        out.print(line, markup=False)
    if not ok:
        raise typer.Exit(EXIT_FAILED)


@app.command()
def retract(
    update: Annotated[str, typer.Argument(help="The update file, or its slug")],
    channels: Annotated[str | None, typer.Option(help="Comma-separated subset (default: every channel)")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why; sends a short notice to the list")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
    by_hand: Annotated[bool, typer.Option(
        "--by-hand", help="Its post was removed by hand (a channel herald cannot take down)")] = False,
    with_translations: Annotated[bool | None, typer.Option(
        "--with-translations/--without-translations", help="A source's translations too (asked on a terminal)")]
    = None,
    config: ConfigOption = None,
) -> None:
    """Take an update back: Diff to the trash, the thread deleted, Medium by hand, a notice to the list; its
    translations too with --with-translations, and the other languages' posts stop linking what was taken back."""
    import datetime as dt

    from herald.cli.translate import retract_family
    from herald.core.lease import LeaseHeld, publish_lease
    from herald.pipeline.retract import Retraction

    settings = settings_from(config)
    selected = [name.strip() for name in channels.split(",") if name.strip()] if channels else list(CHANNELS)
    unknown = [name for name in selected if name not in CHANNELS]
    if unknown:
        fail(UpdateError(update, "--channels", f"{unknown[0]!r} is not a channel ({', '.join(CHANNELS)})"))
    if reason is not None and not reason.strip():
        fail(UpdateError(update, "--reason", "is blank"))
    ledger = _open_ledger(update, settings)
    try:
        recorded = _recorded(update, settings, ledger)
        if not yes:
            if not sys.stdin.isatty():
                fail(UpdateError(update, "--yes", "retract asks for confirmation on a terminal; without one, "
                                  "add --yes"))
            if not typer.confirm(f"Retract {recorded.slug} from {', '.join(selected)}?", default=False):
                out.print("nothing retracted")
                return
        with publish_lease(ledger, recorded.slug, settings.publish.lease_ttl_seconds):
            results = Retraction(ledger, settings, recorded, reason.strip() if reason else None,
                                 dt.datetime.now(dt.UTC), by_hand).run(selected)
        out.print(f"{recorded.slug}: retraction", markup=False)
        print_results([result.as_dict() for result in results])
        results += retract_family(recorded, settings, ledger, selected, reason, by_hand, with_translations, yes)
    except LeaseHeld as error:
        err.print(f"[red]not retracted:[/red] {error}", markup=True)
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        ledger.close()
    if any(result.status in NOT_DONE for result in results):
        raise typer.Exit(EXIT_FAILED)


__all__ = ["EXIT_INVALID", "dry_run_report", "retract", "run_correction", "status_lines", "unschedule"]
