"""The `[email]` section of herald.toml (and `HERALD_EMAIL__*`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from herald.core.spec import ChannelSettings


class EmailSettings(ChannelSettings):
    """The list address and the SMTP relay that reaches it."""

    from_addr: str = "Herald <herald@localhost>"
    list_addr: str = "list@localhost"
    message_id_domain: str = "localhost"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    ca_file: Path | None = None
    username: str = ""
    password: SecretStr | None = None
    timeout_seconds: float = 30.0
    # How each part is encoded, which is what the list measures against its size limit: "auto" takes the smaller of
    # quoted-printable and base64 per part (7-bit, any server; base64 for non-Latin text); "8bit" sends UTF-8 as it
    # is (the smallest; the relay must offer 8BITMIME, which pre-flight checks).
    transfer_encoding: Literal["auto", "8bit", "base64", "quoted-printable"] = "auto"
    lists: dict[str, str] = {}  # a translation's language -> its list address; without one, it sends nothing

    def has_credentials(self) -> bool:
        return bool(self.username and self.password)

    def for_language(self, lang: str) -> EmailSettings | None:
        """The section sending to the list of `lang` (`[email.lists] fr = "..."`), or None without one."""
        address = next((address for tag, address in self.lists.items() if tag.lower() == lang.lower()), None)
        return self.model_copy(update={"list_addr": address}) if address else None

    def without_language(self, lang: str) -> str:
        """Why a translation sends no email."""
        return f"no list for {lang!r} ([email.lists] {lang} = \"...\" in herald.toml); a translation sends nothing"
