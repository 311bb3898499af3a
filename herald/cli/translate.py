"""Translations: `herald translate`, the family listing of `herald status`, and a publish's translation checks."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from content.errors import UpdateError
from content.family import family_of, is_translation
from herald.cli.app import app
from herald.cli.console import INPUT_ERRORS, ConfigOption, fail, out, print_results, settings_from

if TYPE_CHECKING:
    from config.settings import Settings
    from content.model import Update
    from herald.core.ledger import Ledger, UpdateRow
    from herald.core.report import ChannelResult


@app.command()
def translate(
    source: Annotated[Path, typer.Argument(help="The source update file")],
    lang: Annotated[str, typer.Option("--lang", help="The language to translate into (fr, es, ar, ru, pt-BR...)")],
    up_to_date: Annotated[bool, typer.Option(
        "--up-to-date", help="The translation now follows the source's current text: record its revision")] = False,
    config: ConfigOption = None,
) -> None:
    """Write SOURCE's translation stub `<stem>.<lang>.md` (the text to translate, from the source's revision)."""
    from herald.pipeline.translations import mark_up_to_date, write_stub

    settings = settings_from(config)
    try:
        if up_to_date:
            target, before, revision = mark_up_to_date(source, lang.strip(), settings)
        else:
            target, revision = write_stub(source, lang.strip(), settings)
    except INPUT_ERRORS as error:
        fail(error)
    if up_to_date:
        change = "already" if before == revision else f"was {before or 'unknown'}; now"
        out.print(f"{target}: source_revision {change} {revision}: up to date with {source}", markup=False)
        return
    out.print(f"wrote {target} (status: draft; source revision {revision}, its text kept in "
              f"{source.parent / '.sources' / (revision + '.md')})", markup=False)
    out.print(f"translate its title, summary and body, set `status: ready`; `herald check {target}` validates it "
              f"and `herald status {source}` lists every language", markup=False)


def confirm_outdated(update: Update, settings: Settings, yes: bool) -> None:
    """Ask before publishing an outdated translation; without a terminal, refuse unless --yes."""
    from herald.pipeline.translations import outdated, up_to_date_command

    try:
        stale = outdated(update, settings)
    except INPUT_ERRORS as error:
        fail(error)
    if stale is None:
        return
    if yes:
        out.print(f"[yellow]warning:[/yellow] {escape(str(update.source))} is OUTDATED: {escape(stale.line())}",
                  markup=True)
        return
    if not sys.stdin.isatty():
        fail(UpdateError(update.source, "source_revision", f"OUTDATED: {stale.line()}; publish it as it is with "
                         f"--yes, or update it and run `{up_to_date_command(update)}` first"))
    out.print(f"{update.source} is OUTDATED: {stale.line()}", markup=False)
    if not typer.confirm("Publish this translation as it is?", default=False):
        out.print("nothing published")
        raise typer.Exit(0)


def skipped_lines(skipped: list[tuple[str, str]]) -> None:
    """One line per channel a translation sends nothing to."""
    for name, why in skipped:
        out.print(f"  {name:<8} [yellow]{'skipped':<17}[/yellow] {escape(why)}", markup=True)


def print_family(update: str, settings: Settings, ledger: Ledger | None) -> None:
    """`herald status`'s listing of every language of the update's family (nothing for a lone update)."""
    from herald.pipeline.translations import family_states

    path = Path(update)
    if path.suffix != ".md" or not path.is_file():
        return
    family = family_of(path)
    if not family.translations and not settings.translations.languages:
        return
    out.print(f"languages of {family.source}:", markup=False)
    for state in family_states(path, settings, ledger):
        colour = {"published": "green", "source": "green", "ready": "cyan", "draft": "yellow",
                  "not started": "white", "retracted": "magenta"}.get(state.state, "red")
        stale = " [red]OUTDATED[/red]" if state.stale else ""
        out.print(f"  {state.lang:<6} [{colour}]{state.state:<11}[/{colour}]{stale} "
                  f"{escape(state.url or str(state.path))}", markup=True)
        if state.error:
            out.print(f"         {state.error}", markup=False)
        if state.stale:
            out.print(f"         {state.stale.line()}", markup=False)
            out.print(f"         next: update {state.path}, then `herald translate {family.source} --lang "
                      f"{state.lang} --up-to-date`", markup=False)
        elif state.state == "not started":
            out.print(f"         next: `herald translate {family.source} --lang {state.lang}`", markup=False)


def _went_out(ledger: Ledger, slug: str) -> bool:
    receipts = ledger.receipts(slug)
    return any(row.status in ("published", "pending_manual", "needs_attention", "scheduled") for row in receipts)


def retract_family(  # noqa: PLR0913 - the retract command's own options
    recorded: UpdateRow, settings: Settings, ledger: Ledger, selected: list[str], reason: str | None, by_hand: bool,
    with_translations: bool | None, yes: bool,
) -> list[ChannelResult]:
    """After a retraction: a source's translations too when asked, then every remaining post's language links."""
    from herald.pipeline.family_links import relink_family
    from herald.pipeline.identity import same_file
    from herald.pipeline.versions import members

    source = Path(recorded.source)
    if not source.is_file() or not family_of(source).translations and not is_translation(source):
        return []
    family = members(source, settings)
    results: list[ChannelResult] = []
    pending = [member for member in family[1:] if member.update and _went_out(ledger, member.update.slug)]
    if same_file(family[0].path, source) and pending:
        langs = ", ".join(member.lang for member in pending)
        if with_translations is None and not yes and sys.stdin.isatty():
            with_translations = typer.confirm(f"Also retract its translations ({langs})?", default=False)
        if with_translations:
            for member in pending:
                results += _retract_one(member.update, settings, ledger, selected, reason, by_hand)
        else:
            out.print(f"its translations ({langs}) stay published; `herald retract {source} --with-translations "
                      "--yes` takes them back too", markup=False)
    relinked = relink_family(source, settings, ledger, f"herald retract {source} --yes")
    print_results([result.as_dict() for result in relinked])
    return results + relinked


def _retract_one(update: Update, settings: Settings, ledger: Ledger, selected: list[str], reason: str | None,
                 by_hand: bool) -> list[ChannelResult]:
    """Retract one translation under its own lease, with its language's settings (its list, its accounts)."""
    import datetime as dt

    from herald.core.lease import publish_lease
    from herald.pipeline.retract import Retraction
    from herald.pipeline.translations import language_settings

    recorded = ledger.update(update.slug)
    if recorded is None:
        return []
    with contextlib.suppress(UpdateError):  # else its channels as configured for the source
        settings = language_settings(update, settings, None)[0]
    with publish_lease(ledger, update.slug, settings.publish.lease_ttl_seconds):
        results = Retraction(ledger, settings, recorded, reason.strip() if reason else None, dt.datetime.now(dt.UTC),
                             by_hand).run(selected)
    out.print(f"{update.slug}: retraction", markup=False)
    print_results([result.as_dict() for result in results])
    return results
