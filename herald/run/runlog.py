"""Prefect's own log lines (tracebacks included) go to a file under the state folder, never to the terminal."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _terminal_handlers() -> list[tuple[logging.Logger, logging.Handler]]:
    """Every handler that writes to a stream other than a file, on the root logger and every named logger."""
    loggers = [logging.getLogger()] + [logger for logger in logging.root.manager.loggerDict.values()
                                       if isinstance(logger, logging.Logger)]
    return [(logger, handler) for logger in loggers for handler in logger.handlers
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)]


@contextmanager
def logs_to(path: Path) -> Iterator[logging.Handler]:
    """Send what Prefect would print to the terminal into `path` while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s - %(message)s"))
    swapped = _terminal_handlers()
    for logger, old in swapped:
        logger.removeHandler(old)
        if handler not in logger.handlers:
            logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger, old in swapped:
            logger.removeHandler(handler)
            logger.addHandler(old)
        handler.close()


def write_traceback(path: Path, error: BaseException) -> None:
    """Append an unexpected error's traceback to the log file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as log:
        log.write("".join(traceback.format_exception(error)))
