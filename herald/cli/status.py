"""What went where, and settling what herald could not check: status, resolve."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from channels.registry import CHANNELS
from content.errors import UpdateError
from herald.cli.app import app
from herald.cli.console import ConfigOption, fail, out, print_channel, settings_from, slug_of
from herald.cli.lifecycle import next_step, status_lines

if TYPE_CHECKING:
    from config.settings import Settings


@app.command()
def status(
    update: Annotated[str, typer.Argument(help="The update file, or its slug")],
    config: ConfigOption = None,
) -> None:
    """What went where for an update, with URLs, and what needs a person; every language of a translated one."""
    from herald.cli.translate import print_family
    from herald.pipeline.ledger_access import existing_ledger

    settings = settings_from(config)
    _channels(update, settings)
    ledger = existing_ledger(settings.ledger_url)
    try:
        print_family(update, settings, ledger)
    finally:
        if ledger is not None:
            ledger.close()


def _channels(update: str, settings: Settings) -> None:
    """Each channel of one update: its status, URL, revisions and next step."""
    from herald.pipeline.ledger_access import open_ledger
    from herald.pipeline.resolve import advice

    slug = slug_of(update, settings)
    if settings.ledger_url.startswith("sqlite:///") and not Path(settings.ledger_url[10:]).exists():
        out.print(f"{slug}: nothing published yet (no ledger at {settings.ledger_url[10:]})")
        return
    ledger = open_ledger(settings.ledger_url)
    receipts = ledger.receipts(slug)
    if not receipts:
        out.print(f"{slug}: nothing published yet")
        return
    recorded = ledger.update(slug)
    out.print(f"{slug} ({recorded.source if recorded else update})", markup=False)
    holder = ledger.lease_holder(slug)
    if holder:
        out.print(f"  a publish is running now ({holder[0]}, lease until {holder[1]:%H:%M} UTC)", markup=False)
    source = recorded.source if recorded else update
    for row in receipts:
        print_channel(row.channel, row.status, row.transport, row.url, row.detail,
                       f"  ({row.updated_at:%Y-%m-%d %H:%M} UTC)")
        for line in status_lines(ledger, slug, row):
            out.print(f"           {line}", markup=False)
        spec = CHANNELS.get(row.channel)
        kind = spec.part_kind if spec is not None else "post"
        posts = ledger.parts(slug, row.channel, kind) if spec is not None and spec.thread else []
        if posts:
            done = sum(part.status == "done" for part in posts)
            open_parts = [f"{part.position}: {part.status}" for part in posts if part.status != "done"]
            out.print(f"           {done} {spec.parts_word if spec else 'posts'} posted" +
                      (f" ({', '.join(open_parts)})" if open_parts else ""), markup=False)
        step = next_step(ledger, slug, row, source)
        step = advice(ledger, slug, row.channel, source, row) if step is None else step
        if step:
            out.print(f"           next: {step}", markup=False)


@app.command()
def resolve(
    update: Annotated[str, typer.Argument(help="The update file, or its slug")],
    channel: Annotated[str, typer.Argument(help=f"One of: {', '.join(CHANNELS)}")],
    sent: Annotated[str | None, typer.Option("--sent", help="It went out: the URL where it is")] = None,
    not_sent: Annotated[bool, typer.Option("--not-sent", help="It did not go out: allow sending it again")] = False,
    part: Annotated[int | None, typer.Option("--part", help="Which write, e.g. the tweet's number in the thread")]
    = None,
    config: ConfigOption = None,
) -> None:
    """Settle a write herald could not check itself (shown as needs_attention by `herald status`)."""
    from herald.pipeline.ledger_access import open_ledger
    from herald.pipeline.resolve import NothingToResolve
    from herald.pipeline.resolve import resolve as settle

    if bool(sent) == not_sent:
        fail(UpdateError(update, "resolve", "say either --sent URL or --not-sent"))
    if channel not in CHANNELS:
        fail(UpdateError(update, "channel", f"{channel!r} is not a channel ({', '.join(CHANNELS)})"))
    if sent and not sent.startswith(("https://", "http://", "mid:")):
        fail(UpdateError(update, "--sent", f"{sent!r} is not a URL (https://..., or mid:... for a message)"))
    settings = settings_from(config)
    slug = slug_of(update, settings)
    if settings.ledger_url.startswith("sqlite:///") and not Path(settings.ledger_url[10:]).exists():
        fail(NothingToResolve(f"{slug}: nothing was published yet (no ledger at {settings.ledger_url[10:]})"))
    try:
        out.print(settle(open_ledger(settings.ledger_url), slug, channel, sent, part), markup=False)
    except NothingToResolve as error:
        fail(error)
