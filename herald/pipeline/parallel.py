"""Work on every update of a folder across the machine's cores, results in file order."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from config.settings import Settings, load_settings

if TYPE_CHECKING:
    from herald.pipeline.identity import IdentityCheck

MIN_PARALLEL = 8  # below this, starting worker processes costs more than it saves
Result = TypeVar("Result")
_settings: Settings | None = None


def _init(config: str | None) -> None:
    global _settings
    _settings = load_settings(config)
    worker_identity.cache_clear()


def worker_settings() -> Settings:
    """The settings a worker read once when it started."""
    assert _settings is not None, "call through each_file()"
    return _settings


@lru_cache(maxsize=1)
def worker_identity() -> IdentityCheck:
    """The worker's read-only view of the ledger for identity checks (None inside when there is no ledger)."""
    from herald.pipeline.identity import IdentityCheck

    return IdentityCheck(worker_settings().ledger_url)


def _close_identity() -> None:
    """Close this process's ledger view, so no open connection is forked into the workers."""
    if worker_identity.cache_info().currsize:
        worker_identity().close()
    worker_identity.cache_clear()


def workers() -> int:
    """How many processes to use: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def each_file(work: Callable[[Path], Result], files: Sequence[Path], config: Path | str | None) -> Iterator[Result]:
    """`work(file)` for every file, in processes when there are enough files and cores; yields in file order.

    In parallel, the first file is done here before the workers fork: the renderers' imports, compiled patterns
    and catalogs it loads are then inherited by every worker instead of loaded again in each."""
    count = workers()
    config = str(config) if config else None
    _init(config)
    if len(files) < MIN_PARALLEL or count < 2:
        yield from map(work, files)
        return
    yield work(files[0])
    _close_identity()
    rest = files[1:]
    chunk = max(1, min(16, len(rest) // (count * 4)))
    with ProcessPoolExecutor(count, mp_context=get_context("fork"), initializer=_init, initargs=(config,)) as pool:
        yield from pool.map(work, rest, chunksize=chunk)
