"""The `[mastodon]` section: the instance, an access token, and the limits the renderer counts with."""

from __future__ import annotations

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

    def has_credentials(self) -> bool:
        return self.access_token is not None
