"""The one Markdown pipeline: sanitised HTML for web channels, plain-text blocks for the others."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

BlockKind = Literal["heading", "paragraph", "item", "quote", "code", "table", "rule", "footnote"]
LinkStyle = Callable[[str, str], str]

_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"section", "figure", "figcaption", "del", "s", "sup", "sub", "hr"}
_ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"id", "class", "lang", "dir", "title"},
    "a": {"href", "hreflang", "title", "id", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start", "class"},
    "th": {"style", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
_SPACES = re.compile(r"[ \t]{2,}")
_HIDDEN_TAG = re.compile(r"<(/?)(?:script|style)\b", re.I)


def _new_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"linkify": True, "html": True, "typographer": False})
    return parser.enable(["table", "strikethrough", "linkify"]).use(footnote_plugin)


MARKDOWN = _new_parser()


@dataclass(frozen=True)
class Block:
    """One block of an update's body as plain text."""

    kind: BlockKind
    text: str
    level: int = 0
    marker: str = ""


def sanitize_html(html: str) -> str:
    """Drop scripts, event handlers and unsafe URLs from HTML."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@lru_cache(maxsize=64)
def tokens(body: str) -> tuple[Token, ...]:
    """Parse a body once; renderers share the token stream."""
    return tuple(MARKDOWN.parse(body))


@lru_cache(maxsize=64)
def render_html(body: str) -> str:
    """The body as sanitised HTML."""
    return sanitize_html(MARKDOWN.renderer.render(list(tokens(body)), MARKDOWN.options, {}))


def inline_text(children: Sequence[Token], link: LinkStyle) -> str:
    """Plain text of inline tokens; links go through `link(text, href)`."""
    out: list[str] = []
    stack: list[tuple[str, list[str]]] = []
    hidden = False  # inside an inline <script> or <style>: its content is not text
    struck = 0  # inside ~~strikethrough~~: struck-out words would say the opposite in plain text
    for child in children:
        kind = child.type
        target = stack[-1][1] if stack else out
        if kind == "html_inline":
            tag = _HIDDEN_TAG.match(child.content)
            if tag:
                hidden = not tag.group(1)
        elif kind in {"s_open", "s_close"}:
            struck += 1 if kind == "s_open" else -1
        elif hidden or struck:
            continue
        elif kind in {"text", "code_inline"}:
            target.append(child.content)
        elif kind == "softbreak":
            target.append(" ")
        elif kind == "hardbreak":
            target.append("\n")
        elif kind == "image":
            target.append(child.content or "")
        elif kind == "footnote_ref":
            target.append(f"[{child.meta['id'] + 1}]")
        elif kind == "link_open":
            stack.append((str(child.attrs.get("href", "")), []))
        elif kind == "link_close" and stack:
            href, parts = stack.pop()
            text = "".join(parts).strip()
            (stack[-1][1] if stack else out).append(link(text, href))
    return _SPACES.sub(" ", "".join(out)).strip()


def footnote_count(body: str) -> int:
    """How many footnotes the body defines."""
    return sum(1 for token in tokens(body) if token.type == "footnote_open")


def blocks(body: str, link: LinkStyle) -> list[Block]:
    """The body as plain-text blocks in reading order."""
    return list(_walk(tokens(body), link))


def _walk(stream: Sequence[Token], link: LinkStyle) -> Iterator[Block]:
    lists: list[list] = []  # [ordered, next number, item paragraphs seen]
    quote_depth = 0
    footnote = 0
    table_rows: list[list[str]] | None = None
    for index, token in enumerate(stream):
        kind = token.type
        if kind in {"bullet_list_open", "ordered_list_open"}:
            lists.append([kind == "ordered_list_open", int(token.attrs.get("start", 1) or 1), 0])
        elif kind in {"bullet_list_close", "ordered_list_close"}:
            lists.pop()
        elif kind == "list_item_open":
            lists[-1][2] = 0
        elif kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind == "footnote_open":
            footnote = token.meta["id"] + 1
        elif kind == "footnote_close":
            footnote = 0
        elif kind == "table_open":
            table_rows = []
        elif kind == "tr_open" and table_rows is not None:
            table_rows.append([])
        elif kind == "inline" and table_rows is not None:
            table_rows[-1].append(inline_text(token.children or [], link))
        elif kind == "table_close" and table_rows is not None:
            yield Block("table", "\n".join(" | ".join(row) for row in table_rows))
            table_rows = None
        elif kind == "heading_open":
            yield Block("heading", inline_text(stream[index + 1].children or [], link), level=int(token.tag[1]))
        elif kind == "paragraph_open":
            text = inline_text(stream[index + 1].children or [], link)
            if not text:
                continue
            if footnote:
                yield Block("footnote", f"[{footnote}] {text}")
                footnote = -footnote
            elif lists and lists[-1][2] == 0:
                ordered, number, _ = lists[-1]
                lists[-1][2] = 1
                if ordered:
                    lists[-1][1] += 1
                yield Block("item", text, level=len(lists), marker=f"{number}." if ordered else "•")
            elif quote_depth:
                yield Block("quote", text, level=quote_depth)
            else:
                yield Block("paragraph", text, level=len(lists))
        elif kind in {"fence", "code_block"}:
            yield Block("code", token.content.rstrip("\n"), level=len(lists))
        elif kind == "html_block":
            text = " ".join(nh3.clean(token.content, tags=set()).split())
            if text:
                yield Block("paragraph", text, level=len(lists))
        elif kind == "hr":
            yield Block("rule", "")


def bare_link(text: str, href: str) -> str:
    """`text URL`, or just the URL when the text is the URL."""
    shown = href.removeprefix("mailto:")
    if not text or text in {href, shown} or href == f"http://{text}" or href == f"https://{text}":
        return shown
    return f"{text} {shown}"
