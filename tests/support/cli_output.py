"""Checks on what the CLI printed, for every test of a CLI failure."""

from __future__ import annotations


def assert_no_traceback(*outputs: str | bytes | None) -> None:
    """Fail when any of the outputs (stdout, stderr, a CliRunner's output) shows a Python traceback."""
    for output in outputs:
        text = output.decode(errors="replace") if isinstance(output, bytes) else output or ""
        assert "Traceback" not in text, f"a traceback reached the user:\n{text[-3000:]}"


def error_lines(output: str) -> list[str]:
    """The lines of an output that report an error (`error:` or `pre-flight failed`)."""
    return [line for line in output.splitlines() if line.startswith(("error:", "pre-flight failed"))]
