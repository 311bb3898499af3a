"""The `[mastodon]` section: the instance, an access token, and the limits the renderer counts with."""

from __future__ import annotations

from pydantic import SecretStr, field_validator

from channels.spec import ChannelSettings


class MastodonSettings(ChannelSettings):
    """A Mastodon account (opt-in: `enabled = true`); its instance's limits as `/api/v2/instance` states them."""

    enabled: bool = False
    api_base: str = "https://mastodon.social"
    access_token: SecretStr | None = None
    max_characters: int = 500  # configuration.statuses.max_characters
    url_weight: int = 23  # configuration.statuses.characters_reserved_per_url
    max_posts: int = 10
    timeout_seconds: float = 30.0

    @field_validator("api_base")
    @classmethod
    def _http(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url.rstrip("/")

    def has_credentials(self) -> bool:
        return self.access_token is not None
