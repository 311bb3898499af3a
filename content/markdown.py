"""The one Markdown pipeline: sanitised HTML for web channels, plain-text blocks for the others."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import unquote, urlsplit

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

BlockKind = Literal["heading", "paragraph", "item", "quote", "code", "table", "rule", "footnote", "image"]
LinkStyle = Callable[[str, str], str]
ImageStyle = Callable[[str], str]  # an image's alt text -> what plain text shows for it

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
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Directional and zero-width marks (LRM, RLM, ZWSP, ALM, isolates), raw or percent-encoded: never part of a URL.
_MARKS = "\u200e\u200f\u200b\u061c\u2066\u2067\u2068\u2069"
_JOINERS = "\u200c\u200d"  # ZWNJ and ZWJ spell words in Persian and Indic scripts: dropped only at a URL's ends
_ENCODED_MARKS = r"%E2%80%8[BEF]|%E2%81%A[6-9]|%D8%9C"
_ENCODED_JOINERS = r"%E2%80%8[CD]"
_MARKS_IN_URL = re.compile(rf"[{_MARKS}]|{_ENCODED_MARKS}", re.I)
_MARKS_AT_END = re.compile(rf"(?:[{_MARKS}{_JOINERS}]|{_ENCODED_MARKS}|{_ENCODED_JOINERS})+$", re.I)
_MARKS_AT_START = re.compile(rf"^(?:[{_MARKS}{_JOINERS}]|{_ENCODED_MARKS}|{_ENCODED_JOINERS})+", re.I)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|#!])")
_LINE_START_SPECIAL = re.compile(r"^(\s*(?:\d+)?)([-+=.)])")


def escape_markdown(text: str) -> str:
    """Text that Markdown shows exactly as written: no emphasis, links, HTML, entities or list markers."""
    return _LINE_START_SPECIAL.sub(r"\1\\\2", _MARKDOWN_SPECIAL.sub(r"\\\1", text), count=1)


def clean_url(url: str) -> str:
    """A URL without the directional and zero-width marks that text around it may carry."""
    return _MARKS_AT_START.sub("", _MARKS_AT_END.sub("", _MARKS_IN_URL.sub("", url)))


def _marks_out_of_links(state: StateCore) -> None:
    """Core rule: strip marks from every link's href; a linkified URL's trailing marks move after the link."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        moved = ""
        for child in block.children:
            previous = children[-1] if children else None
            if child.type == "link_open" and "href" in child.attrs:
                child.attrs["href"] = clean_url(str(child.attrs["href"]))
            elif child.type == "text" and previous is not None and previous.markup == "linkify":
                kept = child.content.rstrip(_MARKS + _JOINERS)
                moved, child.content = child.content[len(kept):], clean_url(kept)
            children.append(child)
            if child.type == "link_close" and moved:
                children.append(Token("text", "", 0, content=moved))
                moved = ""
        block.children = children


class _QuickLinkify(LinkifyIt):
    """linkify-it behind a cheap necessary condition: text without `:`, `/`, `@`, `www`, `localhost` or a dot before
    a word character holds no link (every schema ends in `:` or is `//`), so its large Unicode patterns, two thirds
    of a parse, are skipped."""

    _MAYBE = re.compile(r"[:/@]|\.\w|www|localhost", re.I)

    def pretest(self, text: str) -> bool:
        """Whether `text` may hold a link (false positives allowed: each text piece is then tested)."""
        return self._MAYBE.search(text) is not None

    def test(self, text: str) -> bool:
        """Whether `text` holds a link, exactly as linkify-it decides."""
        return self._MAYBE.search(text) is not None and super().test(text)


def _new_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"linkify": True, "html": True, "typographer": False})
    parser.linkify = _QuickLinkify()
    parser = parser.enable(["table", "strikethrough", "linkify"]).use(footnote_plugin)
    parser.core.ruler.after("linkify", "marks_out_of_links", _marks_out_of_links)
    return parser


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


