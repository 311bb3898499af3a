"""How a thread's draft shows a reviewer what it leaves out: in check's summary, the preview's table and panes."""

from __future__ import annotations

from html import escape


def left_out_note(left_out: tuple[str, ...]) -> str:
    """A few words for `herald check`: how many passages the thread leaves out."""
    return f", {len(left_out)} left out" if left_out else ""


def left_out_line(left_out: tuple[str, ...]) -> str:
    """The preview table's mention of what is left out."""
    return f"; left out: {'; '.join(left_out)}" if left_out else ""


def left_out_markdown(left_out: tuple[str, ...]) -> str:
    """A reviewer's list of what the thread leaves out."""
    if not left_out:
        return ""
    return "\n**Left out of the thread:**\n\n" + "".join(f"- {item}\n" for item in left_out)


def left_out_html(left_out: tuple[str, ...]) -> str:
    """A pane's list of what the thread leaves out."""
    if not left_out:
        return ""
    items = "".join(f"<li>{escape(item)}</li>" for item in left_out)
    return f"<div class=left-out><p class=meta>Left out of the thread:</p><ul>{items}</ul></div>"
