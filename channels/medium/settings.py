"""The `[medium]` section of herald.toml (and `HERALD_MEDIUM__*`)."""

from __future__ import annotations

from pydantic import SecretStr

from herald.core.spec import ChannelSettings


class MediumSettings(ChannelSettings):
    """The Medium API (tokens are no longer issued: without one, herald prepares a manual import)."""

    api_base: str = "https://api.medium.com/v1"
    token: SecretStr | None = None
    timeout_seconds: float = 30.0

    def has_credentials(self) -> bool:
        return self.token is not None
