"""The `[mastodon]` section: the instance, an access token, and the limits the renderer counts with."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from herald.core.spec import ChannelSettings, HttpUrl


class MastodonSettings(ChannelSettings):
    """A Mastodon account (opt-in: `enabled = true`); its instance's limits as `/api/v2/instance` states them."""

    enabled: bool = False
    api_base: HttpUrl = "https://mastodon.social"
    access_token: SecretStr | None = None
    max_characters: int = 500  # configuration.statuses.max_characters
    url_weight: int = 23  # configuration.statuses.characters_reserved_per_url
    max_posts: int = 10
    timeout_seconds: float = 30.0
    accounts: dict[str, dict[str, Any]] = {}  # a translation's language -> its account's settings

    def has_credentials(self) -> bool:
        return self.access_token is not None

    def for_language(self, lang: str) -> MastodonSettings | None:
        """The section with the account of `lang` (`[mastodon.accounts.{lang}]`), or None without one."""
        account = next((account for tag, account in self.accounts.items() if tag.lower() == lang.lower()), None)
        return self.with_account(account) if account is not None else None  # type: ignore[return-value]

    def without_language(self, lang: str) -> str:
        """Why a translation posts nothing here."""
        return f"no account for {lang!r} ([mastodon.accounts.{lang}] in herald.toml); a translation posts nothing"
