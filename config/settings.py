"""Typed settings, read once at the edge from `config/herald.toml` and `HERALD_*` variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, ValidationError, create_model, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from channels.registry import CHANNELS
from herald.core.spec import ChannelSettings

DEFAULT_CONFIG = Path("config/herald.toml")


class ConfigError(ValueError):
    """Invalid configuration: one line naming the file and the setting."""


DONT_BLINK_TITLE = "Don't Blink: Protecting the Wikimedia model, its people, and its values in {month}"
DONT_BLINK_INTRO = (
    "Welcome to \"Don't Blink\"! Every month we share developments from around the world that shape people's "
    "ability to participate in the free knowledge movement. In case you blinked last month, here are the most "
    "important public policy advocacy topics that have kept the Wikimedia Foundation busy."
)
DONT_BLINK_TEAM = (
    "The Global Advocacy team works to advocate laws and government policies that protect the volunteer "
    "community-led Wikimedia model, Wikimedia's people, and the Wikimedia movement's core values."
)


class RecapLink(BaseModel):
    """One of the team's channels, linked from the recap's team blurb."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    url: str

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        if not url.startswith(("http://", "https://", "mailto:")):
            raise ValueError(f"{url!r} is not an http(s) or mailto URL")
        return url


class RecapSettings(BaseModel):
    """The monthly "Don't Blink" recap: its fixed text, the team's links and its schedule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = DONT_BLINK_TITLE
    summary: str = "Our monthly recap of the public policy developments that shape the Wikimedia model: {month}."
    intro: str = DONT_BLINK_INTRO
    team_blurb: str = DONT_BLINK_TEAM
    links: tuple[RecapLink, ...] = (
        RecapLink(label="Meta-Wiki", url="https://meta.wikimedia.org/wiki/Global_Advocacy"),
        RecapLink(label="X (@WikimediaPolicy)", url="https://x.com/WikimediaPolicy"),
        RecapLink(label="the public policy mailing list",
                  url="https://lists.wikimedia.org/postorius/lists/publicpolicy.lists.wikimedia.org/"),
    )
    tags: tuple[str, ...] = ("Don't Blink", "public policy")
    lang: str = "en"  # the recap's language: its fixed link labels come from this catalog
    timezone: str = "UTC"
    cron: str = "0 9 1 * *"

    @field_validator("title", "summary")
    @classmethod
    def _names_month(cls, text: str) -> str:
        if "{month}" not in text:
            raise ValueError("must contain {month}, for example 'Don't Blink ... in {month}'")
        return text

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{name!r} is not an IANA time zone (for example UTC, Europe/Berlin)") from None
        return name

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, cron: str) -> str:
        if len(cron.split()) != 5:
            raise ValueError(f"{cron!r} is not a five-field cron expression (minute hour day month weekday)")
        return " ".join(cron.split())

    @property
    def zone(self) -> ZoneInfo:
        """The time zone months are counted in."""
        return ZoneInfo(self.timezone)


class PublishSettings(BaseModel):
    """How publishing retries and guards against concurrent runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    retries: int = 3
    retry_delays: tuple[float, ...] = (2.0, 10.0, 30.0)
    lease_ttl_seconds: float = 3600.0


class TranslationSettings(BaseModel):
    """The languages the team translates its updates into (`herald status` lists the ones not started)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    languages: tuple[str, ...] = ()


class EngineSettings(BaseModel):
    """Where publish and recap flows run when PREFECT_API_URL is not set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["resident", "temporary"] = "resident"
    start_timeout_seconds: float = 90.0
    port: int = 0


class CoreSettings(BaseSettings):
    """Everything herald is configured with but the channels' own sections."""

    model_config = SettingsConfigDict(
        env_prefix="HERALD_", env_nested_delimiter="__", extra="forbid", frozen=True, toml_file=DEFAULT_CONFIG
    )

    content_root: Path = Path("content")
    outbox: Path = Path("outbox")
    ledger_url: str = "sqlite:///herald.db"
    require_approval: bool = False
    publish: PublishSettings = PublishSettings()
    recap: RecapSettings = RecapSettings()
    engine: EngineSettings = EngineSettings()
    translations: TranslationSettings = TranslationSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = settings_cls.model_config.get("toml_file")
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file)

    def channel(self, name: str) -> ChannelSettings:
        """The `[name]` section of a registered channel."""
        return getattr(self, name)


Settings = create_model(  # one section per registered channel, each typed by the channel's own settings model
    "Settings", __base__=CoreSettings, __doc__="Everything herald is configured with.",
    **{name: (spec.settings, spec.settings()) for name, spec in CHANNELS.items()},
)


def load_settings(path: Path | str | None = None) -> Settings:
    """Read settings once: the TOML file (`HERALD_CONFIG` or config/herald.toml, if present), then the environment."""
    toml_path = Path(path or os.environ.get("HERALD_CONFIG") or DEFAULT_CONFIG)
    if path is not None and not toml_path.is_file():
        raise ConfigError(f"{toml_path}: no such configuration file")

    class _FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=toml_path if toml_path.is_file() else None)

    try:
        return _FromFile()
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]
        field = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown setting"
        raise ConfigError(f"{_source(toml_path, problem['loc'])}: {field}: {message}") from None
    except Exception as error:  # tomllib.TOMLDecodeError and friends
        raise ConfigError(f"{toml_path}: {error}") from None


def _source(toml_path: Path, loc: tuple) -> str:
    """The environment variable that set a field, else the TOML file."""
    name = "HERALD_" + "__".join(str(part) for part in loc).upper()
    return name if name in {key.upper() for key in os.environ} else str(toml_path)
