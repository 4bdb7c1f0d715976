"""Showing text people typed as text: never as Markdown, HTML, icons or colour directives."""

from __future__ import annotations

import re

_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def plain(text: object) -> str:
    """Escape `text` for st.markdown/st.caption/st.subheader so it shows exactly as typed.

    CommonMark lets any ASCII punctuation be backslash-escaped; that also stops Streamlit's
    `:material/...:` icons, `:red[...]` colours, emoji short codes, links and inline HTML.
    Line breaks become spaces (use st.text for multi-line text)."""
    if text is None:
        return "—"
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


# Intraword underscores (CRM_DATABASE_URL) and a colon before a digit or space (12:30) are inert.
_MARKUP = re.compile(r"([\\`*~\[\]<>$]|^#|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z]))|:(?=[A-Za-z])")


def message(text: object) -> str:
    """A message for st.error/st.warning/st.toast that may quote what someone typed or uploaded.

    Domain messages echo the bad value ("Email: '[x](javascript:…)' is not a valid email"), and
    those elements render Markdown: escape what Markdown or Streamlit would turn into a link, an
    image, HTML, emphasis, maths, an icon or a colour (`:red[…]`, `:material/…:`), keeping the
    ordinary punctuation of a sentence readable in the source. Line breaks are kept."""
    lines = str(text).splitlines()
    return "\n".join(_MARKUP.sub(lambda m: "\\" + (m.group(1) or ":"), line) for line in lines)
