"""The `[bluesky]` section: the PDS, the account's handle and an app password."""

from __future__ import annotations

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

    def has_credentials(self) -> bool:
        return bool(self.handle and self.app_password)
