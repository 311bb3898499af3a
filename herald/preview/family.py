"""An update family side by side: the source's Diff post and each translation's, the outdated ones marked with the
passages their source changed since they were made (struck and inserted words), right-to-left ones right to left."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from channels.registry import CHANNELS
from content.errors import UpdateError
from herald.core.draft import RenderError
from herald.pipeline.render import ROOT, Rendered, render_update
from herald.pipeline.translations import Staleness, staleness
from herald.pipeline.versions import members
from herald.preview.page import shell, with_image_data

if TYPE_CHECKING:
    from config.settings import Settings

FILE = "family.html"
_FILES = re.compile(r"<p class=files>Exact files: .*?</p>", re.S)
_CHANGE = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.S)
_STYLE = (
    "<style>.family{display:grid;grid-auto-flow:column;grid-auto-columns:minmax(340px,1fr);gap:16px;"
    "padding:16px 20px;overflow-x:auto}.version>h2{font-size:15px;margin:0 0 6px}"
    ".badge{font-size:11px;border-radius:8px;padding:1px 8px;margin-left:6px;background:#d5fdf4;color:#14866d}"
    ".badge.outdated{background:#fee7e6;color:#d33}.changes{background:#fef6e7;border:1px solid #fc3;"
    "border-radius:4px;padding:6px 10px;margin:0 0 8px;font-size:13px}del{background:#fee7e6}"
    "ins{background:#d5fdf4;text-decoration:none}</style>"
)


@dataclass(frozen=True)
class Version:
    """One language of the family as the page shows it: its Diff draft, or why it has none, and its staleness."""

    lang: str
    path: Path
    rendered: Rendered | None
    error: str = ""
    stale: Staleness | None = None
    is_source: bool = False


def changes_html(changes: str) -> str:
    """A word diff (`[-old-]{+new+}`) as HTML: struck words and inserted words, the rest as text."""
    out, end = [], 0
    for found in _CHANGE.finditer(changes):
        out.append(escape(changes[end:found.start()]))
        out.append(f"<del>{escape(found[1])}</del>" if found[1] is not None else f"<ins>{escape(found[2])}</ins>")
        end = found.end()
    return "".join(out) + escape(changes[end:])


def versions(path: Path | str, settings: Settings) -> list[Version]:
    """Every language of the family `path` belongs to, the source first, each with its Diff draft."""
    family = members(path, settings)
    source = next((member.update for member in family if member.is_source), None)
    found = []
    for member in family:
        if member.update is None:
            found.append(Version(member.lang, member.path, None, member.error or "", None, member.is_source))
            continue
        try:
            rendered = render_update(member.update, settings, [ROOT])
        except (UpdateError, RenderError) as error:
            found.append(Version(member.lang, member.path, None, str(error), None, member.is_source))
            continue
        stale = staleness(member.update, source) if source is not None and not member.is_source else None
        found.append(Version(member.lang, member.path, rendered, "", stale, member.is_source))
    return found


def version_html(version: Version) -> str:
    """One column: the language, its state, what changed in the source since it was made, and its Diff pane."""
    badge = ("<span class='badge outdated'>outdated</span>" if version.stale is not None else
             "<span class=badge>source</span>" if version.is_source else "<span class=badge>up to date</span>")
    head = f"<h2>{escape(version.lang)} · {escape(version.path.name)}{badge}</h2>"
    changes = (f"<div class=changes>Changed in the source since this translation was made: "
               f"<span lang=en>{changes_html(version.stale.changes)}</span></div>" if version.stale else "")
    if version.rendered is None:
        return f"<div class=version>{head}<p class=error>{escape(version.error)}</p></div>"
    pane = with_image_data(CHANNELS[ROOT].pane(version.rendered.drafts[ROOT]), version.rendered)
    if not version.is_source:  # its exact files are in its own preview folder, not beside this page
        own = f"<p class=files>Its exact files: <code>herald preview {escape(str(version.path))}</code></p>"
        pane = _FILES.sub(own, pane)
    return f"<div class=version>{head}{changes}{pane}</div>"


def family_page(found: list[Version]) -> str:
    """The family side by side on one self-contained page."""
    title = next((v.rendered.update.title for v in found if v.is_source and v.rendered is not None), "")
    outdated = sum(version.stale is not None for version in found)
    header = (f"<header><h1>Family: {escape(title)}</h1><div class=meta>{len(found)} languages · {outdated} "
              "outdated · each column is the Diff post that publish sends for that language</div></header>")
    return shell(f"Family: {title}", _STYLE + header + "<div class=family>"
                 + "".join(version_html(version) for version in found) + "</div>")


def write_family(path: Path | str, settings: Settings, out: Path) -> Path | None:
    """Write `family.html` into `out` when the update has translations (or is one); None for a lone update."""
    found = versions(path, settings)
    if len(found) < 2:
        return None
    out.mkdir(parents=True, exist_ok=True)
    target = out / FILE
    target.write_text(family_page(found), encoding="utf-8")
    return target
