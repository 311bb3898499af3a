"""The `[diff]` section of herald.toml (and `HERALD_DIFF__*`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, field_validator

from herald.core.spec import ChannelSettings, HttpUrl


class DiffSettings(ChannelSettings):
    """The WordPress site behind Diff."""

    base_url: HttpUrl = "https://diff.wikimedia.org"
    username: str = ""
    app_password: SecretStr | None = None
    permalink: str = "{base_url}/{date:%Y/%m/%d}/{slug}/"
    timezone: str = "UTC"  # the site's time zone (Settings > General): the date in a scheduled post's URL
    site_lang: str = "en"  # the site's language (Settings > General): a post in another one is marked in its content
    timeout_seconds: float = 30.0

    @field_validator("timezone")
    @classmethod
    def _site_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{name!r} is not an IANA time zone (for example UTC, Europe/Berlin)") from None
        return name

    def has_credentials(self) -> bool:
        return bool(self.username and self.app_password)

    def planned_url(self, slug: str, date: object) -> str:
        """Where the post will live, before WordPress says so."""
        return self.permalink.format(base_url=self.base_url, slug=slug, date=date)
