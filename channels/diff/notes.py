"""What the live WordPress site says of a post before it is sent: new tags, unknown categories (read-only)."""

from __future__ import annotations

from channels.diff.render import DiffDraft
from channels.diff.settings import DiffSettings
from herald.core.transport import PreflightError, TransportError


def term_notes(settings: DiffSettings, draft: DiffDraft, slug: str) -> tuple[list[str], str | None]:
    """("new tag 'x'" lines, a category refusal) from the live site."""
    from channels.diff.transport import WordPressTransport
    from herald.core.ledger import Ledger

    ledger = Ledger("sqlite://")  # in memory: the lookups write nothing
    transport = WordPressTransport(settings, ledger, slug)
    try:
        transport.check_site(draft)
        return [f"new tag {name!r} (not on the site yet: publishing creates it)"
                for name in transport.new_tags(draft)], None
    except PreflightError as error:
        return [], str(error)
    except TransportError as error:
        return [f"tags not checked: {error}"], None
    finally:
        transport.close()
        ledger.close()
