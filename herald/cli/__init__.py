"""The `herald` command line: commands in modules by concern (importing it loads no Prefect)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from config.settings import load_settings
from herald.cli import (  # noqa: F401 - they register commands
    drafts,
    engine,
    flowrun,
    lifecycle,
    publish,
    recap,
    status,
    translate,
)
from herald.cli.app import app
from herald.cli.console import EXIT_FAILED, err


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
    if flowrun.ran_on_server:
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
