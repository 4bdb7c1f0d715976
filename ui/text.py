"""Showing text people typed as text: never as Markdown, HTML, icons or colour directives."""

from __future__ import annotations

import re

_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
# GitHub-flavoured Markdown turns a bare web address into a link even when every character is
# escaped (it looks at the text once escapes are resolved). An invisible word joiner (U+2060) after
# the scheme or the "www" keeps it text.
_BARE_LINK = re.compile(r"(?i)\b(?:https?|ftp)(?=://)|\bwww(?=\.)")
WORD_JOINER = "\u2060"


def _unlinked(text: str) -> str:
    return _BARE_LINK.sub(lambda m: m.group(0) + WORD_JOINER, text)


def plain(text: object) -> str:
    """Escape `text` for st.markdown/st.caption/st.subheader so it shows exactly as typed.

    CommonMark lets any ASCII punctuation be backslash-escaped; that also stops Streamlit's
    `:material/...:` icons, `:red[...]` colours, emoji short codes, links and inline HTML.
    Line breaks become spaces (use st.text for multi-line text). Bare web addresses
    (`https://…`, `www.…`) get an invisible word joiner so they are not made links."""
    if text is None:
        return "—"
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", _unlinked(" ".join(str(text).split())))


# Intraword underscores (CRM_DATABASE_URL) and a colon before a digit or space (12:30) are inert.
_MARKUP = re.compile(r"([\\`*~\[\]<>$]|^#|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z]))|:(?=[A-Za-z])")


def message(text: object) -> str:
    """A message for st.error/st.warning/st.toast that may quote what someone typed or uploaded.

    Domain messages echo the bad value ("Email: '[x](javascript:…)' is not a valid email"), and
    those elements render Markdown: escape what Markdown or Streamlit would turn into a link, an
    image, HTML, emphasis, maths, an icon or a colour (`:red[…]`, `:material/…:`), keeping the
    ordinary punctuation of a sentence readable in the source, and keep bare web addresses from
    becoming links (as `plain` does). Line breaks are kept."""
    lines = _unlinked(str(text)).splitlines()
    return "\n".join(_MARKUP.sub(lambda m: "\\" + (m.group(1) or ":"), line) for line in lines)
