"""The email pane: headers, the text part as sent, the HTML part in a sandbox, the size against the limit."""

from __future__ import annotations

import email
import email.policy
from email.utils import format_datetime
from html import escape

from channels.email.render import MAX_MESSAGE_BYTES, EmailDraft
from channels.panes import attr, files_line, lang_attrs, pane

NEAR_SIZE = 0.9
SHOWN_HEADERS = ("From", "To", "Subject")


def planned_date(draft: EmailDraft) -> str:
    """What the Date header will say: it is set at the moment of sending."""
    if draft.planned_at is None:
        return "set when sent (the moment of publishing)"
    return f"set when sent; planned for {format_datetime(draft.planned_at)}"


def email_pane(draft: EmailDraft) -> str:
    """The headers, the text/plain part as sent, the HTML part in a sandbox, and the size against the limit."""
    data = draft.as_bytes()
    message = email.message_from_bytes(data, policy=email.policy.default)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # SMTP's CRLF, shown as lines
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    headers = "".join(f"<dt>{name}</dt><dd>{escape(str(message[name]))}</dd>" for name in SHOWN_HEADERS)
    headers += f"<dt>Date</dt><dd class=planned>{escape(planned_date(draft))}</dd>"
    level = " over" if len(data) > MAX_MESSAGE_BYTES else " near" if len(data) > NEAR_SIZE * MAX_MESSAGE_BYTES else ""
    size = (f'<p class="size{level}" data-bytes={len(data)}>{len(data) / 1024:.1f} KB of '
            f"{MAX_MESSAGE_BYTES // 1024} KB</p>")
    body = (
        f"<dl>{headers}</dl>{size}<h3>Plain text (as sent)</h3>"
        f"<pre class=plain {lang_attrs(draft.lang)}>{escape(text)}</pre>"
        f'<h3>HTML part</h3><iframe class=html-part sandbox title="HTML part" srcdoc="{attr(html)}"></iframe>'
        f"{files_line(draft)}"
    )
    return pane("email", "Email", body)
