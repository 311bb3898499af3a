"""Write each channel's exact output to a folder, plus one self-contained page showing all four."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from channels.panes import attr, data_uri, lang_attrs
from channels.registry import CHANNELS
from content.errors import UpdateError
from herald.core.draft import RenderError
from herald.pipeline.render import Rendered, load_and_render

if TYPE_CHECKING:
    from config.settings import Settings

INPUT_ERRORS = (UpdateError, RenderError)
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-src 'self'"
RELOAD_SCRIPT = (
    "const v=document.querySelector('meta[name=herald-version]').content;"
    "setInterval(()=>fetch('/__version',{cache:'no-store'}).then(r=>r.text())"
    ".then(t=>{if(t&&t!==v)location.reload()}).catch(()=>{}),1000);"
)
LIVE_CSP = (f"{CSP}; connect-src 'self'; script-src "
            f"'sha256-{base64.b64encode(hashlib.sha256(RELOAD_SCRIPT.encode()).digest()).decode()}'")
PREVIEWS = Path("previews")

_STYLE = """
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#eaecf0;color:#202122}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #c8ccd1}
header h1{margin:0 0 4px;font-size:22px}
.meta,.files{color:#54595d;font-size:13px}.files{border-top:1px solid #eaecf0;padding-top:6px;margin-top:12px}
.problems{background:#fef6e7;border:1px solid #fc3;border-radius:4px;padding:8px 16px;margin:12px 20px}
.problems.none{background:#d5fdf4;border-color:#14866d}
.panes{display:flex;flex-wrap:wrap;gap:16px;padding:16px 20px;align-items:flex-start}
section.pane{flex:1 1 320px;background:#fff;border:1px solid #c8ccd1;border-radius:6px;padding:12px 16px;
 overflow:auto;min-width:0;container-type:inline-size}
section#twitter{flex:.9 1 300px}section#email{flex:1.2 1 480px}
section.pane>h2{margin:0 0 8px;font-size:16px;text-transform:uppercase;letter-spacing:.05em;color:#36c}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;font-size:13px;margin:0 0 10px}
dt{color:#54595d}dd{margin:0;overflow-wrap:anywhere}
.chip{display:inline-block;background:#eaf3ff;border-radius:10px;padding:0 8px;margin:0 4px 2px 0;font-size:12px}
.post{border-top:1px solid #eaecf0;padding-top:8px;overflow-wrap:anywhere}.post img{max-width:100%}
.post table{border-collapse:collapse}.post td,.post th{border:1px solid #c8ccd1;padding:2px 6px}
.excerpt{font-style:italic;color:#54595d}
figure{margin:0 0 8px}img.featured{width:100%;height:auto;border-radius:4px}figcaption{font-size:12px;color:#54595d}
.tweet{border:1px solid #cfd9de;border-radius:12px;padding:8px 12px;margin:8px 0}
.tweet-head{font-size:12px;color:#536471;font-weight:bold}.tweet-text{white-space:pre-wrap;overflow-wrap:anywhere}
.link{color:#1d9bf0}
.card{border:1px solid #cfd9de;border-radius:8px;padding:6px 10px;margin:6px 0;font-size:13px}
.card small{color:#536471;overflow-wrap:anywhere}
.cw{font-size:12px;background:#fff4e5;border-radius:4px;padding:2px 6px;margin:4px 0}
.tco{white-space:nowrap;font-size:11px;color:#536471;background:#eff3f4;border-radius:4px;padding:0 4px;margin-left:4px}
.count,.size{font-size:12px;color:#14866d;text-align:right}.size{text-align:left}
.near{color:#ac6600;font-weight:bold}.over,.warn{color:#d33;font-weight:bold}
pre.plain{white-space:pre-wrap;overflow-wrap:anywhere;background:#f8f9fa;border:1px solid #eaecf0;padding:8px;
 font:clamp(10px,calc((100cqw - 18px) / 44),13px)/1.4 ui-monospace,monospace}
iframe.html-part{width:100%;height:480px;border:1px solid #c8ccd1;background:#fff}
ul.index{background:#fff;border-radius:6px;padding:12px 32px;flex:1}ul.index li{margin:4px 0}.error{color:#d33}
"""


@dataclass(frozen=True)
class Entry:
    """One update of a folder preview: its page's folder and its render, or the one-line error."""

    source: Path
    folder: str
    rendered: Rendered | None = None
    error: str = ""
    title: str = ""
    problems: int = 0
    files: int = 0

    @classmethod
    def of(cls, source: Path, rendered: Rendered, files: int = 0) -> Entry:
        """A valid update's entry without its render (what an index needs once its page is written)."""
        return cls(source, source.stem, None, "", rendered.update.title, len(rendered.warnings), files)


def shell(title: str, body: str, lang: str = "en", version: str | None = None) -> str:
    """A whole page: strict CSP, inline style; with a version, the tiny reload script for `--serve`."""
    csp, live = CSP, ""
    if version is not None:
        csp = LIVE_CSP
        live = f'<meta name=herald-version content="{attr(version)}"><script>{RELOAD_SCRIPT}</script>'
    return (
        f'<!DOCTYPE html><html lang="{attr(lang)}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">{live}'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>\n"
    )


def problems_html(warnings: list[str]) -> str:
    """The box at the top listing what to check before publishing."""
    if not warnings:
        return '<div class="problems none" id=problems>No problems found.</div>'
    items = "".join(f"<li>{escape(warning)}</li>" for warning in warnings)
    return f'<div class=problems id=problems><strong>Check before publishing</strong><ul>{items}</ul></div>'


def preview_page(rendered: Rendered, version: str | None = None) -> str:
    """One self-contained page (no network; no script unless served) showing every channel's output."""
    update = rendered.update
    panes = with_image_data("".join(CHANNELS[name].pane(draft) for name, draft in rendered.drafts.items()), rendered)
    planned = "" if rendered.context.diff_url_known else " (planned: WordPress gives the final one)"
    header = (
        f"<header><h1 {lang_attrs(update.lang)}>{escape(update.title)}</h1>"
        f"<div class=meta>{escape(str(update.source))} · "
        f"{escape(update.status)} · Diff URL: {escape(rendered.context.diff_url)}{planned}</div>"
        "<div class=meta>Every pane is drawn from the very draft that publish sends.</div></header>"
    )
    body = f"{header}{problems_html(rendered.warnings)}<div class=panes>{panes}</div>"
    return shell(f"Preview: {update.title}", body, version=version)  # the page's own words are English


def error_page(path: Path, error: str, version: str | None = None) -> str:
    """What a served preview shows while its update is invalid."""
    body = f"<header><h1>{escape(str(path))}</h1></header><div class=problems><p class=error>{escape(error)}</p></div>"
    return shell(f"Invalid: {path}", body, version=version)


def index_page(entries: list[Entry], version: str | None = None) -> str:
    """A folder preview's index: a link per update, and each invalid update's one-line error."""
    items = []
    for entry in entries:
        if entry.error:
            items.append(f"<li class=invalid><span class=error>invalid</span> {escape(entry.error)}</li>")
        else:
            count = len(entry.rendered.warnings) if entry.rendered else entry.problems
            title = entry.rendered.update.title if entry.rendered else entry.title
            note = f" <span class=near>{count} to check</span>" if count else ""
            items.append(f'<li><a href="{attr(entry.folder)}/index.html">{escape(title)}</a> '
                         f"<span class=meta>{escape(entry.source.name)}</span>{note}</li>")
    body = f"<header><h1>Updates preview</h1></header><div class=panes><ul class=index>{''.join(items)}</ul></div>"
    return shell("Updates preview", body, version=version)


def with_image_data(html: str, rendered: Rendered) -> str:
    """The panes with each body image's planned or uploaded URL shown from its file (the page loads nothing)."""
    paths = {image.src: image.path for image in rendered.update.images}
    for src, url in rendered.context.image_urls:
        uri = data_uri(paths.get(src))
        if uri is not None:
            html = html.replace(f'src="{attr(url)}"', f'src="{attr(uri)}"')
            html = html.replace(f"src=&quot;{attr(attr(url))}&quot;", f"src=&quot;{attr(uri)}&quot;")  # in srcdoc
    return html


def image_files(rendered: Rendered) -> dict[str, bytes]:
    """The body's images under their planned names, so the drafts written next to them show them."""
    planned = {image.src: image for image in rendered.update.images}
    return {url: planned[src].path.read_bytes() for src, url in rendered.context.image_urls
            if src in planned and url == planned[src].media_name}


def page_files(rendered: Rendered, version: str | None = None) -> dict[str, bytes]:
    """Every draft's exact files, the body's images, plus `index.html`."""
    files = {name: data for draft in rendered.drafts.values() for name, data in draft.files().items()}
    return {**files, **image_files(rendered), "index.html": preview_page(rendered, version).encode()}


def folder_entries(folder: Path, settings: Settings) -> list[Entry]:
    """Render every `*.md` in a folder; an invalid one keeps its one-line error instead."""
    entries = []
    for path in sorted(folder.glob("*.md")):
        try:
            entries.append(Entry(path, path.stem, load_and_render(path, settings)))
        except INPUT_ERRORS as error:
            entries.append(Entry(path, path.stem, error=str(error)))
    return entries


def folder_files(entries: list[Entry], version: str | None = None) -> dict[str, bytes]:
    """A folder preview: `index.html` and `<stem>/...` for each valid update."""
    files = {"index.html": index_page(entries, version).encode()}
    for entry in entries:
        if entry.rendered is not None:
            files |= {f"{entry.folder}/{name}": data for name, data in page_files(entry.rendered, version).items()}
    return files


def write_page(path: Path, out: Path) -> Entry:
    """Render one update of a folder and write its page under `out/<stem>/` at once (a worker's job)."""
    from herald.pipeline.parallel import worker_settings

    try:
        rendered = load_and_render(path, worker_settings())
    except INPUT_ERRORS as error:
        return Entry(path, path.stem, error=str(error))
    return Entry.of(path, rendered, len(write_files(page_files(rendered), out / path.stem)))


def write_folder(folder: Path, out: Path, config: Path | str | None) -> list[Entry]:
    """Preview every `*.md` of a folder across the cores, each page written once rendered, then the index."""
    from functools import partial

    from herald.pipeline.parallel import each_file

    entries = list(each_file(partial(write_page, out=out), sorted(folder.glob("*.md")), config))
    write_files({"index.html": index_page(entries).encode()}, out)
    return entries


def write_files(files: dict[str, bytes], out: Path) -> list[Path]:
    """Write a preview's files under `out`; returns the paths written."""
    written = []
    for name, data in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def write_preview(rendered: Rendered, out: Path) -> list[Path]:
    """Write every draft's files and an `index.html`; returns the paths written."""
    return write_files(page_files(rendered), out)


def default_out(rendered: Rendered) -> Path:
    """`preview/<slug>/`."""
    return Path("preview") / rendered.update.slug


def attach_preview(rendered: Rendered) -> None:
    """Attach the preview to the current Prefect run: a Markdown summary, and a link to the written page."""
    from herald.preview.artifact import attach

    attach(rendered, preview_page(rendered), PREVIEWS)
