"""The resident engine as a user meets it: started once, reused, stopped, or a slow start in one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_output import assert_no_traceback, error_lines

from herald.run.engine import alive

pytestmark = pytest.mark.flow
REPO = Path(__file__).resolve().parents[3]
HERALD = str(Path(sys.executable).parent / "herald")
EXAMPLE = "content/updates/2026-10-08-eu-copyright-consultation.md"
OTHER = "content/updates/2026-10-22-global-digital-compact.md"


def make_project(root: Path, **engine: object) -> Path:
    """A scratch project: example content, and a config with its ledger, outbox and `[engine]` settings."""
    shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    lines = [f'{name} = {json.dumps(value)}' for name, value in {"mode": "resident", **engine}.items()]
    (root / "herald.toml").write_text(
        f'content_root = "{root / "content"}"\noutbox = "{root / "outbox"}"\n'
        f'ledger_url = "sqlite:///{root / "herald.db"}"\n[engine]\n' + "\n".join(lines) + "\n", encoding="utf-8")
    return root


def herald(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run `herald` as a user would, in the project, with no Prefect or herald settings from the test session."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith(("PREFECT_", "HERALD_"))}
    clean.update(HERALD_CONFIG=str(project / "herald.toml"), PREFECT_HOME=str(project / "prefect-client"), **env)
    return subprocess.run([HERALD, *args], cwd=project, env=clean, capture_output=True, text=True, timeout=300,
                          check=False)


def record(project: Path) -> dict | None:
    path = project / ".herald" / "prefect" / "engine.json"
    return json.loads(path.read_text()) if path.exists() else None


def engines_with_home(home: Path) -> list[int]:
    """Pids of processes whose PREFECT_HOME is `home` (an engine started there, or a leftover)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environ = (entry / "environ").read_bytes().split(b"\0") if entry.name.isdigit() else []
        except OSError:
            continue
        if f"PREFECT_HOME={home}".encode() in environ and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project whose resident engine the tests start; stopped (and checked gone) at the end whatever happens."""
    root = make_project(tmp_path_factory.mktemp("resident"), start_timeout_seconds=180)
    try:
        yield root
    finally:
        herald(root, "engine", "stop")
        for pid in engines_with_home(root / ".herald" / "prefect"):
            os.kill(pid, 9)


def test_the_first_publish_starts_the_engine_and_the_next_ones_reuse_it(project: Path) -> None:
    assert "no engine running" in herald(project, "engine", "status").stdout
    first = herald(project, "publish", EXAMPLE)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "started the Prefect engine at http://127.0.0.1:" in first.stderr
    assert "herald engine stop" in first.stderr
    started = record(project)
    assert started and alive(started["pid"])

    second = herald(project, "publish", OTHER)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "started the Prefect engine" not in second.stderr
    assert record(project) == started
    assert engines_with_home(project / ".herald" / "prefect") == [started["pid"]]
    status = herald(project, "engine", "status")
    assert f"pid {started['pid']}" in status.stdout and started["url"][:-4] in status.stdout
    assert_no_traceback(first.stdout, first.stderr, second.stdout, second.stderr)


def test_a_failed_channel_is_one_line_and_prefects_error_logs_go_to_the_log_file(project: Path) -> None:
    outbox = project / "outbox" / "failing"
    outbox.mkdir(parents=True)
    path = project / "content" / "updates" / "failing.md"
    path.write_text((project / OTHER).read_text(encoding="utf-8").replace("title:", "slug: failing\ntitle:", 1))
    (outbox / "thread.json").mkdir()  # the outbox cannot write this file: twitter fails
    result = herald(project, "publish", str(path.relative_to(project)))
    assert result.returncode == 1, result.stdout + result.stderr
    assert_no_traceback(result.stdout, result.stderr)
    assert "twitter  failed" in result.stdout
    assert "rerun `herald publish content/updates/failing.md`" in result.stdout
    log = project / ".herald" / "logs" / "prefect.log"
    assert ".herald/logs/prefect.log" in result.stdout
    assert "Finished in state Failed" in log.read_text(encoding="utf-8")  # Prefect's ERROR line: the log only
    assert "Finished in state" not in result.stdout + result.stderr


def test_prefect_api_url_means_that_server_and_starts_nothing(project: Path, tmp_path: Path) -> None:
    running = record(project) or pytest.skip("needs the engine of the first test")
    other = make_project(tmp_path)
    result = herald(other, "publish", EXAMPLE, PREFECT_API_URL=running["url"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "started the Prefect engine" not in result.stderr
    assert not (other / ".herald" / "prefect").exists()
    assert "PREFECT_API_URL is set" in herald(other, "engine", "status", PREFECT_API_URL=running["url"]).stdout
    assert_no_traceback(result.stdout, result.stderr)


def test_engine_stop_leaves_no_process(project: Path) -> None:
    running = record(project) or pytest.skip("needs the engine of the first test")
    stopped = herald(project, "engine", "stop")
    assert stopped.returncode == 0 and f"stopped the Prefect engine (pid {running['pid']})" in stopped.stdout
    assert not alive(running["pid"])
    assert engines_with_home(project / ".herald" / "prefect") == []
    assert record(project) is None
    assert "no engine running" in herald(project, "engine", "status").stdout
    assert herald(project, "engine", "stop").stdout.strip() == "no engine running"


def test_an_engine_too_slow_to_start_is_one_line_exit_1_and_leaves_nothing_running(tmp_path: Path) -> None:
    project = make_project(tmp_path, start_timeout_seconds=0.5)
    result = herald(project, "publish", EXAMPLE)
    assert result.returncode == 1, result.stdout + result.stderr
    assert_no_traceback(result.stdout, result.stderr)
    [line] = error_lines(result.stderr)
    assert line.startswith("error: could not start the Prefect engine in 0.5 s")
    assert "retry" in line and "start_timeout_seconds" in line
    assert not (project / "outbox").exists()
    assert engines_with_home(project / ".herald" / "prefect") == []
    assert record(project) is None


def test_a_temporary_engine_too_slow_to_start_is_one_line_and_exit_1(tmp_path: Path) -> None:
    project = make_project(tmp_path, mode="temporary", start_timeout_seconds=0.5)
    result = herald(project, "publish", EXAMPLE)
    assert result.returncode == 1, result.stdout + result.stderr
    assert_no_traceback(result.stdout, result.stderr)
    [line] = error_lines(result.stderr)
    assert line.startswith("error: could not start the temporary Prefect engine in 1 s") and "retry" in line
    assert not (project / "outbox").exists()
