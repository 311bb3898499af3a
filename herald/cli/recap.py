"""The monthly recap and the deployments that schedule it."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from herald.cli.app import app
from herald.cli.console import EXIT_FAILED, ConfigOption, err, fail, out, print_results, settings_from
from herald.cli.flowrun import after_failure, quiet_prefect, run_flow


@app.command()
def recap(
    month: Annotated[str | None, typer.Argument(help="YYYY-MM (default: the previous month)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Build and render the recap; write and send nothing")]
    = False,
    config: ConfigOption = None,
) -> None:
    """Write and publish the monthly "Don't Blink" recap of what was published in a month."""
    from herald.pipeline.recap import Month

    settings = settings_from(config)
    if month is not None:
        try:
            Month.parse(month)
        except ValueError as error:
            fail(error)
    result = run_flow(settings, "recap", "flows.recap", "recap_month",
                       month, dry_run, config=config)
    for warning in result["warnings"]:
        out.print(f"[yellow]warning:[/yellow] {warning}", markup=True)
    if dry_run and result["markdown"]:
        out.print(result["markdown"], markup=False)
    out.print(result["message"], markup=False)
    print_results(result["results"])
    if result["status"] == "failed":
        after_failure(settings, f"herald recap {month or ''}".strip(), result["results"])
        raise typer.Exit(EXIT_FAILED)


@app.command()
def deploy(config: ConfigOption = None) -> None:
    """Register prefect.yaml's deployments (publish-update, monthly-recap) with the server in PREFECT_API_URL."""
    from herald.run.deploy import DeployError, ensure_work_pool
    from herald.run.deploy import deploy as register

    settings = settings_from(config)
    if not os.environ.get("PREFECT_API_URL"):
        fail(DeployError("PREFECT_API_URL is not set: point it at your Prefect server, e.g. http://127.0.0.1:4200/api"))
    quiet_prefect()
    with err.status("Registering deployments…"):
        try:
            if ensure_work_pool():
                out.print("created the process work pool 'herald'")
            register(settings.recap)
        except DeployError as error:
            fail(error, EXIT_FAILED)
    out.print(f"registered publish-update and monthly-recap (cron {settings.recap.cron!r}, {settings.recap.timezone});"
              " start a worker with: prefect worker start --pool herald", markup=False)
