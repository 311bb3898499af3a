"""The reviewer preview as Prefect artifacts: a Markdown summary the UI shows, and a link to the exact page."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from html import escape
from pathlib import Path

from prefect.artifacts import create_link_artifact, create_markdown_artifact

from channels.base import draft_digest
from channels.email.render import MAX_MESSAGE_BYTES, EmailDraft
from channels.twitter.render import MAX_WEIGHTED_LENGTH
from herald.drafts import Rendered

KEY_LENGTH = 100


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell (no HTML, no pipes, one line)."""
    return " ".join(escape(text).replace("|", "\\|").split())


def fenced(text: str) -> str:
    """A code block whose fence is longer than any backtick run in the text."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", text)), default=0))
    return f"{fence}text\n{text.rstrip()}\n{fence}\n"


def channel_rows(rendered: Rendered) -> str:
    """One table row per channel: what goes out, in a line, and the digest an approval records."""
    facts = {}
    for name, draft in rendered.drafts.items():
        if name == "diff":
            image = f", image alt “{draft.image_alt}”" if draft.featured_image else ""
            facts[name] = (f"“{draft.title}”, {draft.status}, tags {', '.join(draft.tags) or 'none'}, "
                           f"categories {', '.join(draft.categories) or 'none'}{image}")
        elif name == "medium":
            facts[name] = f"{draft.publish_status}, canonical {draft.canonical_url}, tags {', '.join(draft.tags)}"
        elif name == "twitter":
            kind = "condensed" if draft.condensed else "hand-written" if draft.hand_written else "full body"
            facts[name] = f"{len(draft.tweets)} tweets ({kind}), longest {max(draft.weights)}/{MAX_WEIGHTED_LENGTH}"
        elif name == "email":
            size = len(draft.as_bytes())
            facts[name] = f"“{draft.message['Subject']}”, {size / 1024:.1f} KB of {MAX_MESSAGE_BYTES // 1024} KB"
    return "".join(f"| {name} | {cell(facts.get(name, ''))} | `{draft_digest(draft)[:12]}` |\n"
                   for name, draft in rendered.drafts.items())


def summary_markdown(rendered: Rendered, page_uri: str | None = None) -> str:
    """The preview as Markdown: problems, a row per channel, then the thread and the plain-text email."""
    update = rendered.update
    parts = [f"# Preview: {cell(update.title)}\n\n`{cell(str(update.source))}` · Diff URL "
             f"{cell(rendered.context.diff_url)}\n"]
    if page_uri:
        parts.append(f"\nThe full side-by-side page: [{cell(Path(page_uri).name)}]({page_uri})\n")
    problems = "".join(f"- {cell(warning)}\n" for warning in rendered.warnings) or "- none\n"
    parts.append(f"\n## Check before publishing\n\n{problems}")
    parts.append(f"\n## Channels\n\n| channel | what goes out | digest |\n|---|---|---|\n{channel_rows(rendered)}")
    thread = rendered.drafts.get("twitter")
    if thread is not None:
        parts.append("\n## X thread\n")
        for number, (text, weight) in enumerate(zip(thread.tweets, thread.weights, strict=True), 1):
            parts.append(f"\n**{number}/{len(thread.tweets)}** ({weight}/{MAX_WEIGHTED_LENGTH})\n\n{fenced(text)}")
    mail = rendered.drafts.get("email")
    if mail is not None:
        message = mail.message
        head = "".join(f"{name}: {message[name]}\n" for name in ("From", "To", "Subject"))
        parts.append(f"\n## Email (text/plain, as sent)\n\n{fenced(head + chr(10) + plain_part(mail))}")
    return "".join(parts)


def plain_part(mail: EmailDraft) -> str:
    """The text/plain part of an email draft, decoded."""
    message = email.message_from_bytes(mail.as_bytes(), policy=email.policy.default)
    return message.get_body(("plain",)).get_content()


def write_page(page: str, slug: str, folder: Path) -> str | None:
    """Write the page named by its content; its `file:` URI, or None where the folder is not writable."""
    data = page.encode()
    path = folder / f"{slug}-{hashlib.sha256(data).hexdigest()[:12]}.html"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError:
        return None  # the preview helps reviewers; it never stops a publish
    return path.resolve().as_uri()


def attach(rendered: Rendered, page: str, folder: Path) -> str | None:
    """Attach the preview to the current run: a Markdown summary, and a link to the written page if any."""
    slug = rendered.update.slug
    uri = write_page(page, slug, folder)
    create_markdown_artifact(key=f"preview-{slug}"[:KEY_LENGTH], markdown=summary_markdown(rendered, uri),
                             description=f"herald preview {slug}")
    if uri is not None:
        create_link_artifact(key=f"preview-page-{slug}"[:KEY_LENGTH], link=uri, link_text=Path(uri).name,
                             description="The self-contained side-by-side preview (open it on the machine that ran)")
    return uri
