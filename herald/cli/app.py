"""The `herald` command and its `engine` group; the command modules register on them."""

from __future__ import annotations

import typer

from channels.registry import ORDER

app = typer.Typer(
    name="herald", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help=f"Publish one Markdown update to every channel ({', '.join(ORDER)}), Diff first.",
)


engine_app = typer.Typer(no_args_is_help=True, help="The local Prefect engine that publish and recap run on.")


app.add_typer(engine_app, name="engine")
