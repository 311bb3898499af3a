"""Commands that render and write nothing anywhere else: check, preview, approve."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from channels.registry import load_update
from content.errors import UpdateError
from herald.cli.app import app
from herald.cli.console import EXIT_INVALID, INPUT_ERRORS, ConfigOption, err, fail, out, settings_from, update_files
from herald.pipeline.render import Rendered, content_root_for, load_and_render, render_update

if TYPE_CHECKING:
    from config.settings import Settings


def lifecycle_warnings(rendered: Rendered) -> list[str]:
    """Warnings about the update's place in time (a future date without publish_at)."""
    from herald.pipeline.schedule import date_warnings

    return date_warnings(rendered.update)


def _summary(rendered: Rendered) -> str:
    """Each channel with a few words on its draft, then a line per channel naming what its draft left out."""
    line = ", ".join(f"{name} ({draft.summary()})" if draft.summary() else name
                     for name, draft in rendered.drafts.items())
    return line + "".join(f"\n  {name} leaves out: {'; '.join(draft.left_out)}"
                          for name, draft in rendered.drafts.items() if draft.left_out)


def _check_one(path: Path) -> tuple[Path, str, list[str] | None, str]:
    """Render one update (in a worker): its summary, warnings and slug, or its one-line error and None; a
    translation also warns when it is outdated and names the channels its language sends nothing to.

    The ledger, when there is one, is read (never written): a slug another published file holds is an error,
    a channel whose drafts differ from what went out a warning."""
    from herald.pipeline.parallel import worker_identity, worker_settings
    from herald.pipeline.translations import language_settings, translation_warnings

    settings = worker_settings()
    identity = worker_identity()
    try:
        update = load_update(path, content_root_for(path, settings))
        # a translation renders only what it sends, with its language's accounts and lists (as publish does)
        own, channels, _ = language_settings(update, settings, None)
        rendered = render_update(update, own, channels)
        problem = identity.problem(rendered.update, across_files=False)
        if problem is not None:
            raise problem
    except INPUT_ERRORS as error:
        return path, str(error), None, ""
    warnings = rendered.warnings + lifecycle_warnings(rendered) + identity.changed(rendered, own)
    warnings += translation_warnings(rendered.update, settings)
    return path, _summary(rendered), warnings, rendered.update.slug


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Update files, or folders of them")],
    config: ConfigOption = None,
) -> None:
    """Validate updates and render every channel; no network, nothing written."""
    from herald.pipeline.parallel import each_file

    settings_from(config)
    files = update_files(paths)
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
        out.print(f"[green]ok[/green] {escape(str(path))}: {escape(summary)}", markup=True)
        for warning in warnings:
            out.print(f"  [yellow]warning:[/yellow] {escape(warning)}", markup=True)
    if not files:
        fail(UpdateError(" ".join(map(str, paths)), None, "no update files found"))
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
    """Write each channel's exact output and an index.html showing every channel (a folder: a page per update)."""
    from herald.preview.page import default_out, write_preview

    settings = settings_from(config)
    if serve:
        return _serve_preview(update, settings, port)
    if update.is_dir():
        return _preview_folder(update, out_dir or Path("preview"), config)
    try:
        rendered = load_and_render(update, settings)
    except INPUT_ERRORS as error:
        fail(error)
    folder = out_dir or default_out(rendered)
    rendered = _with_site_notes(rendered, settings)
    written = write_preview(rendered, folder)
    from herald.pipeline.translations import translation_warnings

    for warning in rendered.warnings + translation_warnings(rendered.update, settings):
        out.print(f"[yellow]warning:[/yellow] {escape(warning)}", markup=True)
    out.print(f"wrote {len(written)} files to {folder}/ (open {folder / 'index.html'})")
    from herald.preview.family import write_family

    family = write_family(update, settings, folder)
    if family is not None:
        out.print(f"its languages side by side: {family}")


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
            fail(error)
    server = make_server(target, settings, port)
    out.print(f"serving the preview of {target} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out.print("stopped")
    finally:
        server.server_close()


@app.command()
def approve(
    update: Annotated[Path, typer.Argument(help="The update file")],
    by: Annotated[str, typer.Option("--by", help="Who reviewed the preview")],
    config: ConfigOption = None,
) -> None:
    """Record that NAME reviewed every channel's draft as it is now; publish checks it when approval is required."""
    from herald.pipeline.approvals import Approvals

    settings = settings_from(config)
    try:
        if not by.strip():
            raise UpdateError(update, "--by", "needs the reviewer's name")
        rendered = load_and_render(update, settings)
    except INPUT_ERRORS as error:
        fail(error)
    digests = Approvals(settings.ledger_url).approve(rendered, by.strip())
    for warning in rendered.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}", markup=True)
    for channel, digest in digests.items():
        out.print(f"  {channel:<8} {digest[:12]}")
    out.print(f"approved {rendered.update.slug} by {by.strip()}", markup=False)
