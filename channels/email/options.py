"""The `email:` block of an update's front matter."""

from __future__ import annotations

from pydantic import field_validator

from content.model import ChannelOptions


class EmailOptions(ChannelOptions):
    """Mailing-list options from the update's `email:` block."""

    subject: str | None = None

    @field_validator("subject")
    @classmethod
    def _subject_one_line(cls, subject: str | None) -> str | None:
        if subject is not None:
            if "\n" in subject or "\r" in subject:
                raise ValueError("the subject must be one line (it contains a line break)")
            if not subject:
                raise ValueError("the subject is blank")
        return subject
