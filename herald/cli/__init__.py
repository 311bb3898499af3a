"""The `herald` command line: check, preview, approve, publish, status, resolve, recap, deploy."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from channels.registry import CHANNELS
from config.settings import ConfigError, Settings, load_settings
from content.errors import UpdateError
from herald.core.draft import RenderError
from herald.core.status import colour_of
from herald.pipeline.gate import prepare_publish
from herald.pipeline.render import Rendered, load_and_render

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
_run_on_server = False  # a flow ran on a server that outlives this process (not a temporary one)
INPUT_ERRORS = (UpdateError, RenderError, ConfigError)

app = typer.Typer(
    name="herald", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Publish one Markdown update to Diff, Medium, X and the mailing list.",
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ConfigOption = Annotated[Path | None, typer.Option("--config", help="TOML config (default: config/herald.toml)")]


def _settings(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as error:
        _fail(error)


def _fail(error: Exception, code: int = EXIT_INVALID) -> None:
    err.print(f"[red]error:[/red] {error}", markup=True)
    raise typer.Exit(code)


def quiet_prefect() -> None:
    """Prefect's defaults for a CLI run: warnings only, no telemetry (this machine may have no internet)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _update_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.md")) if path.is_dir() else [path]
    return files


def lifecycle_status(ledger, slug: str, row) -> list[str]:  # noqa: ANN001 - Ledger, ReceiptRow
    """Lines `status` adds under a channel: its corrections and a scheduled flow run."""
    from herald.cli.lifecycle import status_lines

    return status_lines(ledger, slug, row)


def lifecycle_advice(ledger, slug: str, row, source: str) -> str | None:  # noqa: ANN001 - Ledger, ReceiptRow
    """The next step for a scheduled or retracted channel ("" for none), or None to use `resolve.advice`."""
    from herald.cli.lifecycle import next_step

    return next_step(ledger, slug, row, source)


def lifecycle_warnings(rendered: Rendered) -> list[str]:
    """Warnings about the update's place in time (a future date without publish_at)."""
    from herald.pipeline.schedule import date_warnings

    return date_warnings(rendered.update)


def _summary(rendered: Rendered) -> str:
    return ", ".join(f"{name} ({draft.summary()})" if draft.summary() else name
                     for name, draft in rendered.drafts.items())


def _check_one(path: Path) -> tuple[Path, str, list[str] | None, str]:
    """Render one update (in a worker): its summary, warnings and slug, or its one-line error and None.

    The ledger, when there is one, is read (never written): a slug another published file holds is an error,
    a channel whose drafts differ from what went out a warning."""
    from herald.pipeline.parallel import worker_identity, worker_settings

    settings = worker_settings()
    identity = worker_identity()
    try:
        rendered = load_and_render(path, settings)
        problem = identity.problem(rendered.update, across_files=False)
        if problem is not None:
            raise problem
    except INPUT_ERRORS as error:
        return path, str(error), None, ""
    warnings = rendered.warnings + lifecycle_warnings(rendered) + identity.changed(rendered, settings)
    return path, _summary(rendered), warnings, rendered.update.slug


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Update files, or folders of them")],
    config: ConfigOption = None,
) -> None:
    """Validate updates and render every channel; no network, nothing written."""
    from herald.pipeline.parallel import each_file

    _settings(config)
    files = _update_files(paths)
    invalid = 0
    seen: dict[str, Path] = {}  # slug -> the first file checked with it: two files cannot share one
    for path, summary, warnings, slug in each_file(_check_one, files, config):
        if warnings is not None and slug in seen:
            summary = (f"{path}: slug: {slug!r} is also the slug of {seen[slug]}; two updates cannot share one: "
                       f"give this one its own, e.g. `slug: {slug}-2`")
            warnings = None
        if warnings is None:
            invalid += 1
            err.print(f"[red]invalid[/red] {escape(summary)}", markup=True)
            continue
        seen.setdefault(slug, path)
        out.print(f"[green]ok[/green] {escape(str(path))}: {summary}", markup=True)
        for warning in warnings:
            out.print(f"  [yellow]warning:[/yellow] {escape(warning)}", markup=True)
    if not files:
        _fail(UpdateError(" ".join(map(str, paths)), None, "no update files found"))
    if invalid:
        raise typer.Exit(EXIT_INVALID)