def render_html(body: str, image_urls: Mapping[str, str] | None = None, one_line: bool = False) -> str:
    """The body as sanitised HTML; `image_urls` maps an image's `src` to where it is served from, and
    `one_line` joins each paragraph's source lines (WordPress turns every line break into `<br />`)."""
    env = {"image_urls": image_urls or {}, "one_line": one_line}
    return sanitize_html(MARKDOWN.renderer.render(list(tokens(body)), MARKDOWN.options, env))


def _render_image(self: RendererHTML, stream: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    """An image with its `src` mapped to its served URL (on a copy: the parsed tokens are shared)."""
    token = stream[idx]
    url = env.get("image_urls", {}).get(token.attrs.get("src"))
    if url is not None:
        token = token.copy(attrs={**token.attrs, "src": url})
    return RendererHTML.image(self, [token], 0, options, env)


def _render_softbreak(self: RendererHTML, stream: Sequence[Token], idx: int, options: OptionsDict, env: dict) -> str:
    """A source line break: a newline, or in one-line mode a space (none between two CJK characters)."""
    if not env.get("one_line"):
        return RendererHTML.softbreak(self, stream, idx, options, env)
    before = stream[idx - 1].content[-1:] if idx > 0 else ""
    after = stream[idx + 1].content[:1] if idx + 1 < len(stream) else ""
    return "" if _CJK.match(before) and _CJK.match(after) else " "


MARKDOWN.add_render_rule("image", _render_image)
MARKDOWN.add_render_rule("softbreak", _render_softbreak)


def alt_text(alt: str) -> str:
    """An image shown in plain text as its alt text (the default `ImageStyle`)."""
    return alt


def web_url(href: str) -> str:
    """A raw HTML link's URL when plain text may show it (http, https, mailto), else ""."""
    url = clean_url(href.strip())
    return url if urlsplit(url).scheme.lower() in _URL_SCHEMES else ""


class _Tags(HTMLParser):
    """Raw HTML as plain text: links through a `LinkStyle`, images through an `ImageStyle`, no script or style."""

    def __init__(self, link: LinkStyle, image: ImageStyle) -> None:
        super().__init__(convert_charrefs=True)
        self.link, self.image = link, image
        self.out: list[str] = []
        self.links: list[tuple[str, list[str]]] = []
        self.hidden = 0

    def _target(self) -> list[str]:
        return self.links[-1][1] if self.links else self.out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in {"script", "style"}:
            self.hidden += 1
        elif tag == "a":
            self.links.append((web_url(values.get("href", "")), []))
        elif tag == "img":
            self._target().append(self.image(" ".join(values.get("alt", "").split())))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.hidden = max(self.hidden - 1, 0)
        elif tag == "a" and self.links:
            href, parts = self.links.pop()
            self._target().append(_linked(self.link, "".join(parts), href))

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self._target().append(data)

    def text(self) -> str:
        """Everything fed so far as text (links still open keep their text)."""
        self.close()
        while self.links:
            self.handle_endtag("a")
        return "".join(self.out)


def raw_html_text(html: str, link: LinkStyle, image: ImageStyle = alt_text) -> str:
    """A raw HTML block as one line of plain text, its links through `link` and its images through `image`."""
    parser = _Tags(link, image)
    parser.feed(html)
    return " ".join(parser.text().split())


def _linked(link: LinkStyle, text: str, href: str) -> str:
    """A link's text through the link style; a link without a URL keeps only its text."""
    text = " ".join(text.split())
    return link(text, href) if href else text


class _Tag(HTMLParser):
    """The first tag of a piece of raw HTML: its name, attributes, and whether it closes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: tuple[str, dict[str, str], bool] = ("", {}, False)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.found[0]:
            self.found = (tag, {name: value or "" for name, value in attrs}, False)

    def handle_endtag(self, tag: str) -> None:
        if not self.found[0]:
            self.found = (tag, {}, True)


def raw_tag(html: str) -> tuple[str, dict[str, str], bool]:
    """One inline raw HTML tag (`<a href="...">`, `</a>`, `<img alt="...">`): its name, attributes, and whether it
    closes."""
    parser = _Tag()
    parser.feed(html)
    parser.close()
    return parser.found


def inline_text(
    children: Sequence[Token], link: LinkStyle, image: ImageStyle = alt_text, images: list[str] | None = None
) -> str:
    """Plain text of inline tokens; links (Markdown or raw HTML) go through `link(text, href)`, images through
    `image(alt)`, or, given `images`, are no text at all (their alt text goes to that list)."""
    out: list[str] = []
    stack: list[tuple[str, list[str]]] = []
    hidden = False  # inside an inline <script> or <style>: its content is not text

    def close_link() -> None:
        href, parts = stack.pop()
        (stack[-1][1] if stack else out).append(_linked(link, "".join(parts).strip(), href))

    for child in children:
        kind = child.type
        target = stack[-1][1] if stack else out
        if kind == "html_inline":
            name, attrs, closing = raw_tag(child.content)
            if name in {"script", "style"}:
                hidden = not closing
            elif hidden:
                continue
            elif name == "a" and not closing:
                stack.append((web_url(attrs.get("href", "")), []))
            elif name == "a" and stack:
                close_link()
            elif name == "img":
                target.append(image(" ".join(attrs.get("alt", "").split())))
        elif hidden:
            continue
        elif kind in {"s_open", "s_close"}:
            target.append("~")  # struck-out words kept, marked: bare, they would say the opposite
        elif kind in {"text", "code_inline"}:
            target.append(child.content)
        elif kind == "softbreak":
            target.append(" ")
        elif kind == "hardbreak":
            target.append("\n")
        elif kind == "image" and images is not None:
            images.append(inline_text(child.children or [], link))
        elif kind == "image":
            target.append(image(inline_text(child.children or [], link)))
        elif kind == "footnote_ref":
            target.append(f"[{child.meta['id'] + 1}]")
        elif kind == "link_open":
            stack.append((str(child.attrs.get("href", "")), []))
        elif kind == "link_close" and stack:
            close_link()
    while stack:  # a raw <a> never closed keeps its text
        close_link()
    return _SPACES.sub(" ", "".join(out)).strip()


def footnote_count(body: str) -> int:
    """How many footnotes the body defines."""
    return sum(1 for token in tokens(body) if token.type == "footnote_open")


def blocks(body: str, link: LinkStyle, image: ImageStyle = alt_text, images: bool = True) -> list[Block]:
    """The body as plain-text blocks in reading order; links through `link`, images through `image`; with
    `images=False` a paragraph's images are not text but `image` blocks (their alt text) ahead of it."""
    return list(_walk(tokens(body), link, image, images))


def _walk(
    stream: Sequence[Token], link: LinkStyle, image: ImageStyle = alt_text, images: bool = True
) -> Iterator[Block]:
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
            table_rows[-1].append(inline_text(token.children or [], link, image))
        elif kind == "table_close" and table_rows is not None:
            yield Block("table", "\n".join(" | ".join(row) for row in table_rows))
            table_rows = None
        elif kind == "heading_open":
            yield Block("heading", inline_text(stream[index + 1].children or [], link, image), level=int(token.tag[1]))
        elif kind == "paragraph_open":
            alts: list[str] | None = None if images else []
            text = inline_text(stream[index + 1].children or [], link, image, alts)
            yield from (Block("image", alt) for alt in alts or ())
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
            text = raw_html_text(token.content, link, image)
            if text:
                yield Block("paragraph", text, level=len(lists))
        elif kind == "hr":
            yield Block("rule", "")


def bare_link(text: str, href: str) -> str:
    """`text URL`, or just the URL when the text is the URL."""
    shown = href.removeprefix("mailto:")
    if not text or text in {href, shown, unquote(href)} or href == f"http://{text}" or href == f"https://{text}":
        return shown
    return f"{text} {shown}"
