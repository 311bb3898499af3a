"""The monthly "Don't Blink" recap: which updates it covers, and its Markdown, built from the ledger."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from channels.diff.versions import SEPARATOR, language_name
from channels.registry import CHANNELS
from content import i18n
from content.family import is_translation, source_path
from content.markdown import escape_markdown
from herald.core.status import PUBLISHED_STATUSES

if TYPE_CHECKING:
    from config.settings import RecapSettings, Settings
    from content.model import Update
    from herald.core.ledger import RecapEntry, ReceiptRow

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")  # fmt: skip
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RECAP_SLUG = re.compile(r"dont-blink-[a-z]+-\d{4}")  # an earlier recap, even if its file is gone


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, written 2026-10."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read `YYYY-MM`; anything else is a ValueError naming the expected form."""
        found = _MONTH.match(text.strip())
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, for example 2026-10")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def before(cls, moment: dt.datetime, zone: dt.tzinfo) -> Month:
        """The month before the one `moment` falls in, counted in `zone`."""
        last_of_previous = moment.astimezone(zone).date().replace(day=1) - dt.timedelta(days=1)
        return cls(last_of_previous.year, last_of_previous.month)

    @property
    def start(self) -> dt.date:
        """Its first day."""
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """The first day of the next month (exclusive bound)."""
        return dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def name(self) -> str:
        """"October 2026", whatever the locale."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class RecapItem:
    """One published update as the recap shows it."""

    slug: str
    date: dt.date
    title: str
    summary: str
    urls: tuple[tuple[str, str], ...]  # (channel, url) in channel order; the Diff URL first when there is one
    lang: str = ""  # its language, when its file was read
    family: str = ""  # its family's source file: an update and its translations are one entry
    translation: bool = False  # a translation's file (`<stem>.<lang>.md`)
    versions: tuple[tuple[str, str], ...] = ()  # (lang, Diff URL) of the family's other published languages


def recap_slug(month: Month) -> str:
    """The recap's slug: the same for every run for that month, so the ledger publishes it once."""
    return f"dont-blink-{MONTH_NAMES[month.month - 1].lower()}-{month.year}"


def recap_path(month: Month, settings: Settings) -> Path:
    """Where the recap for a month is written: `content/updates/<next month's 1st>-<slug>.md`."""
    return settings.content_root / "updates" / f"{month.end.isoformat()}-{recap_slug(month)}.md"


def _published_urls(receipts: Sequence[ReceiptRow]) -> tuple[tuple[str, str], ...]:
    return tuple((r.channel, r.url) for r in receipts  # outbox receipts point at local files: not for readers
                 if r.status in PUBLISHED_STATUSES and r.url and r.url.startswith(("https://", "http://"))
                 and r.channel in CHANNELS and CHANNELS[r.channel].recap_label)


def recap_items(entries: Sequence[RecapEntry], updates: Mapping[str, Update], lang: str = "en") -> list[RecapItem]:
    """The updates the recap covers: published with a link somewhere, not opted out, by date then slug; an update
    and its translations are one entry, in the recap's language when that version went out."""
    items = []
    for entry in entries:
        update = updates.get(entry.update.slug)
        urls = _published_urls(entry.receipts)
        retracted = any(receipt.status == "retracted" for receipt in entry.receipts)
        if not urls or retracted or (update is not None and not update.recap) or _RECAP_SLUG.fullmatch(
                entry.update.slug):
            continue
        title = update.title if update else entry.update.title
        summary = update.summary if update else ""
        path = Path(update.source if update else entry.update.source)
        items.append(RecapItem(entry.update.slug, entry.update.date, title, summary, urls,
                               update.lang if update else "", str(source_path(path).resolve()),
                               is_translation(path)))
    return sorted(_one_per_family(items, lang), key=lambda item: (item.date, item.slug))


def _one_per_family(items: list[RecapItem], lang: str) -> list[RecapItem]:
    """One item per family: the version in `lang` if it went out, else the source, else the earliest; linking the
    other languages' Diff posts."""
    families: dict[str, list[RecapItem]] = {}
    for item in items:
        families.setdefault(item.family, []).append(item)
    chosen = []
    for group in families.values():
        group.sort(key=lambda item: (item.translation, item.date, item.slug))
        main = next((item for item in group if item.lang.lower() == lang.lower()), group[0])
        versions = tuple((item.lang, item.urls[0][1]) for item in group
                         if item is not main and item.lang and item.urls[0][0] == "diff")
        chosen.append(replace(main, versions=versions))
    return chosen


def _link(label: str, url: str) -> str:
    target = f"<{url}>" if re.search(r"[\s()<>]", url) else url
    return f"[{label}]({target})"


def _label(channel: str, lang: str) -> str:
    label = CHANNELS[channel].recap_label
    assert label is not None  # only channels with a label are linked
    return i18n.t(lang, label)


def _front_matter(month: Month, recap: RecapSettings, count: int) -> str:
    quote = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731 - a JSON string is a YAML scalar
    return "\n".join([
        "---",
        f"title: {quote(recap.title.format(month=i18n.month_year(recap.lang, month.start)))}",
        f"date: {month.end.isoformat()}",
        f"slug: {recap_slug(month)}",
        f"lang: {quote(recap.lang)}",
        f"summary: {quote(recap.summary.format(month=i18n.month_year(recap.lang, month.start), count=count))}",
        f"tags: [{', '.join(quote(tag) for tag in recap.tags)}]",
        "recap: false",
        "status: ready",
        "---",
    ])  # fmt: skip


def _section(item: RecapItem, lang: str = "en") -> str:
    links = [_link(_label(channel, lang), url) for channel, url in item.urls]
    if item.urls[0][0] != "diff":
        links[0] = _link(_label("diff", lang), item.urls[0][1])
    lines = [f"## {escape_markdown(item.title)}", ""]
    if item.summary:
        lines += [escape_markdown(item.summary), ""]
    lines.append(" · ".join(links))
    if item.versions:
        names = SEPARATOR.join(_link(language_name(tag), url) for tag, url in item.versions)
        lines += ["", i18n.t(lang, "Also available in: {languages}", languages=names)]
    return "\n".join(lines)


def build_recap(
    month: Month, entries: Sequence[RecapEntry], updates: Mapping[str, Update], settings: Settings
) -> str | None:
    """The recap update's whole file (front matter and Markdown), or None when nothing was published."""
    items = recap_items(entries, updates, settings.recap.lang)
    if not items:
        return None
    recap = settings.recap
    blurb = recap.team_blurb
    if recap.links:
        links = [_link(link.label, link.url) for link in recap.links]
        blurb += " " + i18n.t(recap.lang, "To learn more about us and our work, follow {links}.",
                              links=i18n.join_names(recap.lang, links))
    parts = [_front_matter(month, recap, len(items)), recap.intro, blurb,
             *(_section(item, recap.lang) for item in items)]
    return "\n\n".join(parts) + "\n"
