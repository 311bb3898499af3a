"""`herald publish`: the publish flow, a dry run, or a correction."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from channels.registry import ORDER
from herald.cli.app import app
from herald.cli.console import EXIT_FAILED, INPUT_ERRORS, ConfigOption, fail, print_results, settings_from
from herald.cli.flowrun import after_failure, run_flow
from herald.pipeline.gate import prepare_publish
from herald.pipeline.translations import for_publish


@app.command()
def publish(
    update: Annotated[Path, typer.Argument(help="The update file")],
    channels: Annotated[str | None, typer.Option(help=f"Comma-separated subset of {','.join(ORDER)}")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Render and report; send nothing")] = False,
    correct: Annotated[bool, typer.Option("--correct", help="Correct what went out to match the update now")]
    = False,
    yes: Annotated[bool, typer.Option("--yes", help="Publish an outdated translation without asking")] = False,
    config: ConfigOption = None,
) -> None:
    """Publish an update: Diff first, then the other channels in parallel with its URL."""
    from herald.cli.translate import confirm_outdated, skipped_lines

    settings = settings_from(config)
    selected = [name.strip() for name in channels.split(",") if name.strip()] if channels else None
    try:
        settings, selected, skipped = for_publish(update, settings, selected)
        rendered = prepare_publish(update, settings, selected)
    except INPUT_ERRORS as error:
        fail(error)
    confirm_outdated(rendered.update, settings, yes or dry_run)
    skipped_lines(skipped)
    if dry_run:  # everything a publish checks before its first side effect, without starting Prefect
        from herald.cli.lifecycle import dry_run_report

        return dry_run_report(rendered, settings, str(update))
    if correct:
        from herald.cli.lifecycle import run_correction

        return run_correction(update, rendered, settings)
    from herald.core.report import NOT_DONE

    results = run_flow(settings, "publish", "flows.publish", "publish_file",
                        update, selected, dry_run, config=config)
    print_results(results)
    if any(result["status"] in NOT_DONE for result in results):
        after_failure(settings, f"herald publish {update}", results, update)
        raise typer.Exit(EXIT_FAILED)
