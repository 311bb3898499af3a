"""Medium's HTML subset: an article's HTML converted to the tags Medium keeps, with a note for each conversion."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

import nh3

MEDIUM_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "p", "a", "strong", "b", "em", "i", "blockquote", "ul", "ol", "li",
    "pre", "code", "figure", "img", "figcaption", "hr", "br",
})  # fmt: skip
MEDIUM_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"lang", "dir"}),
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt"}),
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
VOID = frozenset({"img", "br", "hr", "wbr", "input", "meta", "link", "source", "area", "col", "embed", "track"})
HEADINGS = {"h1": "h1", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
INLINE_KEPT = frozenset({"strong", "b", "em", "i", "code"})
LIST_TAGS = frozenset({"ul", "ol"})
NO_TEXT = frozenset({"script", "style", "template"})
_ABSOLUTE = re.compile(r"^https?://", re.I)


@dataclass
class Node:
    """One element of the parsed article."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def classes(self) -> set[str]:
        """Its `class` names."""
        return set(self.attrs.get("class", "").split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    """HTML as a tree of nodes (text unescaped)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def text_of(node: Node | str) -> str:
    """All the text under a node."""
    if isinstance(node, str):
        return node
    if node.tag in NO_TEXT:
        return ""
    return "".join(text_of(child) for child in node.children)


def serialize(nodes: list[Node | str]) -> str:
    """Nodes back to HTML."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(escape(node, quote=False))
            continue
        attrs = "".join(f' {name}="{escape(value)}"' for name, value in node.attrs.items())
        out.append(f"<{node.tag}{attrs}>")
        if node.tag not in VOID:
            out.append(serialize(node.children) + f"</{node.tag}>")
    return "".join(out)


def _squeeze(nodes: list[Node | str]) -> list[Node | str]:
    """Inline content with runs of white space collapsed and the ends trimmed."""
    out: list[Node | str] = []
    for node in nodes:
        if isinstance(node, str):
            node = re.sub(r"\s+", " ", node)
            if out and isinstance(out[-1], str):
                out[-1] += node
                continue
        out.append(node)
    while out and isinstance(out[0], str) and not out[0].strip():
        out.pop(0)
    while out and isinstance(out[-1], str) and not out[-1].strip():
        out.pop()
    if out and isinstance(out[0], str):
        out[0] = out[0].lstrip()
    if out and isinstance(out[-1], str):
        out[-1] = out[-1].rstrip()
    while out and isinstance(out[-1], Node) and out[-1].tag == "br":
        out.pop()
    while out and isinstance(out[0], Node) and out[0].tag == "br":
        out.pop(0)
    for index, node in enumerate(out):  # no space at either side of a line break
        if isinstance(node, Node) and node.tag == "br":
            if index and isinstance(out[index - 1], str):
                out[index - 1] = out[index - 1].rstrip()
            if index + 1 < len(out) and isinstance(out[index + 1], str):
                out[index + 1] = out[index + 1].lstrip()
    return [node for node in out if node != ""]


@dataclass
class Converter:
    """One article's conversion: the notes it made, the images it found, and how it resolves image URLs."""

    image_url: Callable[[str], str | None]
    notes_heading: str = "Notes"
    notes: list[str] = field(default_factory=list)
    figures: list[Node] = field(default_factory=list)  # images met inside text, placed after their block

    def note(self, text: str) -> None:
        """Record a conversion once."""
        if text not in self.notes:
            self.notes.append(text)

    def inline(self, nodes: list[Node | str]) -> list[Node | str]:
        """Phrasing content reduced to text, links, emphasis, code and line breaks."""
        out: list[Node | str] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif node.tag in NO_TEXT:
                continue
            elif node.tag == "br":
                out.append(Node("br"))
            elif node.tag == "img":
                figure = self.figure(node)
                if figure is not None:
                    self.figures.append(figure)
            elif node.tag == "a":
                out += self.link(node)
            elif node.tag in INLINE_KEPT:
                out.append(Node(node.tag, children=self.inline(node.children)))
            elif node.tag in {"del", "s", "strike"}:
                self.note("struck-out text shown between tildes (~text~): Medium has no strikethrough")
                out += ["~", *self.inline(node.children), "~"]
            elif node.tag == "sup" and "footnote-ref" in node.classes():
                out.append(text_of(node).strip())
            elif node.tag in {"p", "div", "li", "blockquote", "pre"} | set(HEADINGS) | LIST_TAGS:
                if any(isinstance(piece, Node) or piece.strip() for piece in out):
                    out.append(Node("br"))
                out += self.inline(node.children)
            else:
                if node.tag not in {"span", "u", "mark", "abbr", "small", "big", "font", "time", "cite", "q"}:
                    self.note(f"<{node.tag}> shown as plain text: Medium does not keep it")
                out += self.inline(node.children)
        return out

    def link(self, node: Node) -> list[Node | str]:
        """A link Medium can follow; in-page anchors (footnote links) keep only their text."""
        href = node.attrs.get("href", "")
        if "footnote-backref" in node.classes():
            return []
        children = self.inline(node.children)
        if not href or href.startswith("#"):
            return children
        return [Node("a", {"href": href}, children)]

    def figure(self, image: Node, caption: list[Node | str] | None = None) -> Node | None:
        """An image as `figure > img + figcaption`, if it has an absolute URL Medium can fetch."""
        src = image.attrs.get("src", "")
        url = src if _ABSOLUTE.match(src) else self.image_url(src)
        if url is None:
            self.note(f"image {src!r} left out: Medium needs its public URL (known once it is uploaded to Diff)"
                      if src else "an image without a source left out")
            return None
        children: list[Node | str] = [Node("img", {"src": url, "alt": image.attrs.get("alt", "")})]
        if caption:
            children.append(Node("figcaption", children=caption))
        return Node("figure", children=children)

    def blocks(self, nodes: list[Node | str]) -> list[Node]:
        """Flow content as Medium blocks."""
        out: list[Node] = []
        loose: list[Node | str] = []

        def flush() -> None:
            content = _squeeze(self.inline(loose))
            loose.clear()
            if content:
                out.append(Node("p", children=content))

        for node in nodes:
            if isinstance(node, str) or node.tag not in BLOCK_HANDLERS and node.tag not in CONTAINERS:
                loose.append(node)
                continue
            flush()
            if node.tag in CONTAINERS:
                if node.tag == "section" and "footnotes" in node.classes():
                    out += self.footnotes(node)
                else:
                    if node.tag not in {"div", "section", "article", "main", "header", "footer", "aside", "nav"}:
                        self.note(f"<{node.tag}> unwrapped: Medium keeps only its text")
                    out += self.blocks(node.children)
            else:
                out += BLOCK_HANDLERS[node.tag](self, node)
            out += self.figures
            self.figures = []
        flush()
        out += self.figures
        self.figures = []
        return out

    def paragraph(self, node: Node) -> list[Node]:
        """A paragraph; one that holds only an image becomes a figure."""
        content = _squeeze(self.inline(node.children))
        return [Node("p", children=content)] if content else []

    def heading(self, node: Node) -> list[Node]:
        """h1-h4 as they are; h5 and h6 become h4."""
        tag = HEADINGS[node.tag]
        if tag != node.tag:
            self.note(f"<{node.tag}> heading shown as <h4>: Medium has four heading levels")
        content = _squeeze(self.inline(node.children))
        return [Node(tag, children=content)] if content else []

    def list_(self, node: Node) -> list[Node]:
        """A list of one level: nested lists' items follow their parent item."""
        items: list[Node] = []
        self._items(node, items, depth=0)
        return [Node(node.tag, children=items)] if items else []

    def _items(self, node: Node, items: list[Node], depth: int) -> None:
        for child in node.children:
            if not isinstance(child, Node) or child.tag != "li":
                continue
            nested = [grand for grand in child.children if isinstance(grand, Node) and grand.tag in LIST_TAGS]
            content = _squeeze(self.inline([grand for grand in child.children if grand not in nested]))
            if content:
                items.append(Node("li", children=content))
            for inner in nested:
                self.note("nested list flattened to one level: Medium does not nest lists")
                self._items(inner, items, depth + 1)

    def quote(self, node: Node) -> list[Node]:
        """A blockquote of one block of text: its paragraphs joined by line breaks."""
        content = _squeeze(self.inline(node.children))
        return [Node("blockquote", children=content)] if content else []

    def pre(self, node: Node) -> list[Node]:
        """Preformatted text as plain text inside `pre`."""
        return [Node("pre", children=[text_of(node).rstrip("\n")])]

    def rule(self, node: Node) -> list[Node]:
        """A rule; the one before the footnotes is dropped (the Notes heading replaces it)."""
        return [] if "footnotes-sep" in node.classes() else [Node("hr")]

    def figure_block(self, node: Node) -> list[Node]:
        """A figure: its first image and its caption."""
        images = [child for child in _descendants(node) if child.tag == "img"]
        captions = [child for child in _descendants(node) if child.tag == "figcaption"]
        caption = _squeeze(self.inline(captions[0].children)) if captions else None
        found = self.figure(images[0], caption) if images else None
        return [found] if found is not None else []

    def image(self, node: Node) -> list[Node]:
        """A lone image as a figure."""
        found = self.figure(node)
        return [found] if found is not None else []

    def table(self, node: Node) -> list[Node]:
        """A table as a list: one item per row, each cell labelled with its column's header."""
        self.note("table converted to a list (one item per row): Medium has no tables")
        rows = [row for row in _descendants(node) if row.tag == "tr"]
        header: list[str] = []
        if rows and all(cell.tag == "th" for cell in _cells(rows[0])):
            header = [" ".join(text_of(cell).split()) for cell in _cells(rows.pop(0))]
        items = []
        for row in rows:
            content: list[Node | str] = []
            for index, cell in enumerate(_cells(row)):
                value = _squeeze(self.inline(cell.children))
                if content:
                    content.append("; ")
                label = header[index] if index < len(header) and header[index] else ""
                if label:
                    content += [Node("strong", children=[f"{label}:"]), " "]
                content += value
            if content:
                items.append(Node("li", children=_squeeze(content)))
        return [Node("ul", children=items)] if items else []

    def definitions(self, node: Node) -> list[Node]:
        """A definition list as paragraphs: each term in bold."""
        self.note("definition list converted to paragraphs: Medium has no definition lists")
        out = []
        for child in node.children:
            if isinstance(child, Node) and child.tag in {"dt", "dd"}:
                content = _squeeze(self.inline(child.children))
                if content:
                    out.append(Node("p", children=[Node("strong", children=content)] if child.tag == "dt" else content))
        return out

    def footnotes(self, node: Node) -> list[Node]:
        """The footnotes as a numbered Notes section, without their back links."""
        items = []
        for item in _descendants(node):
            if item.tag == "li":
                content = _squeeze(self.inline(item.children))
                items.append(Node("li", children=content))
        if not items:
            return []
        return [Node("h3", children=[self.notes_heading]), Node("ol", children=items)]


def _descendants(node: Node) -> list[Node]:
    found: list[Node] = []
    for child in node.children:
        if isinstance(child, Node):
            found.append(child)
            found += _descendants(child)
    return found


def _cells(row: Node) -> list[Node]:
    return [cell for cell in row.children if isinstance(cell, Node) and cell.tag in {"td", "th"}]


BLOCK_HANDLERS: dict[str, Callable[[Converter, Node], list[Node]]] = {
    "p": Converter.paragraph,
    **{tag: Converter.heading for tag in HEADINGS},
    "ul": Converter.list_,
    "ol": Converter.list_,
    "blockquote": Converter.quote,
    "pre": Converter.pre,
    "hr": Converter.rule,
    "figure": Converter.figure_block,
    "img": Converter.image,
    "table": Converter.table,
    "dl": Converter.definitions,
}
CONTAINERS = frozenset({"div", "section", "article", "main", "header", "footer", "aside", "nav", "details",
                        "summary", "center", "address", "fieldset", "form"})


def whitelist(html: str) -> str:
    """The final pass: nothing outside Medium's tags and attributes survives."""
    attributes = {tag: set(names) for tag, names in MEDIUM_ATTRIBUTES.items()}
    return nh3.clean(html, tags=set(MEDIUM_TAGS), attributes=attributes, url_schemes=set(URL_SCHEMES),
                     link_rel=None, strip_comments=True)


def to_medium(
    html: str,
    images: Mapping[str, str] | None = None,
    notes_heading: str = "Notes",
    block_attrs: Mapping[str, str] | None = None,
) -> tuple[str, list[str]]:
    """Article HTML in Medium's subset (one block a line), and the notes on what was converted."""
    known = dict(images or {})
    placed = set(known.values())  # a body image already pointed at its media URL (planned until uploaded)

    def image_url(src: str) -> str | None:
        return known.get(src) or (src if src in placed else None)

    converter = Converter(image_url=image_url, notes_heading=notes_heading)
    blocks = converter.blocks(parse(html).children)
    for block in blocks:
        if block.tag not in {"pre", "hr"}:
            block.attrs.update(block_attrs or {})
    return whitelist("\n".join(serialize([block]) for block in blocks)), converter.notes
