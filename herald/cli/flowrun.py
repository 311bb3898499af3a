"""Running a flow from the command line: on the engine, with live progress, every failure one line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from herald.cli.console import EXIT_FAILED, EXIT_INVALID, INPUT_ERRORS, err, out, preflight_lines

if TYPE_CHECKING:
    from config.settings import Settings

ran_on_server = False  # a flow ran on a server that outlives this process (not a temporary one)


def quiet_prefect() -> None:
    """Prefect's defaults for a CLI run: warnings only, no telemetry (this machine may have no internet)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def run_flow(settings: Settings, title: str, module: str, function: str, *args: object, **kwargs: object):  # noqa: ANN202
    """Run a flow on the engine with live progress; Prefect's own logs go to a file; every failure is one line."""
    global ran_on_server
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
            ran_on_server = connection.kind != "temporary"
            with logs_to(log), engine.running_on(connection, settings):
                if connection.started:
                    err.print(engine.started_notice(connection), markup=False)
                report("-", "running the flow")
                return run(*args, **kwargs)
        except engine.EngineError as error:
            failure = ([f"[red]error:[/red] {escape(str(error))}"], EXIT_FAILED)
        except PreflightError as error:  # one line per channel that failed its check
            failure = (preflight_lines(error), EXIT_FAILED)
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


def after_failure(settings: Settings, rerun: str, results: list[dict], source: Path | None = None) -> None:
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
