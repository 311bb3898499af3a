"""Every state of every channel and its parts: `herald status` prints a next step, and that step is accepted."""

from __future__ import annotations

import datetime as dt
import shlex

import pytest
from typer.testing import CliRunner

from channels.bluesky.transport import recorded_rkey
from channels.registry import CHANNELS
from herald.cli import app
from herald.core.ledger import PART_STATUSES, Ledger

EXAMPLE = "content/updates/2026-10-08-eu-copyright-consultation.md"
SLUG = "what-we-told-the-european-commission-about-copyright-and-ai-training"
PART_KIND = {name: spec.part_kind for name, spec in CHANNELS.items()} | {"email": "message"}  # email's own kind
SENT_URL = {  # what a person pastes: the address of the write on the service
    "twitter": "https://x.com/i/status/4242",
    "mastodon": "https://mastodon.social/@wikimediapolicy/113512345678901234",
    "bluesky": "https://bsky.app/profile/wikimedia.org/post/3lbkz2pw7ms2c",
}
RECEIPTS = ("failed", "needs_attention", "intended", "pending_manual")
PARTS = [(status,) for status in (None, *PART_STATUSES)]
THREAD_PARTS = [*PARTS, *(("done", status) for status in PART_STATUSES), ("intended", "ambiguous")]
STATES = [(channel, receipt, parts) for channel in PART_KIND for receipt in RECEIPTS
          for parts in (THREAD_PARTS if CHANNELS[channel].thread else PARTS)
          if receipt != "pending_manual" or channel == "medium"]


def _run(*args: str):
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output, result.output
    return result


def _commands(output: str) -> list[list[str]]:
    steps = [line.split("next:", 1)[1] for line in output.splitlines() if "next:" in line]
    return [shlex.split(command)[1:] for step in steps for command in step.split("`")[1::2]
            if command.startswith("herald ")]


@pytest.fixture
def workdir(workdir):
    """The scratch project with Mastodon and Bluesky enabled (opt-in; without credentials they go to the outbox)."""
    config = workdir / "herald.toml"
    config.write_text(config.read_text(encoding="utf-8") + "[mastodon]\nenabled = true\n[bluesky]\nenabled = true\n",
                      encoding="utf-8")
    return workdir


def test_the_states_cover_every_registered_channel() -> None:
    assert {channel for channel, _, _ in STATES} == set(CHANNELS) >= {"mastodon", "bluesky"}
    threads = {name for name, spec in CHANNELS.items() if spec.thread}
    assert threads >= {"twitter", "mastodon", "bluesky"}
    assert all(("done", "ambiguous") in {parts for channel, _, parts in STATES if channel == name} for name in threads)


def _state(workdir, channel: str, receipt: str, parts: tuple) -> Ledger:
    """A fresh ledger holding exactly this state of one channel."""
    (workdir / "herald.db").unlink(missing_ok=True)
    ledger = Ledger(f"sqlite:///{workdir / 'herald.db'}")
    ledger.record_update(SLUG, EXAMPLE, "Title", dt.date(2026, 10, 8))
    kind = PART_KIND[channel]
    for position, status in enumerate(parts, 1):
        if status is None:
            continue
        ledger.mark_part_intended(SLUG, channel, kind, position, "digest")
        if status == "done":
            ledger.mark_part_done(SLUG, channel, kind, position, f"{position}00")
        elif status != "intended":
            getattr(ledger, f"mark_part_{status}")(SLUG, channel, kind, position)
    ledger.record_receipt(SLUG, channel, receipt, detail="state under test", transport="live")
    return ledger


