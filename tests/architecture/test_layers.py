"""The house in layers: the import-linter contracts hold, no module imports itself round a circle, the core loads
no channel, and a channel's name appears in no code outside its own folder (Diff, the canonical home, aside)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("content", "herald", "channels", "config", "flows")
NAMED_ONLY_AT_HOME = ("medium", "twitter", "email", "mastodon", "bluesky")
# words that are a channel's name but also plain English or another thing's name, in code outside the channel
DATA_MODULES = {"channels/bluesky/tlds.py"}  # a list of domain names, where .email is one
_NOT_THE_CHANNEL = re.compile(r"email\.(message|policy|utils|parser|headerregistry|mime)|e-?mail address|EmailStr")


def test_the_import_linter_contracts_hold(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(REPO)
    code = lint_imports(config_filename=str(REPO / ".importlinter"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out[-4000:]


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), function-level and TYPE_CHECKING imports counted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                group.append(other)
                if other == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_round_a_circle() -> None:
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False, exclude_type_checking_imports=False)
    assert _circles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert _circles(graph) == [["a.x", "a.y"]]


@pytest.mark.parametrize("module", ["herald.core.draft", "herald.core.transport", "herald.core.ledger",
                                    "herald.core.parts", "herald.core.outbox", "herald.core.lifecycle",
                                    "herald.core.status", "herald.core.lease", "herald.core.outcomes"])
def test_the_core_loads_no_channel_config_or_pipeline(module: str) -> None:
    probe = (f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('channels', 'config', 'flows') or m.startswith(('herald.pipeline', 'herald.cli', 'herald.run'))))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def _code_lines(source: str) -> list[str]:
    """The lines of a module without its comments and docstrings: what the program says, not what it explains."""
    tree = ast.parse(source)
    prose = {line for node in ast.walk(tree) if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
             and isinstance(node.value.value, str) for line in range(node.lineno, node.end_lineno + 1)}
    return [line.split("#", 1)[0] if "#" in line and not re.search(r"[\"'][^\"']*#", line) else line
            for number, line in enumerate(source.splitlines(), 1) if number not in prose]


def _code_outside(folder: str) -> dict[Path, list[str]]:
    roots = [REPO / name for name in PACKAGES]
    return {path: _code_lines(path.read_text(encoding="utf-8")) for root in roots for path in root.rglob("*.py")
            if not path.is_relative_to(REPO / "channels" / folder) and path.name != "registry.py"
            and path.relative_to(REPO).as_posix() not in DATA_MODULES}


@pytest.mark.parametrize("channel", NAMED_ONLY_AT_HOME)
def test_a_channel_is_named_only_in_its_own_folder(channel: str) -> None:
    named = {}
    for path, lines in _code_outside(channel).items():
        hits = [line.strip() for line in lines
                if re.search(rf"\b{channel}\b", line, re.I) and not _NOT_THE_CHANNEL.search(line)]
        if hits:
            named[str(path.relative_to(REPO))] = hits[:3]
    assert named == {}
