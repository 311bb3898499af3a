"""The "Also available in" line of a post: its other language versions, each named in its own language."""

from __future__ import annotations

from html import escape

from babel import Locale, UnknownLocaleError

from content import i18n

SEPARATOR = " · "


def language_name(lang: str) -> str:
    """The language's name in itself, capitalised as a heading would be ("Français", "العربية")."""
    try:
        name = Locale.parse(lang.replace("-", "_")).get_display_name(lang.replace("-", "_")) or lang
    except (UnknownLocaleError, ValueError):
        return lang
    return name[:1].upper() + name[1:]


def versions_line(lang: str, versions: tuple[tuple[str, str], ...]) -> str:
    """A paragraph linking each other version's post, or "" for an update in one language."""
    if not versions:
        return ""
    links = SEPARATOR.join(
        f'<a href="{escape(url)}" hreflang="{escape(tag)}" lang="{escape(tag)}" dir="{i18n.direction(tag)}">'
        f"{escape(language_name(tag), quote=False)}</a>" for tag, url in versions)
    text = escape(i18n.t(lang, "Also available in: {languages}", languages="\0"), quote=False)
    return f'<p class="herald-versions">{text.replace(chr(0), links)}</p>\n'
