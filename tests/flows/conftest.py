"""Fixtures of the flow tests: a world of fakes of all four services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import smtp_server
from faults import FaultPlan
from medium_api import FakeMedium
from wordpress_api import FakeWordPress
from world import MEDIUM_TOKEN, SMTP_PASSWORD, SMTP_USER, WP_PASSWORD, WP_USER, X_KEYS, World, world_config
from x_api import FakeX


@pytest.fixture
def world(workdir: Path, smtp_pki, monkeypatch: pytest.MonkeyPatch, request) -> Iterator[World]:
    """Fakes of all four services sharing one seeded fault plan (`share` from the test's `faults` marker)."""
    marker = request.node.get_closest_marker("faults")
    faults = FaultPlan(marker.args[0], seed=marker.kwargs.get("seed", 7), modes=("before", "after"),
                       before=("refuse", "drop", "reset"), after=("drop", "reset", "500", "504")) if marker else None
    smtp_faults = FaultPlan(marker.args[0], seed=marker.kwargs.get("seed", 7) + 1, modes=("before", "after"),
                            before=("refuse", "drop", "reset"), after=("drop", "reset")) if marker else None
    smtp = smtp_server.start(smtp_pki, SMTP_USER, SMTP_PASSWORD, faults=smtp_faults)
    with (FakeWordPress(WP_USER, WP_PASSWORD, faults=faults) as wordpress, FakeMedium(MEDIUM_TOKEN, faults=faults)
          as medium, FakeX(**X_KEYS, faults=faults, shorten_urls=True, escape_html=True) as x):
        services = {"wordpress": wordpress, "medium": medium, "x": x, "smtp": smtp, "pki": smtp_pki}
        config = world_config(workdir, services)
        monkeypatch.setenv("HERALD_DIFF__APP_PASSWORD", WP_PASSWORD)
        monkeypatch.setenv("HERALD_MEDIUM__TOKEN", MEDIUM_TOKEN)
        for name, value in X_KEYS.items():
            monkeypatch.setenv(f"HERALD_TWITTER__{name.upper()}", value)
        monkeypatch.setenv("HERALD_EMAIL__PASSWORD", SMTP_PASSWORD)
        yield World(wordpress, medium, x, smtp, faults, config, workdir)
    smtp.controller.stop()
