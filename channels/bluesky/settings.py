"""The `[bluesky]` section: the PDS, the account's handle and an app password."""

from __future__ import annotations

from pydantic import SecretStr, field_validator

from channels.spec import ChannelSettings


class BlueskySettings(ChannelSettings):
    """A Bluesky account (opt-in: `enabled = true`) on its PDS."""

    enabled: bool = False
    pds_url: str = "https://bsky.social"
    handle: str = ""
    app_password: SecretStr | None = None
    max_posts: int = 10
    timeout_seconds: float = 30.0

    @field_validator("pds_url")
    @classmethod
    def _http(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url.rstrip("/")

    def has_credentials(self) -> bool:
        return bool(self.handle and self.app_password)
