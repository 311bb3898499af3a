"""The fakes of all four services a publish reaches, and the config that points herald at them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import smtp_server
from faults import FaultPlan
from medium_api import FakeMedium
from wordpress_api import FakeWordPress
from x_api import FakeX

WP_USER, WP_PASSWORD = "herald", "abcd efgh ijkl mnop qrst uvwx"
X_KEYS = {"consumer_key": "ck-f", "consumer_secret": "cs-f", "access_token": "1-at-f", "access_token_secret": "ats-f"}
MEDIUM_TOKEN = "medium-f"
SMTP_USER, SMTP_PASSWORD = "herald", "smtp-f"


@dataclass
class World:
    """The four fakes, the fault plan they share, and the config that points at them."""

    wordpress: FakeWordPress
    medium: FakeMedium
    x: FakeX
    smtp: smtp_server.Server
    faults: FaultPlan | None
    config: Path
    root: Path


def world_config(workdir: Path, world: dict, retry_delays: str = "[0]") -> Path:
    config = workdir / "herald.toml"
    config.write_text(
        f'content_root = "{workdir / "content"}"\noutbox = "{workdir / "outbox"}"\n'
        f'ledger_url = "sqlite:///{workdir / "herald.db"}"\n'
        f"[publish]\nretries = 4\nretry_delays = {retry_delays}\n"
        f'[diff]\nbase_url = "{world["wordpress"].url}"\nusername = "{WP_USER}"\ntimeout_seconds = 5\n'
        f'[medium]\napi_base = "{world["medium"].api_base}"\ntimeout_seconds = 5\n'
        f'[twitter]\napi_base = "{world["x"].url}"\ntimeout_seconds = 5\ndaily_post_quota = 100\n'
        f'[email]\nfrom_addr = "Advocacy <advocacy@example.org>"\nlist_addr = "news@lists.example.org"\n'
        f'message_id_domain = "example.org"\nsmtp_host = "127.0.0.1"\nsmtp_port = {world["smtp"].port}\n'
        f'username = "{SMTP_USER}"\nca_file = "{world["pki"].ca}"\ntimeout_seconds = 5\n',
        encoding="utf-8",
    )
    return config


def live_config(workdir: Path, wordpress, medium, x, smtp, pki, monkeypatch) -> Path:  # noqa: ANN001 - servers
    """herald.toml for the real WordPress and SMTP server and the Medium and X fakes; secrets in the environment."""
    config = workdir / "herald.toml"
    config.write_text(
        f'content_root = "{workdir / "content"}"\noutbox = "{workdir / "outbox"}"\n'
        f'ledger_url = "sqlite:///{workdir / "herald.db"}"\n'
        f'[diff]\nbase_url = "{wordpress.base_url}"\nusername = "{wordpress.username}"\n'
        f'[medium]\napi_base = "{medium.api_base}"\n'
        f'[twitter]\napi_base = "{x.url}"\n'
        f'[email]\nfrom_addr = "Advocacy <advocacy@example.org>"\nlist_addr = "news@lists.example.org"\n'
        f'message_id_domain = "example.org"\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\n'
        f'username = "{SMTP_USER}"\nca_file = "{pki.ca}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("HERALD_DIFF__APP_PASSWORD", wordpress.app_password)
    monkeypatch.setenv("HERALD_MEDIUM__TOKEN", MEDIUM_TOKEN)
    for name, value in X_KEYS.items():
        monkeypatch.setenv(f"HERALD_TWITTER__{name.upper()}", value)
    monkeypatch.setenv("HERALD_EMAIL__PASSWORD", SMTP_PASSWORD)
    return config
