"""Each message under the field it is about.

A form submits through `submit(form, action, fields=...)`: a `ValidationError` (or several, as
`InvalidFields`) about one of the form's fields is kept in session state under the form's name,
and the form draws it right under that field's widget with `under(form, field)`. A message about
something the form has no widget for, a conflict or any other domain error shows where the form
is, as `run_action` shows it. The wording comes from crm_core ("Tracking number is required").

The messages stay until the form is submitted again (then they are replaced) or succeeds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import TypeVar

import streamlit as st

from crm_core.errors import ValidationError
from ui.text import message
from ui.widgets import run_action

T = TypeVar("T")
LINES = "lines"
GENERAL = ""  # a problem the form has no widget for (drawn by `general`, where the form starts)
_LINE_FIELD = re.compile(r"^line \d+: ")  # 'line 2: quantity' belongs to the lines table


def _key(form: str) -> str:
    return f"{form}_field_errors"


def widget_of(field: str) -> str:
    """The widget a field's message sits under: an order line's fields under the lines table."""
    return LINES if _LINE_FIELD.match(field) else field


def messages(form: str) -> dict[str, str]:
    """The messages of the form's last submit, by field."""
    return dict(st.session_state.get(_key(form), {}))


def clear(form: str) -> None:
    st.session_state.pop(_key(form), None)


def keep(form: str, error: ValidationError, fields: Collection[str]) -> None:
    """Keep the messages about the form's fields for `under`, any other for `general`."""
    kept: dict[str, list[str]] = {}
    for field, text in error.by_field.items():
        widget = widget_of(field)
        kept.setdefault(widget if widget in fields else GENERAL, []).append(text)
    st.session_state[_key(form)] = {widget: "\n".join(texts) for widget, texts in kept.items()}


def general(form: str) -> None:
    """The last submit's problems that no field of the form is about (e.g. an order that is gone)."""
    under(form, GENERAL)


def under(form: str, field: str) -> None:
    """The field's message from the last submit, if any, right under its widget."""
    text = st.session_state.get(_key(form), {}).get(field)
    if text:
        st.error(message(text), icon=":material/error:")


def submit(
    form: str,
    action: Callable[[], T],
    *,
    fields: Collection[str],
    success: str | None = None,
    rerun: bool = False,
) -> T | None:
    """Run a form's service call; returns None on any problem. Field problems are kept for `under`.
    With `rerun` (a call made after the form's widgets are drawn) the script reruns at once so that
    they show, and a problem no field is about waits for `general`; without, it shows here."""
    clear(form)
    outcome: dict[str, bool] = {}

    def attempt() -> T | None:
        try:
            result = action()
        except ValidationError as error:
            keep(form, error, fields)
            outcome["refused"] = True
            return None
        outcome["done"] = True
        return result

    result = run_action(attempt)
    if outcome.get("refused"):
        if rerun:
            st.rerun()
        text = st.session_state.get(_key(form), {}).pop(GENERAL, None)
        if text:  # shown here, once: the form has no place for it
            st.error(message(text), icon=":material/warning:")
    if outcome.get("done") and success:
        st.toast(message(success), icon=":material/check_circle:")
    return result
