"""Fixtures of the flow tests: a world of fakes of all four services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import smtp_server
from faults import HTTP_VARIANTS, MODES, SMTP_VARIANTS, FaultPlan
from medium_api import FakeMedium
from wordpress_api import FakeWordPress
from world import MEDIUM_TOKEN, SMTP_PASSWORD, SMTP_USER, WP_PASSWORD, WP_USER, X_KEYS, World, world_config
from x_api import FakeX


@pytest.fixture
def world(workdir: Path, smtp_pki, monkeypatch: pytest.MonkeyPatch, request) -> Iterator[World]:
    """Fakes of all four services sharing one seeded plan of every fault shape (`faults(share, seed=)` marker)."""
    marker = request.node.get_closest_marker("faults")
    share, seed = (marker.args[0], marker.kwargs.get("seed", 7)) if marker else (0.0, 7)
    hold = marker.kwargs.get("hold", 2.5) if marker else 2.5
    faults = FaultPlan(share, seed=seed, modes=MODES, methods=("POST", "DELETE"), before=HTTP_VARIANTS["before"],
                       after=HTTP_VARIANTS["after"], hold=hold, retry_after=1) if marker else None
    smtp_faults = FaultPlan(share, seed=seed + 1, modes=MODES, before=SMTP_VARIANTS["before"],
                            after=SMTP_VARIANTS["after"], hold=hold) if marker else None
    if marker:  # clients give up before a `timeout` fault ends
        for section in ("DIFF", "MEDIUM", "TWITTER", "EMAIL"):
            monkeypatch.setenv(f"HERALD_{section}__TIMEOUT_SECONDS", str(hold * 0.6))
    smtp = smtp_server.start(smtp_pki, SMTP_USER, SMTP_PASSWORD, faults=smtp_faults)
    with (FakeWordPress(WP_USER, WP_PASSWORD, faults=faults) as wordpress, FakeMedium(MEDIUM_TOKEN, faults=faults)
          as medium, FakeX(**X_KEYS, faults=faults, shorten_urls=True, escape_html=True) as x):
        wordpress.add_categories("Advocacy", "Policy", "Legal", "Explainers")  # curated: herald refuses others
        services = {"wordpress": wordpress, "medium": medium, "x": x, "smtp": smtp, "pki": smtp_pki}
        config = world_config(workdir, services)
        monkeypatch.setenv("HERALD_DIFF__APP_PASSWORD", WP_PASSWORD)
        monkeypatch.setenv("HERALD_MEDIUM__TOKEN", MEDIUM_TOKEN)
        for name, value in X_KEYS.items():
            monkeypatch.setenv(f"HERALD_TWITTER__{name.upper()}", value)
        monkeypatch.setenv("HERALD_EMAIL__PASSWORD", SMTP_PASSWORD)
        yield World(wordpress, medium, x, smtp, faults, config, workdir)
    smtp.controller.stop()
