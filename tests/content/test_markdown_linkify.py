"""The parser's quick linkify finds exactly the links linkify-it finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from linkify_it import LinkifyIt

from content.markdown import MARKDOWN, _new_parser

REPO = Path(__file__).resolve().parents[2]
TEXTS = [
    "No link here. Just prose, e.g. this, and U.S. policy at 2.5 percent.",
    "See https://meta.wikimedia.org/wiki/Policy and HTTP://EXAMPLE.ORG/Path too.",
    "Write to policy@wikimedia.org or mailto:press@example.org today.",
    "Fuzzy ones: www.example.org, wikimedia.org, example.com/path?x=1, and пример.рф.",
    "Hosts: localhost:8080/api, 192.168.1.1, //cdn.example.net/x.js and ftp://files.example.org.",
    "A [linked text](https://example.org) then a bare https://diff.wikimedia.org/2026/ link.",
    "Marks: https://example.org/a\u200e and \u200fwww.example.org\u200f end.",
    "Not links: file.txt? version 1.2.3, `code.example.org`, <span>x.y</span> and a@b.",
    "# Heading with example.org\n\n| a | b |\n|---|---|\n| www.x.org | y@z.org |\n\n- item https://x.org\n",
    "Ends with a dot.\nNext line starts.Here and ends.With.Words.",
]


def shapes(tokens: list) -> list:
    """Every token and child, as comparable tuples."""
    return [(t.type, t.content, t.attrs, [(c.type, c.content, c.attrs, c.markup) for c in t.children or []])
            for t in tokens]


@pytest.mark.parametrize("text", TEXTS + [path.read_text(encoding="utf-8")
                                          for path in sorted((REPO / "content" / "updates").glob("*.md"))])
def test_quick_linkify_matches_linkify_it(text: str) -> None:
    plain = _new_parser()
    plain.linkify = LinkifyIt()
    assert shapes(MARKDOWN.parse(text)) == shapes(plain.parse(text))


def test_quick_linkify_tests_as_linkify_it() -> None:
    plain = LinkifyIt()
    for text in TEXTS + ["", "@", ".x", "www.", "HTTPS:", "k.ſ", "\u212a"]:
        for piece in (text, *text.split()):
            assert MARKDOWN.linkify.test(piece) == plain.test(piece), piece
            assert MARKDOWN.linkify.pretest(piece) or not plain.pretest(piece), piece
