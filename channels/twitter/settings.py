"""The `[twitter]` section of herald.toml (and `HERALD_TWITTER__*`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import SecretStr

from herald.core.spec import ChannelSettings


class TwitterSettings(ChannelSettings):
    """X through tweepy with OAuth 1.0a user credentials."""

    api_base: str = "https://api.twitter.com"
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_token_secret: SecretStr | None = None
    max_tweets: int = 10
    link: Literal["first", "last"] = "first"
    daily_post_quota: int = 17
    timeout_seconds: float = 30.0
    accounts: dict[str, dict[str, Any]] = {}  # a translation's language -> its account's settings

    def has_credentials(self) -> bool:
        return all((self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret))

    def for_language(self, lang: str) -> TwitterSettings | None:
        """The section with the account of `lang` (`[twitter.accounts.{lang}]`), or None without one."""
        account = next((account for tag, account in self.accounts.items() if tag.lower() == lang.lower()), None)
        return self.with_account(account) if account is not None else None  # type: ignore[return-value]

    def without_language(self, lang: str) -> str:
        """Why a translation posts nothing here."""
        return f"no account for {lang!r} ([twitter.accounts.{lang}] in herald.toml); a translation posts nothing"
