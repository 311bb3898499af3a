"""The monthly recap flow: read the month from the ledger, write the "Don't Blink" update, publish it."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run
from prefect.states import Completed, Failed

from channels.registry import load_update
from config.settings import Settings, load_settings
from content.errors import UpdateError
from content.model import Update
from flows.publish import publish_update
from herald.core.ledger import RecapEntry
from herald.pipeline.ledger_access import open_ledger
from herald.pipeline.recap import Month, build_recap, recap_path
from herald.pipeline.render import content_root_for


@dataclass
class RecapResult:
    """What a recap run did: the month, the file, how many updates it covers, each channel's outcome."""

    month: str
    status: str  # empty | published | failed | dry_run
    message: str
    path: str | None = None
    items: int = 0
    markdown: str | None = None
    results: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _source(row_source: str, settings: Settings) -> Path:
    """The update file a ledger row names; fall back to content/updates/ when it was recorded elsewhere."""
    path = Path(row_source)
    fallback = settings.content_root / "updates" / path.name
    return path if path.is_file() or not fallback.is_file() else fallback


@task(cache_policy=NONE)
def read_month(month: Month, settings: Settings) -> tuple[list[RecapEntry], dict[str, Update], list[str]]:
    """The month's ledger rows and their updates' front matter, re-read from each source file."""
    ledger = open_ledger(settings.ledger_url)
    try:
        entries = ledger.published_between(month.start, month.end)
    finally:
        ledger.close()
    updates: dict[str, Update] = {}
    warnings: list[str] = []
    for entry in entries:
        path = _source(entry.update.source, settings)
        try:
            updates[entry.update.slug] = load_update(path, content_root_for(path, settings))
        except UpdateError as error:
            warnings.append(f"{error}; the recap uses the ledger's title and no summary")
    return entries, updates, warnings


@task(cache_policy=NONE)
def write_recap(path: Path, text: str) -> bool:
    """Write the recap unless the file is already there (same text, or edited by a person); True if written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def _month(month: str | None, settings: Settings) -> Month:
    if month:
        return Month.parse(month)
    moment = flow_run.scheduled_start_time or dt.datetime.now(dt.UTC)  # a late scheduled run recaps its own month
    return Month.before(moment, settings.recap.zone)


@flow(name="monthly-recap", log_prints=True)
def monthly_recap(month: str | None = None, dry_run: bool = False, config: str | None = None) -> dict:
    """Build the "Don't Blink" recap of a month (default: the previous one) and publish it like any update."""
    settings = load_settings(config)
    which = _month(month, settings)
    entries, updates, warnings = read_month(which, settings)
    text = build_recap(which, entries, updates, settings)
    result = RecapResult(str(which), "empty", f"nothing was published in {which.name}; no recap", warnings=warnings)
    if text is None:
        print(result.message)
        return Completed(message=result.message, data=asdict(result))
    result.items, result.markdown = text.count("\n## "), text
    if dry_run:
        with tempfile.TemporaryDirectory(prefix="herald-recap-") as folder:
            path = Path(folder) / recap_path(which, settings).name
            path.write_text(text, encoding="utf-8")
            state = publish_update(str(path), None, True, config, return_state=True)
    else:
        path = recap_path(which, settings).resolve()
        if not write_recap(path, text) and path.read_text(encoding="utf-8") != text:
            warnings.append(f"{path} exists and differs from the ledger's view; publishing the file as it is")
        result.path = str(path)
        state = publish_update(str(path), None, False, config, return_state=True)
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, BaseException):
        raise outcome
    result.results = outcome
    if state.is_failed():
        result.status, result.message = "failed", f"recap of {which.name}: {state.message}"
        return Failed(message=result.message, data=asdict(result))
    result.status = "dry_run" if dry_run else "published"
    result.message = f"recap of {which.name}: {result.items} updates, {result.path or 'not written (dry run)'}"
    return Completed(message=result.message, data=asdict(result))


def recap_month(month: str | None = None, dry_run: bool = False, config: Path | str | None = None) -> dict:
    """Run the flow and return its result as a dict, whatever the final state."""
    state = monthly_recap(month, dry_run, str(config) if config else None, return_state=True)
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    return result if isinstance(result, dict) else asdict(result)
