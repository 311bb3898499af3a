"""config.settings: typed settings from a TOML file and HERALD_* variables, secrets never shown."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from channels.diff.settings import DiffSettings
from channels.email.settings import EmailSettings
from channels.medium.settings import MediumSettings
from channels.twitter.settings import TwitterSettings
from config.settings import ConfigError, Settings, load_settings

SHIPPED = Path(__file__).parent.parent.parent / "config" / "herald.toml"
SECRETS = {
    "HERALD_DIFF__APP_PASSWORD": "abcd EFGH ijkl MNOP",
    "HERALD_MEDIUM__TOKEN": "medium-token-2a9f",
    "HERALD_TWITTER__CONSUMER_KEY": "ck-7d1e",
    "HERALD_TWITTER__CONSUMER_SECRET": "cs-88b0",
    "HERALD_TWITTER__ACCESS_TOKEN": "at-3c44",
    "HERALD_TWITTER__ACCESS_TOKEN_SECRET": "ats-91aa",
    "HERALD_EMAIL__PASSWORD": "smtp-pass-5e6f",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No HERALD_* variables from the caller, and a working folder without config/herald.toml."""
    for name in list(os.environ):
        if name.upper().startswith("HERALD_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def toml(tmp_path: Path, text: str, name: str = "herald.toml") -> Path:
    """A configuration file."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path | str | None) -> str:
    """The one-line ConfigError that loading gives."""
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    line = str(caught.value)
    assert "\n" not in line
    return line


def test_defaults_without_a_file() -> None:
    settings = load_settings()
    assert settings.content_root == Path("content") and settings.outbox == Path("outbox")
    assert settings.ledger_url == "sqlite:///herald.db"
    assert settings.require_approval is False
    assert settings.diff.base_url == "https://diff.wikimedia.org"
    assert settings.medium.api_base == "https://api.medium.com/v1"
    assert settings.twitter.api_base == "https://api.twitter.com"
    assert settings.twitter.max_tweets == 10 and settings.twitter.daily_post_quota == 17
    assert settings.email.smtp_port == 587 and settings.email.security == "starttls"
    for section in (settings.diff, settings.medium, settings.twitter, settings.email):
        assert section.transport == "auto"
        assert not section.has_credentials() and not section.is_live()
    assert settings.diff.app_password is None and settings.medium.token is None
    assert settings.email.password is None and settings.twitter.consumer_key is None


def test_the_shipped_file_loads_and_holds_no_secrets() -> None:
    settings = load_settings(SHIPPED)
    assert settings.email.message_id_domain == "example.org"
    assert settings.email.list_addr == "advocacy-news@lists.example.org"
    assert not any(section.has_credentials() for section in (settings.diff, settings.medium, settings.twitter))
    data = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    secret_names = {"app_password", "token", "consumer_key", "consumer_secret", "access_token", "access_token_secret",
                    "password"}
    assert not [(section, key) for section, table in data.items() if isinstance(table, dict)
                for key in table if key in secret_names]


def test_the_default_file_is_found_in_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    toml(tmp_path / "config", "[twitter]\nmax_tweets = 4\n")
    assert load_settings().twitter.max_tweets == 4


def test_herald_config_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = toml(tmp_path, "outbox = 'elsewhere'\n", name="other.toml")
    monkeypatch.setenv("HERALD_CONFIG", str(path))
    assert load_settings().outbox == Path("elsewhere")


def test_toml_values_are_read(tmp_path: Path) -> None:
    path = toml(
        tmp_path,
        'content_root = "updates"\nrequire_approval = true\n'
        '[diff]\nbase_url = "https://wp.example.org/"\nusername = "herald-bot"\ntransport = "outbox"\n'
        '[email]\nmessage_id_domain = "lists.example.org"\nsmtp_port = 465\nsecurity = "tls"\n',
    )
    settings = load_settings(path)
    assert settings.content_root == Path("updates") and settings.require_approval is True
    assert settings.diff.base_url == "https://wp.example.org"  # trailing slash dropped
    assert settings.diff.username == "herald-bot" and settings.diff.transport == "outbox"
    assert settings.email.message_id_domain == "lists.example.org"
    assert settings.email.smtp_port == 465 and settings.email.security == "tls"


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = toml(tmp_path, '[twitter]\nmax_tweets = 5\n[diff]\nusername = "from-file"\n')
    monkeypatch.setenv("HERALD_TWITTER__MAX_TWEETS", "7")
    monkeypatch.setenv("HERALD_REQUIRE_APPROVAL", "true")
    settings = load_settings(path)
    assert settings.twitter.max_tweets == 7
    assert settings.require_approval is True
    assert settings.diff.username == "from-file"  # untouched values still come from the file


def test_secrets_come_from_the_environment_as_secret_str(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    secrets = [
        settings.diff.app_password,
        settings.medium.token,
        settings.twitter.consumer_key,
        settings.twitter.consumer_secret,
        settings.twitter.access_token,
        settings.twitter.access_token_secret,
        settings.email.password,
    ]
    assert all(isinstance(secret, SecretStr) for secret in secrets)
    assert [secret.get_secret_value() for secret in secrets] == list(SECRETS.values())


def test_secrets_never_appear_in_repr_str_or_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    shown = [
        repr(settings),
        str(settings),
        f"{settings}",
        settings.model_dump_json(),
        str(settings.model_dump()),
        *(repr(section) for section in (settings.diff, settings.medium, settings.twitter, settings.email)),
        str(settings.diff.app_password),
    ]
    for text in shown:
        for value in SECRETS.values():
            assert value not in text
    assert "**********" in repr(settings)


def test_unknown_key_in_the_file_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = toml(tmp_path, '[diff]\nbase_url = "https://wp.example.org"\nbase_urll = "oops"\n')
    assert config_error(path) == f"{path}: diff.base_urll: unknown setting"


def test_unknown_top_level_key_names_the_file(tmp_path: Path) -> None:
    path = toml(tmp_path, 'outboxx = "outbox"\n')
    assert config_error(path) == f"{path}: outboxx: unknown setting"


def test_unknown_section_names_the_file(tmp_path: Path) -> None:
    path = toml(tmp_path, '[myspace]\ntoken = "x"\n')
    line = config_error(path)
    assert line.startswith(f"{path}: myspace")


def test_secret_in_the_environment_with_a_typo_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = toml(tmp_path, '[diff]\nusername = "bot"\n')
    monkeypatch.setenv("HERALD_DIFF__APP_PASSWRD", "x")
    assert config_error(path) == "HERALD_DIFF__APP_PASSWRD: diff.app_passwrd: unknown setting"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('[diff]\nbase_url = "ftp://wp.example.org"\n', "diff.base_url"),
        ('[diff]\ntransport = "sometimes"\n', "diff.transport"),
        ('[email]\nsecurity = "ssl"\n', "email.security"),
        ('[twitter]\nmax_tweets = "many"\n', "twitter.max_tweets"),
        ('require_approval = "maybe"\n', "require_approval"),
    ],
)
def test_invalid_values_name_the_file_and_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = toml(tmp_path, text)
    assert config_error(path).startswith(f"{path}: {field}: ")


def test_invalid_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_TWITTER__MAX_TWEETS", "lots")
    assert config_error(None).startswith("HERALD_TWITTER__MAX_TWEETS: twitter.max_tweets: ")


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = toml(tmp_path, "[diff\nusername = 'x'\n")
    assert config_error(path).startswith(f"{path}: ")


def test_missing_named_file_is_an_error(tmp_path: Path) -> None:
    assert config_error(tmp_path / "nowhere.toml") == f"{tmp_path / 'nowhere.toml'}: no such configuration file"


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValidationError):
        settings.outbox = Path("elsewhere")  # type: ignore[misc]
    with pytest.raises(ValidationError):
        settings.diff.username = "someone"  # type: ignore[misc]


# is_live()


@pytest.mark.parametrize(
    ("section", "credentials"),
    [
        (DiffSettings, {"username": "bot", "app_password": "abcd efgh"}),
        (MediumSettings, {"token": "t"}),
        (
            TwitterSettings,
            {"consumer_key": "a", "consumer_secret": "b", "access_token": "c", "access_token_secret": "d"},
        ),
        (EmailSettings, {"username": "advocacy@example.org", "password": "p"}),
    ],
)
def test_is_live_rules(section: type, credentials: dict) -> None:
    assert section(**credentials).is_live()  # auto + credentials
    assert not section().is_live()  # auto without credentials
    assert not section(transport="outbox", **credentials).is_live()  # outbox always wins
    assert section(transport="live").is_live()  # asked for explicitly
    assert section(transport="live", **credentials).is_live()


@pytest.mark.parametrize(
    ("section", "partial"),
    [
        (DiffSettings, {"username": "bot"}),
        (DiffSettings, {"app_password": "abcd efgh"}),
        (TwitterSettings, {"consumer_key": "a", "consumer_secret": "b", "access_token": "c"}),
        (EmailSettings, {"password": "p"}),
        (EmailSettings, {"username": "advocacy@example.org"}),
    ],
)
def test_partial_credentials_are_not_live(section: type, partial: dict) -> None:
    assert not section(**partial).has_credentials()
    assert not section(**partial).is_live()


def test_environment_credentials_make_auto_live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_DIFF__USERNAME", "bot")
    monkeypatch.setenv("HERALD_DIFF__APP_PASSWORD", "abcd efgh")
    monkeypatch.setenv("HERALD_MEDIUM__TRANSPORT", "outbox")
    monkeypatch.setenv("HERALD_MEDIUM__TOKEN", "t")
    settings = load_settings()
    assert settings.diff.is_live()
    assert not settings.medium.is_live()
    assert not settings.twitter.is_live() and not settings.email.is_live()


def test_planned_url_follows_the_permalink() -> None:
    diff = DiffSettings(base_url="https://diff.example.org/")
    assert diff.planned_url("dont-blink-september-2026", dt.date(2026, 10, 1)) == (
        "https://diff.example.org/2026/10/01/dont-blink-september-2026/"
    )
    custom = DiffSettings(permalink="{base_url}/?name={slug}")
    assert custom.planned_url("x", dt.date(2026, 1, 2)) == "https://diff.wikimedia.org/?name=x"


def test_settings_class_reads_the_environment_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_EMAIL__SMTP_HOST", "relay.example.org")
    assert Settings().email.smtp_host == "relay.example.org"


def test_twitter_link_is_first_by_default_last_on_request_and_reaches_the_renderer(tmp_path: Path) -> None:
    import datetime as dt

    from channels.registry import update_model
    from herald.pipeline.render import render_update

    update = update_model()(source=Path("u.md"), title="T", date=dt.date(2026, 10, 1), slug="t",
                             body="The consultation closes soon and we will answer it in full. " * 12)
    assert load_settings().twitter.link == "first"
    first = render_update(update, load_settings(), ["twitter"]).drafts["twitter"]
    assert "https://diff.wikimedia.org/2026/10/01/t/" in first.tweets[0]
    settings = load_settings(toml(tmp_path, '[twitter]\nlink = "last"\n'))
    assert settings.twitter.link == "last"
    last = render_update(update, settings, ["twitter"]).drafts["twitter"]
    assert "Read the full post: https://" in last.tweets[-1] and "https://" not in last.tweets[0]


def test_twitter_link_refuses_other_places(tmp_path: Path) -> None:
    message = config_error(toml(tmp_path, '[twitter]\nlink = "middle"\n'))
    assert message == f"{tmp_path / 'herald.toml'}: twitter.link: Input should be 'first' or 'last'"
