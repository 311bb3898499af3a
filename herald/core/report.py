"""Per-channel results of a publish, as values and as Markdown."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from herald.core.status import NOT_DONE, Status

__all__ = ["NOT_DONE", "ChannelResult", "summary_markdown"]


@dataclass(frozen=True)
class ChannelResult:
    """One channel's outcome in one publish run."""

    channel: str
    status: Status | str  # a Status; a plain word only from older ledgers
    url: str | None
    detail: str
    transport: str

    def as_dict(self) -> dict:
        """A plain dict for flow results and artifacts."""
        return asdict(self)


def summary_markdown(slug: str, results: list[ChannelResult], dry_run: bool = False) -> str:
    """A Markdown table of what went where."""
    title = f"# herald {'dry run' if dry_run else 'publish'}: `{slug}`\n\n"
    rows = "".join(
        f"| {r.channel} | {r.status} | {r.transport} | {r.url or ''} | {r.detail.replace('|', '/')} |\n"
        for r in results
    )
    return title + "| channel | status | via | URL | detail |\n|---|---|---|---|---|\n" + rows