@app.command()
def preview(
    update: Annotated[Path, typer.Argument(help="The update file, or a folder of them")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder to write (default: preview/<slug>)")] = None,
    serve: Annotated[bool, typer.Option("--serve", help="Serve on 127.0.0.1; reload when the update changes")] = False,
    port: Annotated[int, typer.Option(help="Port for --serve (default: a free one)")] = 0,
    config: ConfigOption = None,
) -> None:
    """Write each channel's exact output and an index.html showing all four (a folder: a page per update)."""
    from herald.preview.page import default_out, write_preview

    settings = _settings(config)
    if serve:
        return _serve_preview(update, settings, port)
    if update.is_dir():
        return _preview_folder(update, out_dir or Path("preview"), config)
    try:
        rendered = load_and_render(update, settings)
    except INPUT_ERRORS as error:
        _fail(error)
    folder = out_dir or default_out(rendered)
    rendered = _with_site_notes(rendered, settings)
    written = write_preview(rendered, folder)
    for warning in rendered.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}", markup=True)
    out.print(f"wrote {len(written)} files to {folder}/ (open {folder / 'index.html'})")


def _with_site_notes(rendered: Rendered, settings: Settings) -> Rendered:
    """The preview's warnings plus what each live service says of its draft (new tags, unknown categories)."""
    import dataclasses

    from herald.pipeline.notes import site_notes

    drafts = dict(rendered.drafts)
    for name, (notes, refusal) in site_notes(settings, rendered).items():
        notes = [*notes, refusal] if refusal else notes
        if notes:
            drafts[name] = dataclasses.replace(drafts[name], warnings=(*drafts[name].warnings, *notes))
    return dataclasses.replace(rendered, drafts=drafts)


def _preview_folder(folder: Path, out_dir: Path, config: Path | None) -> None:
    from herald.preview.page import write_folder

    entries = write_folder(folder, out_dir, config)
    for entry in entries:
        if entry.error:
            err.print(f"[red]invalid[/red] {escape(entry.error)}", markup=True)
    written = 1 + sum(entry.files for entry in entries)
    out.print(f"wrote {written} files to {out_dir}/ (open {out_dir / 'index.html'})")
    if any(entry.error for entry in entries):
        raise typer.Exit(EXIT_INVALID)


