"""Progress while a publish runs: plain lines off a terminal, a live line per channel on one."""

from __future__ import annotations

import io

from rich.console import Console

from herald.pipeline.progress import Progress, outcome, report, reporter, showing


def test_off_a_terminal_every_step_is_a_plain_line_with_the_elapsed_time() -> None:
    console = Console(file=io.StringIO(), force_terminal=False, width=120)
    with showing(console, "publish") as progress:
        assert not progress.live
        report("-", "pre-flight checks")
        report("diff", outcome("diff", "published"))
        reporter("twitter")("tweet 3 of 7 posted")
        report("email", outcome("email", "published"))
    lines = console.file.getvalue().splitlines()
    assert all(line.startswith("[") and "s] " in line for line in lines)
    assert [line.split("s] ", 1)[1] for line in lines] == [
        "publish: pre-flight checks", "diff: posted", "twitter: tweet 3 of 7 posted", "email: sent"]


def test_on_a_terminal_each_channel_keeps_one_line_with_its_latest_step() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120, record=True)
    progress = Progress(console, "publish", live=True)
    progress.update("-", "publishing")
    progress.update("diff", "sending")
    progress.update("diff", "posted")
    progress.update("twitter", "tweet 3 of 7 posted")
    console.print(progress)
    text = console.export_text()
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0].startswith("publish · ") and lines[0].endswith("· publishing")
    assert [line.split()[:2] for line in lines[1:]] == [["diff", "posted"], ["twitter", "tweet"]]
    assert "sending" not in text


def test_reports_without_a_display_go_nowhere() -> None:
    report("diff", "posted")  # a flow run by a worker: no display, no error


def test_final_statuses_read_as_words() -> None:
    assert outcome("twitter", "published") == "thread posted"
    assert outcome("medium", "already_published") == "already published earlier"
    assert outcome("email", "needs_attention") == "needs a person"
