"""What a channel is: one folder under `channels/` exporting `SPEC`, listed once in `channels/registry.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

from content.model import ChannelOptions

if TYPE_CHECKING:
    from content.model import Update
    from herald.core.draft import Draft, RenderContext
    from herald.core.ledger import Ledger
    from herald.core.transport import Transport

TransportChoice = Literal["auto", "outbox", "live"]


def _http_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{url!r} is not an http(s) URL")
    return url.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]  # a service's address in settings, without a trailing slash


def lazy(target: str) -> Callable[..., Any]:
    """`module:name`, imported at its first call: a channel's renderer, pane and transport load only when used."""
    module, _, name = target.partition(":")

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(import_module(module), name)(*args, **kwargs)

    call.__qualname__ = call.__name__ = target
    return call


class ChannelSettings(BaseModel):
    """A channel's `[name]` section of herald.toml / `HERALD_NAME__*`: its transport and its credentials."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    transport: TransportChoice = "auto"
    enabled: bool = True  # an opt-in channel sets this False: it goes out only once the team enables it

    def has_credentials(self) -> bool:
        """Whether this section has what a live transport needs."""
        return False

    def is_live(self) -> bool:
        """Live when asked for, or when credentials are present and nothing else is asked."""
        return self.transport == "live" or (self.transport == "auto" and self.has_credentials())

    def for_language(self, lang: str) -> ChannelSettings | None:
        """This section for a translation into `lang`, or None when the channel sends no translation into it."""
        return self

    def without_language(self, lang: str) -> str:
        """Why a translation into `lang` sends nothing here (when `for_language` is None)."""
        return f"nothing is configured for {lang!r}"

    def with_account(self, account: dict[str, Any]) -> ChannelSettings:
        """This section with another account's settings over it (validated like the section itself)."""
        values = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self).model_validate({**values, **account, "accounts": {}} if "accounts" in values
                                         else {**values, **account})


@dataclass(frozen=True)
class ChannelSpec:
    """Everything herald needs to know about one channel; the flow, CLI, preview and ledger read only this."""

    name: str
    settings: type[ChannelSettings]
    options: type[ChannelOptions]
    render: Callable[[Update, RenderContext, Any, Any], Draft]  # (update, context, settings, options), pure
    live_transport: Callable[[Any, Ledger, str], Transport]  # (settings, ledger, slug); imports lazily
    pane: Callable[[Any], str]  # the draft as reviewers see it, an HTML <section>
    waits_for_diff: bool = True  # sent only once the Diff post's URL is known
    offline_transport: Callable[[Any, Path, str], Transport] | None = None  # (settings, outbox, slug); else the outbox
    done_word: str = "posted"  # the progress line once it went out: "posted", "thread posted", "sent"
    shows_body_images: bool = False  # its HTML shows the body's images, uploaded once through the Diff site
    thread: bool = False  # many writes (parts settled one by one with `resolve --part N`), not one
    looks_up: bool = False  # after an unclear outcome, the next publish finds out by itself whether it went
    remote_id: Callable[[str], str] = lambda url: url  # the service's id in a URL a person pasted
    recap_label: str | None = None  # the recap links the update here with this label (a msgid in content/locale)
    site_notes: Callable[[Any, Any, str], tuple[list[str], str | None]] | None = None  # (settings, draft, slug)
    part_kind: str = "post"  # a thread's writes in the ledger ("tweet"), counted by `herald status`
    parts_word: str = "posts"  # how people call them: "tweets", "statuses"
    lifecycle: str | None = None  # the module with `correct(job, ...)` and `retract(job, ...)`; None: neither
