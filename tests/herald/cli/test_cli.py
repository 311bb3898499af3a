"""The CLI's check and preview: per-file reports, exact output files, exit codes; no Prefect, no network."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_output import assert_no_traceback, error_lines
from typer.testing import CliRunner

from herald.cli import app

EXAMPLES = ["content/updates/2026-10-08-eu-copyright-consultation.md",
            "content/updates/2026-10-22-global-digital-compact.md"]


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_check_reports_every_example_update_as_ok(workdir):
    result = _run("check", "content/updates")
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines() if line.startswith("ok")] == [
        f"ok {path}" for path in EXAMPLES]
    assert "twitter (" in result.output and "email (" in result.output


def test_check_exits_2_naming_the_bad_file_and_still_checks_the_others(workdir):
    bad = workdir / "content" / "updates" / "2026-10-30-bad.md"
    bad.write_text("---\ntitle: Fine\ndate: 2026-10-30\nchanels: [diff]\n---\nBody.\n", encoding="utf-8")
    result = _run("check", "content/updates")
    assert result.exit_code == 2
    assert f"invalid {bad.relative_to(workdir)}: chanels: unknown field; did you mean 'channels'?" in result.output
    assert result.output.count("\nok ") + result.output.startswith("ok ") == 2


def test_check_says_when_a_thread_was_condensed(workdir):
    long = workdir / "content" / "updates" / "2026-10-31-long.md"
    sections = "\n\n".join(f"## Part {n}\n\n" + "A sentence about policy work that matters. " * 12 for n in range(12))
    long.write_text(f"---\ntitle: A long update\ndate: 2026-10-31\n---\n{sections}\n", encoding="utf-8")
    result = _run("check", str(long.relative_to(workdir)))
    assert result.exit_code == 0, result.output
    assert "condensed" in result.output


def test_preview_writes_each_channels_exact_output(workdir):
    for example in EXAMPLES:
        out = workdir / "preview" / Path(example).stem
        result = _run("preview", example, "--out", str(out))
        assert result.exit_code == 0, result.output
        names = sorted(p.name for p in out.iterdir())
        assert names == ["diff.html", "diff.json", "email.eml", "index.html", "medium.html", "medium.json",
                         "thread.json", "thread.txt"]
        tweets = json.loads((out / "thread.json").read_text(encoding="utf-8"))
        assert all(tweet in (out / "thread.txt").read_text(encoding="utf-8") for tweet in tweets)
        page = (out / "index.html").read_text(encoding="utf-8")
        assert all(f"id={pane}" in page for pane in ("diff", "medium", "twitter", "email"))
        assert "<script" not in page


def test_preview_of_an_invalid_update_exits_2_and_writes_nothing(workdir):
    bad = workdir / "bad.md"
    bad.write_bytes(b"---\ntitle: Caf\xe9\ndate: 2026-10-01\n---\nBody\n")
    result = _run("preview", str(bad), "--out", "preview")
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {bad}: is not UTF-8 text (bad byte at line 2); save it as UTF-8"
    assert not (workdir / "preview").exists()


@pytest.mark.parametrize("command", [["check", "content/updates"], ["publish", EXAMPLES[0], "--dry-run"]])
def test_check_and_dry_run_do_not_import_prefect(workdir, command):
    code = (
        f"import sys; from herald.cli import app\n"
        f"try:\n    app({command!r})\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n"
        "print('prefect' in sys.modules)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip().splitlines()[-1] == "False"


def test_importing_the_cli_loads_neither_prefect_nor_the_ledger_s_sqlalchemy() -> None:
    code = "import sys, herald.cli; print(sorted({'prefect', 'sqlalchemy'} & sys.modules.keys()))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_an_unexpected_error_while_publishing_is_one_line_and_its_traceback_goes_to_the_log(workdir, monkeypatch):
    import flows.publish

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(flows.publish, "publish_file", broken)
    result = CliRunner().invoke(app, ["publish", EXAMPLES[0]])
    assert result.exit_code == 1, result.output
    assert_no_traceback(result.output)
    [line] = error_lines(result.output)
    assert line == "error: publish stopped: KeyError: 'a bug'; details in .herald/logs/prefect.log"
    log = (workdir / ".herald" / "logs" / "prefect.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "KeyError: 'a bug'" in log


def test_check_warns_about_a_language_without_a_catalog(workdir):
    path = workdir / "content" / "updates" / "2026-10-31-sw.md"
    path.write_text("---\ntitle: Habari za sera\ndate: 2026-10-31\nlang: sw\n---\nManeno machache.\n", encoding="utf-8")
    result = _run("check", str(path.relative_to(workdir)))
    assert result.exit_code == 0, result.output
    assert "no message catalog for lang 'sw'" in " ".join(result.output.split())


def test_an_unexpected_error_anywhere_is_one_line_and_its_traceback_goes_to_the_log(workdir, monkeypatch, capsys):
    import herald.cli as cli

    def broken() -> None:
        raise RuntimeError("the disk\nvanished")

    monkeypatch.setattr(cli, "app", broken)
    monkeypatch.setattr(cli.flowrun, "ran_on_server", False)  # an earlier flow test may have left it set
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 1
    printed = capsys.readouterr()
    assert printed.err == "error: RuntimeError: the disk vanished; details in .herald/logs/herald.log\n"
    assert "Traceback" not in printed.out + printed.err
    assert "RuntimeError: the disk" in (workdir / ".herald" / "logs" / "herald.log").read_text(encoding="utf-8")


def test_check_lists_what_each_thread_left_out_by_its_first_words(workdir):
    path = workdir / "content" / "updates" / "2026-11-02-chart.md"
    path.write_text("---\ntitle: Removal requests in 2026\ndate: 2026-11-02\n---\n"
                    "We received 412 requests to remove content this year and granted none of them.\n\n"
                    "![Bar chart of content removal requests by month](../images/eu-parliament-plenary.png)\n",
                    encoding="utf-8")
    result = _run("check", str(path.relative_to(workdir)))
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    assert "twitter leaves out: image: Bar chart of content removal requests…" in lines or any(
        line.startswith("twitter leaves out: image: Bar chart of content removal") for line in lines), result.output
    assert not any(line.startswith(("diff leaves out", "email leaves out")) for line in lines)
