"""A Bluesky thread ready to post: records exactly as `app.bsky.feed.post` takes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from channels.threads.left_out import left_out_line, left_out_markdown, left_out_note
from herald.core.draft import counted, fenced, json_bytes

MAX_GRAPHEMES = 300
MAX_BYTES = 3000  # app.bsky.feed.post's text: maxGraphemes 300 and maxLength 3000 (UTF-8 bytes)


@dataclass(frozen=True)
class Facet:
    """A link or a hashtag in a post: UTF-8 byte offsets into the post's text, and the URI or the tag (no "#")."""

    byte_start: int
    byte_end: int
    uri: str = ""
    tag: str = ""

    def feature(self) -> dict[str, str]:
        """The facet's feature as `app.bsky.richtext.facet` takes it: a tag, or a link."""
        if self.tag:
            return {"$type": "app.bsky.richtext.facet#tag", "tag": self.tag}
        return {"$type": "app.bsky.richtext.facet#link", "uri": self.uri}

    def saved(self) -> dict[str, object]:
        """The facet as `bluesky.json` keeps it: its byte offsets, and its URI or its tag."""
        index = {"byteStart": self.byte_start, "byteEnd": self.byte_end}
        return {"index": index, "tag": self.tag} if self.tag else {"index": index, "uri": self.uri}


@dataclass(frozen=True)
class LinkCard:
    """Post 1's external embed for the Diff post (app.bsky.embed.external)."""

    uri: str
    title: str
    description: str


@dataclass(frozen=True)
class BlueskyPost:
    """One post: its text, its links and hashtags as facets, and its grapheme count."""

    text: str
    facets: tuple[Facet, ...] = ()
    graphemes: int = 0


@dataclass(frozen=True)
class BlueskyDraft:
    """The thread: each post, post 1's link card (or image), the language."""

    channel: str = "bluesky"
    posts: tuple[BlueskyPost, ...] = ()
    card: LinkCard | None = None
    language: str = "en"
    warnings: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()  # what of the update the thread does not carry, by its first words
    image: str | None = None
    image_alt: str | None = None
    image_file: Path | None = field(default=None, compare=False)

    def files(self) -> dict[str, bytes]:
        """`bluesky.json`: the records' text, facets (a link's URI or a hashtag's tag) and embeds exactly as created."""
        return {"bluesky.json": json_bytes({
            "posts": [{"text": post.text, "facets": [facet.saved() for facet in post.facets]} for post in self.posts],
            "card": None if self.card is None else {
                "uri": self.card.uri, "title": self.card.title, "description": self.card.description},
            "language": self.language, "image": self.image, "image_alt": self.image_alt,
        })}

    def summary(self) -> str:
        """How many posts."""
        return f"{counted(len(self.posts), 'post')}{left_out_note(self.left_out)}"

    def facts(self) -> str:
        """Posts, the longest against the limit, and what post 1 embeds."""
        embed = "image with alt text" if self.image else "link card" if self.card else "no embed"
        longest = max((post.graphemes for post in self.posts), default=0)
        return (f"{counted(len(self.posts), 'post')}, longest {longest}/{MAX_GRAPHEMES} graphemes, post 1 with {embed}"
                f"{left_out_line(self.left_out)}")

    def text(self) -> str:
        """The posts as read."""
        return "\n\n".join(post.text for post in self.posts)

    def markdown(self) -> str:
        """Each post, numbered and counted, exactly as posted (links show their shortened text)."""
        count = len(self.posts)
        return "\n## Bluesky thread\n" + "".join(
            f"\n**{number}/{count}** ({post.graphemes}/{MAX_GRAPHEMES})\n\n{fenced(post.text)}"
            for number, post in enumerate(self.posts, 1)
        ) + left_out_markdown(self.left_out)
