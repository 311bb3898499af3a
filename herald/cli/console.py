"""What every command shares: the consoles, exit codes, settings at the edge, one-line failures, result lines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from config.settings import ConfigError, Settings, load_settings
from content.errors import UpdateError
from herald.core.draft import RenderError
from herald.core.status import colour_of

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


INPUT_ERRORS = (UpdateError, RenderError, ConfigError)


out = Console(highlight=False, soft_wrap=True)


err = Console(stderr=True, highlight=False, soft_wrap=True)


ConfigOption = Annotated[Path | None, typer.Option("--config", help="TOML config (default: config/herald.toml)")]


def settings_from(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as error:
        fail(error)


def fail(error: Exception, code: int = EXIT_INVALID) -> None:
    err.print(f"[red]error:[/red] {error}", markup=True)
    raise typer.Exit(code)


def update_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.md")) if path.is_dir() else [path]
    return files


def preflight_lines(error: Exception) -> list[str]:
    """One line per channel that failed its pre-flight check; nothing was sent."""
    return [f"[red]pre-flight failed:[/red] {escape(line)}; nothing was sent" for line in str(error).splitlines()]


def preflight_failed(error: Exception) -> None:
    """Print the pre-flight failures and stop with exit 1."""
    for line in preflight_lines(error):
        err.print(line, markup=True)
    raise typer.Exit(EXIT_FAILED) from None


def print_channel(channel: str, status: str, via: str, url: str | None, detail: str, when: str = "") -> None:
    colour = colour_of(status)
    out.print(f"  {channel:<8} [{colour}]{status:<17}[/{colour}] {via:<7} {url or '-'}{when}", markup=True)
    if detail:
        out.print(f"           {detail}", markup=False)


def print_results(results: list[dict]) -> None:
    for row in results:
        print_channel(row["channel"], row["status"], row["transport"], row["url"], row["detail"])


def slug_of(update: str, settings: Settings) -> str:
    """The slug of an update given as a file or as the slug itself."""
    from channels.registry import load_update
    from herald.pipeline.render import content_root_for

    path = Path(update)
    if path.suffix != ".md" and not path.exists():
        return update
    try:
        return load_update(path, content_root_for(path, settings)).slug
    except UpdateError as error:
        fail(error)
