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
