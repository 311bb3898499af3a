"""A real WordPress for the live Diff tests, started once per session on loopback."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVERS = Path(__file__).resolve().parents[2] / "servers"


def _load(name: str):  # noqa: ANN202 - a module
    """Import tests/servers/<name>.py without putting tests/ on sys.path (its folders shadow real packages)."""
    module_name = f"herald_test_servers_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, SERVERS / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


wordpress_server = _load("wordpress")


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[wordpress_server.WordPressSite]:
    """A freshly installed WordPress with an application password; fails (in CI) or skips without packages."""
    try:
        wordpress_server.ensure_installed()
    except wordpress_server.ServersUnavailable as error:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"live WordPress unavailable in CI: {error}", pytrace=False)
        pytest.skip(f"live WordPress unavailable: {error}")
    with wordpress_server.running_wordpress(tmp_path_factory.mktemp("wordpress")) as site:
        yield site