def _serve_preview(target: Path, settings: Settings, port: int) -> None:
    from herald.preview.serve import make_server

    if not target.is_dir():
        try:
            load_and_render(target, settings)
        except INPUT_ERRORS as error:
            _fail(error)
    server = make_server(target, settings, port)
    out.print(f"serving the preview of {target} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out.print("stopped")
    finally:
        server.server_close()


@app.command()
def publish(
    update: Annotated[Path, typer.Argument(help="The update file")],
    channels: Annotated[str | None, typer.Option(help="Comma-separated subset, e.g. diff,twitter")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Render and report; send nothing")] = False,
    correct: Annotated[bool, typer.Option("--correct", help="Correct what went out to match the update now")]
    = False,
    config: ConfigOption = None,
) -> None:
    """Publish an update: Diff first, then Medium, X and email in parallel."""
    settings = _settings(config)
    selected = [name.strip() for name in channels.split(",") if name.strip()] if channels else None
    try:
        rendered = prepare_publish(update, settings, selected)
    except INPUT_ERRORS as error:
        _fail(error)
    if dry_run:  # everything a publish checks before its first side effect, without starting Prefect
        from herald.cli.lifecycle import dry_run_report

        return dry_run_report(rendered, settings, str(update))
    if correct:
        from herald.cli.lifecycle import run_correction

        return run_correction(update, rendered, settings)
    from herald.core.report import NOT_DONE

    results = _run_flow(settings, "publish", "flows.publish", "publish_file",
                        update, selected, dry_run, config=config)
    _print_results(results)
    if any(result["status"] in NOT_DONE for result in results):
        _after_failure(settings, f"herald publish {update}", results, update)
        raise typer.Exit(EXIT_FAILED)


def _run_flow(settings: Settings, title: str, module: str, function: str, *args: object, **kwargs: object):  # noqa: ANN202
    """Run a flow on the engine with live progress; Prefect's own logs go to a file; every failure is one line."""
    global _run_on_server
    import importlib

    from herald.core.lease import LeaseHeld
    from herald.core.transport import PreflightError
    from herald.pipeline.progress import report, showing
    from herald.run import engine
    from herald.run.runlog import logs_to, write_traceback

    quiet_prefect()
    log = engine.log_path(settings, "prefect.log")
    failure: tuple[list[str], int] | None = None
    with showing(err, title):
        try:
            connection = engine.connect(settings)
            report("-", "starting the Prefect engine" if connection.started or connection.kind == "temporary"
                   else "loading Prefect")
            run = getattr(importlib.import_module(module), function)  # imported while a new engine starts
            _run_on_server = connection.kind != "temporary"
            with logs_to(log), engine.running_on(connection, settings):
                if connection.started:
                    err.print(engine.started_notice(connection), markup=False)
                report("-", "running the flow")
                return run(*args, **kwargs)
        except engine.EngineError as error:
            failure = ([f"[red]error:[/red] {escape(str(error))}"], EXIT_FAILED)
        except PreflightError as error:  # one line per channel that failed its check
            failure = (_preflight_lines(error), EXIT_FAILED)
        except LeaseHeld as error:
            failure = ([f"[red]not published:[/red] {escape(str(error))}"], EXIT_FAILED)
        except INPUT_ERRORS as error:
            failure = ([f"[red]error:[/red] {escape(str(error))}"], EXIT_INVALID)
        except Exception as error:  # noqa: BLE001 - anything else: one line here, the traceback in the log
            write_traceback(log, error)
            detail = " ".join(str(error).split()) or "no message"
            failure = ([f"[red]error:[/red] {escape(title)} stopped: {type(error).__name__}: {escape(detail)}; "
                        f"details in {engine.shown(log)}"], EXIT_FAILED)
    for line in failure[0]:
        err.print(line, markup=True)
    raise typer.Exit(failure[1])


def _after_failure(settings: Settings, rerun: str, results: list[dict], source: Path | None = None) -> None:
    """What to do next, for the kinds of outcome that are not done (each piece of advice works in its state)."""
    from herald.run.engine import log_path, shown

    statuses = {result["status"] for result in results}
    if statuses & {"failed", "held"}:
        out.print(f"rerun `{rerun}` to retry what failed (nothing is sent twice); Prefect's log: "
                  f"{shown(log_path(settings, 'prefect.log'))}", markup=False)
    if "needs_attention" in statuses and source is not None:
        out.print(f"a person must check what the service received: `herald status {source}` says what, and the "
                  "`herald resolve` command to run", markup=False)
    if "changed" in statuses and source is not None:
        out.print(f"nothing was sent: `herald publish {source} --correct` corrects what went out", markup=False)


def _preflight_lines(error: Exception) -> list[str]:
    """One line per channel that failed its pre-flight check; nothing was sent."""
    return [f"[red]pre-flight failed:[/red] {escape(line)}; nothing was sent" for line in str(error).splitlines()]


def _preflight_failed(error: Exception) -> None:
    """Print the pre-flight failures and stop with exit 1."""
    for line in _preflight_lines(error):
        err.print(line, markup=True)
    raise typer.Exit(EXIT_FAILED) from None


def _print_channel(channel: str, status: str, via: str, url: str | None, detail: str, when: str = "") -> None:
    colour = colour_of(status)
    out.print(f"  {channel:<8} [{colour}]{status:<17}[/{colour}] {via:<7} {url or '-'}{when}", markup=True)
    if detail:
        out.print(f"           {detail}", markup=False)


def _print_results(results: list[dict]) -> None:
    for row in results:
        _print_channel(row["channel"], row["status"], row["transport"], row["url"], row["detail"])


@app.command()
def status(
    update: Annotated[str, typer.Argument(help="The update file, or its slug")],
    config: ConfigOption = None,
) -> None:
    """What went where for an update, with URLs, and what needs a person."""
    from herald.pipeline.ledger_access import open_ledger
    from herald.pipeline.resolve import advice

    settings = _settings(config)
    slug = _slug_of(update, settings)
    if settings.ledger_url.startswith("sqlite:///") and not Path(settings.ledger_url[10:]).exists():
        out.print(f"{slug}: nothing published yet (no ledger at {settings.ledger_url[10:]})")
        return
    ledger = open_ledger(settings.ledger_url)
    receipts = ledger.receipts(slug)
    if not receipts:
        out.print(f"{slug}: nothing published yet")
        return
    recorded = ledger.update(slug)
    out.print(f"{slug} ({recorded.source if recorded else update})", markup=False)
    holder = ledger.lease_holder(slug)
    if holder:
        out.print(f"  a publish is running now ({holder[0]}, lease until {holder[1]:%H:%M} UTC)", markup=False)
    source = recorded.source if recorded else update
    for row in receipts:
        _print_channel(row.channel, row.status, row.transport, row.url, row.detail,
                       f"  ({row.updated_at:%Y-%m-%d %H:%M} UTC)")
        for line in lifecycle_status(ledger, slug, row):
            out.print(f"           {line}", markup=False)
        spec = CHANNELS.get(row.channel)
        kind = spec.part_kind if spec is not None else "post"
        posts = ledger.parts(slug, row.channel, kind) if spec is not None and spec.thread else []
        if posts:
            done = sum(part.status == "done" for part in posts)
            open_parts = [f"{part.position}: {part.status}" for part in posts if part.status != "done"]
            out.print(f"           {done} {spec.parts_word if spec else 'posts'} posted" +
                      (f" ({', '.join(open_parts)})" if open_parts else ""), markup=False)
        step = lifecycle_advice(ledger, slug, row, source)
        step = advice(ledger, slug, row.channel, source, row) if step is None else step
        if step:
            out.print(f"           next: {step}", markup=False)


@app.command()
def resolve(
    update: Annotated[str, typer.Argument(help="The update file, or its slug")],
    channel: Annotated[str, typer.Argument(help=f"One of: {', '.join(CHANNELS)}")],
    sent: Annotated[str | None, typer.Option("--sent", help="It went out: the URL where it is")] = None,
    not_sent: Annotated[bool, typer.Option("--not-sent", help="It did not go out: allow sending it again")] = False,
    part: Annotated[int | None, typer.Option("--part", help="Which write, e.g. the tweet's number in the thread")]
    = None,
    config: ConfigOption = None,
) -> None:
    """Settle a write herald could not check itself (shown as needs_attention by `herald status`)."""
    from herald.pipeline.ledger_access import open_ledger
    from herald.pipeline.resolve import NothingToResolve
    from herald.pipeline.resolve import resolve as settle

    if bool(sent) == not_sent:
        _fail(UpdateError(update, "resolve", "say either --sent URL or --not-sent"))
    if channel not in CHANNELS:
        _fail(UpdateError(update, "channel", f"{channel!r} is not a channel ({', '.join(CHANNELS)})"))
    if sent and not sent.startswith(("https://", "http://", "mid:")):
        _fail(UpdateError(update, "--sent", f"{sent!r} is not a URL (https://... or, for an email, mid:...)"))
    settings = _settings(config)
    slug = _slug_of(update, settings)
    if settings.ledger_url.startswith("sqlite:///") and not Path(settings.ledger_url[10:]).exists():
        _fail(NothingToResolve(f"{slug}: nothing was published yet (no ledger at {settings.ledger_url[10:]})"))
    try:
        out.print(settle(open_ledger(settings.ledger_url), slug, channel, sent, part), markup=False)
    except NothingToResolve as error:
        _fail(error)


def _slug_of(update: str, settings: Settings) -> str:
    """The slug of an update given as a file or as the slug itself."""
    from channels.registry import load_update
    from herald.pipeline.render import content_root_for

    path = Path(update)
    if path.suffix != ".md" and not path.exists():
        return update
    try:
        return load_update(path, content_root_for(path, settings)).slug
    except UpdateError as error:
        _fail(error)


@app.command()
def recap(
    month: Annotated[str | None, typer.Argument(help="YYYY-MM (default: the previous month)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Build and render the recap; write and send nothing")]
    = False,
    config: ConfigOption = None,
) -> None:
    """Write and publish the monthly "Don't Blink" recap of what was published in a month."""
    from herald.pipeline.recap import Month

    settings = _settings(config)
    if month is not None:
        try:
            Month.parse(month)
        except ValueError as error:
            _fail(error)
    result = _run_flow(settings, "recap", "flows.recap", "recap_month",
                       month, dry_run, config=config)
    for warning in result["warnings"]:
        out.print(f"[yellow]warning:[/yellow] {warning}", markup=True)
    if dry_run and result["markdown"]:
        out.print(result["markdown"], markup=False)
    out.print(result["message"], markup=False)
    _print_results(result["results"])
    if result["status"] == "failed":
        _after_failure(settings, f"herald recap {month or ''}".strip(), result["results"])
        raise typer.Exit(EXIT_FAILED)


@app.command()
def deploy(config: ConfigOption = None) -> None:
    """Register prefect.yaml's deployments (publish-update, monthly-recap) with the server in PREFECT_API_URL."""
    from herald.run.deploy import DeployError, ensure_work_pool
    from herald.run.deploy import deploy as register

    settings = _settings(config)
    if not os.environ.get("PREFECT_API_URL"):
        _fail(DeployError("PREFECT_API_URL is not set: point it at your Prefect server, e.g. http://127.0.0.1:4200/api"))
    quiet_prefect()
    with err.status("Registering deployments…"):
        try:
            if ensure_work_pool():
                out.print("created the process work pool 'herald'")
            register(settings.recap)
        except DeployError as error:
            _fail(error, EXIT_FAILED)
    out.print(f"registered publish-update and monthly-recap (cron {settings.recap.cron!r}, {settings.recap.timezone});"
              " start a worker with: prefect worker start --pool herald", markup=False)


@app.command()
def approve(
    update: Annotated[Path, typer.Argument(help="The update file")],
    by: Annotated[str, typer.Option("--by", help="Who reviewed the preview")],
    config: ConfigOption = None,
) -> None:
    """Record that NAME reviewed every channel's draft as it is now; publish checks it when approval is required."""
    from herald.pipeline.approvals import Approvals

    settings = _settings(config)
    try:
        if not by.strip():
            raise UpdateError(update, "--by", "needs the reviewer's name")
        rendered = load_and_render(update, settings)
    except INPUT_ERRORS as error:
        _fail(error)
    digests = Approvals(settings.ledger_url).approve(rendered, by.strip())
    for warning in rendered.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}", markup=True)
    for channel, digest in digests.items():
        out.print(f"  {channel:<8} {digest[:12]}")
    out.print(f"approved {rendered.update.slug} by {by.strip()}", markup=False)


engine_app = typer.Typer(no_args_is_help=True, help="The local Prefect engine that publish and recap run on.")
app.add_typer(engine_app, name="engine")


@engine_app.command("status")
def engine_status(config: ConfigOption = None) -> None:
    """Where flows run: the server in PREFECT_API_URL, or herald's resident engine (its URL, pid and home)."""
    from herald.run import engine

    settings = _settings(config)
    url = engine.configured_url()
    if url:
        out.print(f"PREFECT_API_URL is set: flows run on {url}; herald starts no engine", markup=False)
        return
    record = engine.read_record(settings)
    if record is None:
        when = ("every publish starts and stops a temporary engine" if settings.engine.mode == "temporary"
                else "the next publish or `herald engine start` starts it")
        out.print(f"no engine running (mode {settings.engine.mode}: {when})", markup=False)
        return
    state = "answering" if engine.healthy(record["url"]) else "not answering yet"
    out.print(f"running at {record['url'][:-4]} ({state}; the Prefect UI is there), pid {record['pid']}, home "
              f"{engine.shown(engine.engine_home(settings))}; `herald engine stop` stops it", markup=False)


@engine_app.command("start")
def engine_start(config: ConfigOption = None) -> None:
    """Start the resident engine now (publish starts it when needed) and wait until it answers."""
    from herald.run import engine

    settings = _settings(config)
    if engine.configured_url():
        out.print("PREFECT_API_URL is set: flows run on that server; herald starts no engine", markup=False)
        return
    connection = engine.connect(settings.model_copy(update={"engine": settings.engine.model_copy(
        update={"mode": "resident"})}))
    try:
        with err.status("starting the Prefect engine…"):
            engine.wait_ready(connection, settings)
    except engine.EngineError as error:
        _fail(error, EXIT_FAILED)
    if connection.started:
        out.print(engine.started_notice(connection), markup=False)
    else:
        out.print(f"already running at {connection.url[:-4]} (pid {connection.pid})", markup=False)


@engine_app.command("stop")
def engine_stop(config: ConfigOption = None) -> None:
    """Stop the resident engine (the next publish starts it again)."""
    from herald.run import engine

    settings = _settings(config)
    pid = engine.stop(settings)
    out.print(f"stopped the Prefect engine (pid {pid})" if pid else "no engine running", markup=False)


from herald.cli import lifecycle as _lifecycle_commands  # noqa: E402, F401 - registers unschedule, retract


def main() -> None:
    """Entry point for the `herald` script."""
    try:
        app()
    except SystemExit as stop:
        code = stop.code
    except KeyboardInterrupt:
        err.print("interrupted; run the same command again to finish (nothing is sent twice)", markup=False)
        code = 130
    except Exception as error:  # noqa: BLE001 - the last guard: one line for the person, the traceback in a file
        code = EXIT_FAILED
        err.print(f"error: {type(error).__name__}: {' '.join(str(error).split()) or 'no message'}; details in "
                  f"{_log_unexpected(error)}", markup=False)
    else:
        code = 0
    if _run_on_server:
        _quick_exit(code)
    sys.exit(code)


def _log_unexpected(error: BaseException) -> str:
    """Write an unexpected error's traceback to herald's log file; where it went, as a person would type it."""
    import tempfile

    from herald.run.engine import log_path, shown
    from herald.run.runlog import write_traceback

    try:
        path = log_path(load_settings(os.environ.get("HERALD_CONFIG")), "herald.log")
    except Exception:  # noqa: BLE001 - a broken config must not hide the error itself
        path = Path(tempfile.gettempdir()) / "herald.log"
    write_traceback(path, error)
    return shown(path)


def _quick_exit(code: object) -> None:
    """After a flow on a server that outlives us: send Prefect's queued logs and events, then skip the teardown."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=5)
    EventsWorker.drain_all(timeout=5)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if code is None else code if isinstance(code, int) else 1)


if __name__ == "__main__":
    from herald.cli import main as registered  # the module as imported, with the lifecycle commands registered

    registered()
