"""A person following herald's advice: run `herald status`, check the service as told, run the printed commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner
from world import World

from config.settings import load_settings
from herald.cli import app
from herald.core.ledger import Ledger
from herald.core.status import PUBLISHED_STATUSES
from herald.pipeline.render import load_and_render

COMMAND = re.compile(r"`(herald [^`]+)`")
MAX_ROUNDS = 12


def run(*args: str) -> tuple[int, str]:
    """Run a herald command in-process; its exit code and everything it printed (never a traceback)."""
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def _sent(world: World, config: Path, source: Path, ledger: Ledger, slug: str, channel: str, part: int | None
          ) -> str | None:
    """Where the write is on the service, if it went out: what a person finds by looking."""
    diff = ledger.receipt(slug, "diff")
    drafts = load_and_render(source, load_settings(config), [channel],
                             diff_url=diff.url if diff and diff.status in PUBLISHED_STATUSES else None).drafts
    draft = drafts[channel]
    if channel == "medium":
        found = [post["url"] for post in world.medium.posts if post["title"] == draft.title]
        return found[0] if found else None
    if channel == "email":
        delivered = [env for env in world.smtp.mailbox.envelopes if draft.message_id.encode() in env.original_content]
        return f"mid:{draft.message_id.strip('<>')}" if delivered else None
    if channel == "twitter":
        number = part or 1
        previous = ledger.part(slug, "twitter", "tweet", number - 1) if number > 1 else None
        parent = previous.remote_id if previous is not None else None
        for tweet in world.x.tweets:
            if tweet.original == draft.tweets[number - 1] and tweet.in_reply_to == parent:
                return f"https://x.com/i/status/{tweet.id}"
        return None
    if channel == "mastodon" and world.mastodon is not None:
        return _mastodon_status(world, ledger, slug, draft.statuses, part or 1)
    if channel == "bluesky" and world.bluesky is not None:
        return _bluesky_post(world, slug, [post.text for post in draft.posts], part or 1)
    raise AssertionError(f"a person was asked to check {channel}, which herald looks up by itself")


def _mastodon_status(world: World, ledger: Ledger, slug: str, statuses: tuple[str, ...], number: int) -> str | None:
    """The status's URL on the instance if one with its text replies to the status before it (as the account shows)."""
    from channels.mastodon.transport import status_id

    previous = ledger.part(slug, "mastodon", "post", number - 1) if number > 1 else None
    parent = status_id(previous) if previous is not None else None
    for status in world.mastodon.statuses:
        if status.text == statuses[number - 1] and status.in_reply_to_id == parent:
            return f"{world.mastodon.url}/@{world.mastodon.account['username']}/{status.id}"
    return None


def _bluesky_post(world: World, slug: str, texts: list[str], number: int) -> str | None:
    """The post's bsky.app URL if the account has it with its text (a person finds it on the profile)."""
    from channels.bluesky.transport import post_url

    for record in world.bluesky.posts(slug).get(number, []):
        if record["value"]["text"] == texts[number - 1]:
            return post_url(world.bluesky.account.handle, record["uri"].rsplit("/", 1)[1])
    return None


def follow_advice(world: World, config: Path, source: Path, slug: str) -> list[str]:
    """Carry out every `next:` step `herald status` prints until none is left; returns the commands run."""
    ledger = Ledger(load_settings(config).ledger_url)
    done: list[str] = []
    for _ in range(MAX_ROUNDS):
        code, output = run("status", str(source))
        assert code == 0, output
        steps = [line.split("next:", 1)[1] for line in output.splitlines() if "next:" in line]
        if not steps:
            return done
        publish_again = False
        for step in steps:
            commands = COMMAND.findall(step)
            assert commands, f"advice without a command: {step}"
            resolves = [shlex.split(command)[1:] for command in commands if command.startswith("herald resolve")]
            if resolves:
                args = resolves[0]
                channel = args[2]
                part = int(args[args.index("--part") + 1]) if "--part" in args else None
                url = _sent(world, config, source, ledger, slug, channel, part)
                chosen = next(a for a in resolves if ("--sent" in a) == (url is not None))
                chosen = [url if word == "URL" else word for word in chosen]
                code, output = run(*chosen)
                assert code == 0, f"`herald {' '.join(chosen)}` was printed as advice but failed: {output}"
                done.append(" ".join(chosen))
            publish_again |= any(command.startswith("herald publish") for command in commands)
        if publish_again:
            code, output = run("publish", str(source))
            assert code in (0, 1), output
            done.append(f"publish {source}")
    raise AssertionError(f"{slug}: still not done after {MAX_ROUNDS} rounds of following herald's advice: {done}")