@pytest.mark.parametrize(("channel", "receipt", "parts"), STATES, ids=[str(state) for state in STATES])
def test_every_printed_next_step_is_accepted_in_its_state(workdir, channel: str, receipt: str, parts: tuple) -> None:
    _state(workdir, channel, receipt, parts)
    status = _run("status", EXAMPLE)
    assert status.exit_code == 0, status.output
    commands = _commands(status.output)
    assert commands, f"no next step printed for {channel} {receipt} {parts}:\n{status.output}"
    url = SENT_URL.get(channel, "https://medium.com/@wmf/p-1")
    for command in commands:
        _state(workdir, channel, receipt, parts)  # each alternative from the state it was printed in
        if command[0] == "publish":
            checked = _run("publish", "--dry-run", *command[1:])  # the file it names exists and is publishable
            assert checked.exit_code == 0, checked.output
            continue
        assert command[0] == "resolve", command
        args = [url if word == "URL" else word for word in command]
        settled = _run(*args)
        assert settled.exit_code == 0, f"`herald {' '.join(args)}` printed as advice, then failed: {settled.output}"
        if "--sent" in args and CHANNELS[channel].thread:  # the part is recorded where the person found it
            part = _part(workdir, channel, int(args[args.index("--part") + 1]))
            assert (part.status, part.url) == ("done", url)
            assert part.remote_id == CHANNELS[channel].remote_id(url)
            if channel == "bluesky":  # the next publish reads the post back at the key in the bsky.app URL
                assert recorded_rkey(part) == url.rsplit("/", 1)[1]


def _part(workdir, channel: str, position: int):
    ledger = Ledger(f"sqlite:///{workdir / 'herald.db'}")
    try:
        return ledger.part(SLUG, channel, PART_KIND[channel], position)
    finally:
        ledger.close()


def test_a_published_channel_prints_no_next_step(workdir) -> None:
    ledger = Ledger(f"sqlite:///{workdir / 'herald.db'}")
    ledger.record_update(SLUG, EXAMPLE, "Title", dt.date(2026, 10, 8))
    ledger.record_receipt(SLUG, "diff", "published", url="https://diff.example.org/p", transport="live")
    assert "next:" not in _run("status", EXAMPLE).output


def test_resolve_refuses_what_it_cannot_do_in_one_line(workdir) -> None:
    assert "nothing was published yet" in _run("resolve", SLUG, "medium", "--not-sent").output
    ledger = Ledger(f"sqlite:///{workdir / 'herald.db'}")
    ledger.record_update(SLUG, EXAMPLE, "Title", dt.date(2026, 10, 8))
    ledger.mark_part_done(SLUG, "twitter", "tweet", 1, "100", "https://x.com/i/status/100")
    for args, message in (
        (("resolve", SLUG, "myspace", "--not-sent"), "'myspace' is not a channel"),
        (("resolve", SLUG, "twitter", "--sent", "x.com/i/status/1"), "is not a URL"),
        (("resolve", SLUG, "twitter", "--part", "1", "--not-sent"), "tweet 1 is already recorded as sent"),
        (("resolve", SLUG, "twitter", "--part", "7", "--not-sent"), "there is no part 7"),
        (("resolve", SLUG, "email", "--not-sent"), "nothing is waiting to be resolved"),
    ):
        result = _run(*args)
        assert result.exit_code == 2 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1


GONE = {"twitter": "tweet", "mastodon": "status", "bluesky": "post"}


@pytest.mark.parametrize("channel", ["mastodon", "bluesky"])
def test_a_post_deleted_on_the_service_mid_thread_has_a_next_step_that_works(workdir, channel: str) -> None:
    ledger = _state(workdir, channel, "needs_attention", ("done", "done"))
    detail = (f"{channel}: {GONE[channel]} 2 was posted (https://example.org/2) but is no longer on the service "
              "(deleted?), so the thread cannot go on from it")
    ledger.record_receipt(SLUG, channel, "needs_attention", detail=detail, transport="live")
    ledger.close()
    status = _run("status", EXAMPLE)
    commands = _commands(status.output)
    assert ["resolve", SLUG, channel, "--part", "2", "--not-sent"] in commands, status.output
    assert ["retract", SLUG] in commands
    settled = _run("resolve", SLUG, channel, "--part", "2", "--not-sent")
    assert settled.exit_code == 0, settled.output
    assert _part(workdir, channel, 2).status == "not_sent" and _part(workdir, channel, 1).status == "done"
    assert "publish" in " ".join(_run("status", EXAMPLE).output.split())
