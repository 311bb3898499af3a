"""The reviewer preview as Prefect artifacts: a Markdown summary the UI shows, and a link to the exact page."""

from __future__ import annotations

import hashlib
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from prefect.artifacts import create_link_artifact, create_markdown_artifact

from herald.core.draft import draft_digest

if TYPE_CHECKING:
    from herald.pipeline.render import Rendered

KEY_LENGTH = 100


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell (no HTML, no pipes, one line)."""
    return " ".join(escape(text).replace("|", "\\|").split())


def channel_rows(rendered: Rendered) -> str:
    """One table row per channel: what goes out, in a line, and the digest an approval records."""
    return "".join(f"| {name} | {cell(draft.facts())} | `{draft_digest(draft)[:12]}` |\n"
                   for name, draft in rendered.drafts.items())


def summary_markdown(rendered: Rendered, page_uri: str | None = None) -> str:
    """The preview as Markdown: problems, a row per channel, then each channel's exact text where it has one."""
    update = rendered.update
    parts = [f"# Preview: {cell(update.title)}\n\n`{cell(str(update.source))}` · Diff URL "
             f"{cell(rendered.context.diff_url)}\n"]
    if page_uri:
        parts.append(f"\nThe full side-by-side page: [{cell(Path(page_uri).name)}]({page_uri})\n")
    problems = "".join(f"- {cell(warning)}\n" for warning in rendered.warnings) or "- none\n"
    parts.append(f"\n## Check before publishing\n\n{problems}")
    parts.append(f"\n## Channels\n\n| channel | what goes out | digest |\n|---|---|---|\n{channel_rows(rendered)}")
    parts.extend(draft.markdown() for draft in rendered.drafts.values())
    return "".join(parts)


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
