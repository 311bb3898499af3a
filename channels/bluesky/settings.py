"""The `[bluesky]` section: the PDS, the account's handle and an app password."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from herald.core.spec import ChannelSettings, HttpUrl


class BlueskySettings(ChannelSettings):
    """A Bluesky account (opt-in: `enabled = true`) on its PDS."""

    enabled: bool = False
    pds_url: HttpUrl = "https://bsky.social"
    handle: str = ""
    app_password: SecretStr | None = None
    max_posts: int = 10
    timeout_seconds: float = 30.0
    accounts: dict[str, dict[str, Any]] = {}  # a translation's language -> its account's settings

    def has_credentials(self) -> bool:
        return bool(self.handle and self.app_password)

    def for_language(self, lang: str) -> BlueskySettings | None:
        """The section with the account of `lang` (`[bluesky.accounts.{lang}]`), or None without one."""
        account = next((account for tag, account in self.accounts.items() if tag.lower() == lang.lower()), None)
        return self.with_account(account) if account is not None else None  # type: ignore[return-value]

    def without_language(self, lang: str) -> str:
        """Why a translation posts nothing here."""
        return f"no account for {lang!r} ([bluesky.accounts.{lang}] in herald.toml); a translation posts nothing"
