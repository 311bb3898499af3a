"""Fixtures of the flow tests: a world of fakes of all four services, and Mastodon and Bluesky when asked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import smtp_server
from faults import HTTP_VARIANTS, MODES, SMTP_VARIANTS, FaultPlan
from mastodon_api import FakeMastodon
from medium_api import FakeMedium
from wordpress_api import FakeWordPress
from wordpress_fault_proxy import WordPressFaultProxy
from world import (
    MASTODON_TOKEN,
    MEDIUM_TOKEN,
    OPT_IN,
    SMTP_PASSWORD,
    SMTP_USER,
    WP_PASSWORD,
    WP_USER,
    X_KEYS,
    Bluesky,
    World,
    clear_pds,
    world_config,
)
from x_api import FakeX

NOT_A_LOGIN = r"^(?!/xrpc/com\.atproto\.server\.createSession)"


def opt_in_channels(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The opt-in channels a test asks its world for: `@pytest.mark.with_channels("mastodon", "bluesky")`."""
    marker = request.node.get_closest_marker("with_channels")
    wanted = tuple(marker.args) if marker else ()
    unknown = set(wanted) - set(OPT_IN)
    assert not unknown, f"with_channels: {sorted(unknown)} are not opt-in channels ({', '.join(OPT_IN)})"
    return wanted


@pytest.fixture
def world(workdir: Path, smtp_pki, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[World]:
    """Fakes of all four services sharing one seeded plan of every fault shape (`faults(share, seed=)` marker);
    with `with_channels(...)`, also a Mastodon fake on the same plan and the session's PDS behind a fault proxy."""
    marker = request.node.get_closest_marker("faults")
    share, seed = (marker.args[0], marker.kwargs.get("seed", 7)) if marker else (0.0, 7)
    hold = marker.kwargs.get("hold", 2.5) if marker else 2.5
    extra = opt_in_channels(request)
    paths = (NOT_A_LOGIN,) if "bluesky" in extra else None  # logging in is pre-flight's, not a write to check
    faults = FaultPlan(share, seed=seed, modes=MODES, methods=("POST", "DELETE"), before=HTTP_VARIANTS["before"],
                       after=HTTP_VARIANTS["after"], hold=hold, retry_after=1, paths=paths) if marker else None
    smtp_faults = FaultPlan(share, seed=seed + 1, modes=MODES, before=SMTP_VARIANTS["before"],
                            after=SMTP_VARIANTS["after"], hold=hold) if marker else None
    if marker:  # clients give up before a `timeout` fault ends
        for section in ("DIFF", "MEDIUM", "TWITTER", "EMAIL", *(name.upper() for name in extra)):
            monkeypatch.setenv(f"HERALD_{section}__TIMEOUT_SECONDS", str(hold * 0.6))
    smtp = smtp_server.start(smtp_pki, SMTP_USER, SMTP_PASSWORD, faults=smtp_faults)
    with (ExitStack() as stack, FakeWordPress(WP_USER, WP_PASSWORD, faults=faults) as wordpress,
          FakeMedium(MEDIUM_TOKEN, faults=faults) as medium,
          FakeX(**X_KEYS, faults=faults, shorten_urls=True, escape_html=True) as x):
        wordpress.add_categories("Advocacy", "Policy", "Legal", "Explainers")  # curated: herald refuses others
        mastodon = stack.enter_context(FakeMastodon(MASTODON_TOKEN, faults=faults)) if "mastodon" in extra else None
        bluesky = None
        if "bluesky" in extra:
            account = request.getfixturevalue("pds")  # started on first use, once per session
            clear_pds(account)  # the session's other tests (tests/channels/bluesky) leave their posts there
            stack.callback(clear_pds, account)
            proxy = stack.enter_context(WordPressFaultProxy(account.url, faults, timeout=30.0))
            bluesky = Bluesky(account, proxy)
            monkeypatch.setenv("HERALD_BLUESKY__HANDLE", account.handle)
            monkeypatch.setenv("HERALD_BLUESKY__APP_PASSWORD", account.app_password)
        services = {"wordpress": wordpress, "medium": medium, "x": x, "smtp": smtp, "pki": smtp_pki,
                    "mastodon": mastodon, "bluesky": bluesky}
        config = world_config(workdir, services)
        monkeypatch.setenv("HERALD_DIFF__APP_PASSWORD", WP_PASSWORD)
        monkeypatch.setenv("HERALD_MEDIUM__TOKEN", MEDIUM_TOKEN)
        for name, value in X_KEYS.items():
            monkeypatch.setenv(f"HERALD_TWITTER__{name.upper()}", value)
        monkeypatch.setenv("HERALD_EMAIL__PASSWORD", SMTP_PASSWORD)
        if mastodon is not None:
            monkeypatch.setenv("HERALD_MASTODON__ACCESS_TOKEN", MASTODON_TOKEN)
        yield World(wordpress, medium, x, smtp, faults, config, workdir, mastodon, bluesky)
    smtp.controller.stop()
