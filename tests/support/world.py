"""The fakes of the services a publish reaches (the four, and opt-in Mastodon and Bluesky), and their config."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import smtp_server
from faults import FaultPlan
from mastodon_api import FakeMastodon
from medium_api import FakeMedium
from pds_server import PdsAccount
from wordpress_api import FakeWordPress
from wordpress_fault_proxy import WordPressFaultProxy
from x_api import FakeX

WP_USER, WP_PASSWORD = "herald", "abcd efgh ijkl mnop qrst uvwx"
X_KEYS = {"consumer_key": "ck-f", "consumer_secret": "cs-f", "access_token": "1-at-f", "access_token_secret": "ats-f"}
MEDIUM_TOKEN = "medium-f"
SMTP_USER, SMTP_PASSWORD = "herald", "smtp-f"
MASTODON_TOKEN = "mastodon-f"
COLLECTION = "app.bsky.feed.post"
OPT_IN = ("mastodon", "bluesky")  # channels a world includes only when a test asks: `@pytest.mark.with_channels(...)`


@dataclass
class Bluesky:
    """The session's real PDS and the fault proxy herald reaches it through."""

    account: PdsAccount
    proxy: WordPressFaultProxy

    @property
    def faults(self) -> FaultPlan | None:
        return self.proxy.faults

    @faults.setter
    def faults(self, plan: FaultPlan | None) -> None:
        self.proxy.faults = plan

    def records(self) -> list[dict]:
        """Every post in the account's repo (listRecords, straight from the PDS)."""
        return pds_records(self.account)

    def posts(self, slug: str) -> dict[int, list[dict]]:
        """The records at each of this update's record keys, by position (more than one would be a duplicate)."""
        from channels.bluesky.transport import post_rkey  # the atproto SDK loads only for the tests that use it

        keys = {post_rkey(slug, n): n for n in range(1, 21)}
        found: dict[int, list[dict]] = {}
        for record in self.records():
            position = keys.get(record["uri"].rsplit("/", 1)[1])
            if position is not None:
                found.setdefault(position, []).append(record)
        return found


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
    mastodon: FakeMastodon | None = None
    bluesky: Bluesky | None = None


def pds_records(account: PdsAccount) -> list[dict]:
    """Every `app.bsky.feed.post` record of the account, oldest key first."""
    records: list[dict] = []
    cursor = None
    while True:
        params = {"repo": account.did, "collection": COLLECTION, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{account.url}/xrpc/com.atproto.repo.listRecords", params=params, timeout=30).json()
        records += page["records"]
        cursor = page.get("cursor")
        if not cursor or not page["records"]:
            return records


def clear_pds(account: PdsAccount) -> None:
    """Delete every post of the account, so the next test starts from an empty repo on the session's PDS."""
    records = pds_records(account)
    if not records:
        return
    session = httpx.post(f"{account.url}/xrpc/com.atproto.server.createSession",
                         json={"identifier": account.handle, "password": account.password}, timeout=30)
    session.raise_for_status()
    headers = {"Authorization": f"Bearer {session.json()['accessJwt']}"}
    for start in range(0, len(records), 100):
        writes = [{"$type": "com.atproto.repo.applyWrites#delete", "collection": COLLECTION,
                   "rkey": record["uri"].rsplit("/", 1)[1]} for record in records[start:start + 100]]
        httpx.post(f"{account.url}/xrpc/com.atproto.repo.applyWrites", json={"repo": account.did, "writes": writes},
                   headers=headers, timeout=30).raise_for_status()


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
        f'username = "{SMTP_USER}"\nca_file = "{world["pki"].ca}"\ntimeout_seconds = 5\n'
        + opt_in_config(world),
        encoding="utf-8",
    )
    return config


def opt_in_config(services: dict) -> str:
    """The `[mastodon]` and `[bluesky]` sections, enabled, for the services present (credentials in the env)."""
    text = ""
    if services.get("mastodon") is not None:
        text += f'[mastodon]\nenabled = true\napi_base = "{services["mastodon"].api_base}"\ntimeout_seconds = 5\n'
    if services.get("bluesky") is not None:
        text += f'[bluesky]\nenabled = true\npds_url = "{services["bluesky"].proxy.url}"\ntimeout_seconds = 5\n'
    return text


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


@dataclass
class LiveServices:
    """What a live publish reaches: the real WordPress and SMTP server, the Medium and X fakes (and X's faults)."""

    wordpress: object
    medium: FakeMedium
    x: FakeX
    smtp: smtp_server.Server
    x_faults: FaultPlan | None = None
    config: Path = field(default=Path("herald.toml"))

    def killed_after(self, workdir: Path, args: list[str], method: str, count: int) -> None:
        """Run `herald ARGS` in its own process and kill it once X has received `count` requests of `method`."""
        self.x.latency = 0.5
        process = subprocess.Popen([sys.executable, "-m", "herald.cli", *args], cwd=workdir, env=dict(os.environ),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while sum(request.method == method for request in self.x.requests) < count:
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        self.x.latency = 0.0

    def messages(self) -> list[email.message.EmailMessage]:
        """Every message the SMTP server took, parsed."""
        return [email.message_from_bytes(envelope.original_content, policy=email.policy.default)
                for envelope in self.smtp.mailbox.envelopes]


@contextmanager
def live_services(workdir: Path, wordpress, pki, monkeypatch, x_faults: FaultPlan | None = None,  # noqa: ANN001
                  extra_config: str = "") -> Iterator[LiveServices]:
    """Start the SMTP server and the fakes, write live settings (plus `extra_config`); stop them after."""
    smtp = smtp_server.start(pki, SMTP_USER, SMTP_PASSWORD)
    try:
        with FakeMedium(MEDIUM_TOKEN) as medium, FakeX(**X_KEYS, faults=x_faults) as x:
            config = live_config(workdir, wordpress, medium, x, smtp, pki, monkeypatch)
            if extra_config:
                with config.open("a", encoding="utf-8") as toml:
                    toml.write(extra_config)
            yield LiveServices(wordpress, medium, x, smtp, x_faults, config)
    finally:
        smtp.controller.stop()
