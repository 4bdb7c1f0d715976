"""User text is shown as text (docs/architecture.md §7): never through `unsafe_allow_html`, and escaped
wherever Streamlit would read it as Markdown (links, images, HTML, icons, colours, maths)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from crm_core.config import PROJECT_ROOT
from ui.text import WORD_JOINER, message, plain

UI_SOURCES = sorted(
    [PROJECT_ROOT / "app.py", *(PROJECT_ROOT / "pages").glob("*.py"), *(PROJECT_ROOT / "ui").rglob("*.py")]
)
MESSAGE_ELEMENTS = {"error", "warning", "info", "success", "toast"}
# Names that hold an exception or a message built from user input, in the pages and ui/.
MESSAGE_HOLDERS = {"exc", "problem", "error", "notice", "flash", "headline", "note", "success"}
HOSTILE = [
    "[click me](javascript:alert(1))",
    "![x](https://evil.example/pixel.png)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<https://evil.example>",
    ":red[alarm] :material/home:",
    "**bold** _it_ ~~gone~~ `code` $x^2$",
]
UNESCAPED = re.compile(r"(?<!\\)[\[\]<>`*$]|(?<!\\):[a-z]")


def _calls(path: Path) -> list[ast.Call]:
    return [
        node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Call)
    ]


def _attribute(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


@pytest.mark.parametrize("text", HOSTILE)
def test_a_message_escapes_every_markup_character(text: str) -> None:
    assert not UNESCAPED.search(message(f"'name': '{text}' is not valid"))
    assert not UNESCAPED.search(plain(text))


def test_a_bare_web_address_gets_a_word_joiner_so_markdown_does_not_link_it() -> None:
    """GitHub-flavoured Markdown links `http://…` and `www.…` even with every character escaped."""
    j = WORD_JOINER
    text = "![i](http://127.0.0.1:9/a.png) see HTTPS://evil.example or www.evil.example, not a@b.example"
    assert not UNESCAPED.search(plain(text))
    assert plain(text).replace("\\", "") == (
        f"![i](http{j}://127.0.0.1:9/a.png) see HTTPS{j}://evil.example or www{j}.evil.example, "
        "not a@b.example"
    )
    assert message("'name': 'www.evil.example' is not valid") == f"'name': 'www{j}.evil.example' is not valid"


def test_a_message_keeps_ordinary_sentences_readable() -> None:
    assert message("'company': is required") == "'company': is required"
    assert message("Set CRM_DATABASE_URL; it is 12:30 at 127.0.0.1:9.") == (
        "Set CRM_DATABASE_URL; it is 12:30 at 127.0.0.1:9."
    )


def test_unsafe_allow_html_is_only_ever_given_constant_text() -> None:
    offenders = []
    for path in UI_SOURCES:
        for call in _calls(path):
            for keyword in call.keywords:
                if keyword.arg != "unsafe_allow_html":
                    continue
                enabled = not (isinstance(keyword.value, ast.Constant) and keyword.value.value is False)
                constant_body = bool(call.args) and isinstance(call.args[0], ast.Constant)
                if enabled and not constant_body:
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{call.lineno}")
    assert offenders == []


def test_messages_that_may_quote_user_input_are_escaped() -> None:
    """st.error(str(exc)) would render a '[x](javascript:…)' the user typed as a link."""
    offenders = []
    for path in UI_SOURCES:
        for call in _calls(path):
            if _attribute(call) not in MESSAGE_ELEMENTS or not call.args:
                continue
            body = call.args[0]
            raw_values = (
                [v.value for v in body.values if isinstance(v, ast.FormattedValue)]
                if isinstance(body, ast.JoinedStr)
                else [body]
            )
            for value in raw_values:
                is_str_call = (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Name)
                    and value.func.id == "str"
                )
                is_holder = isinstance(value, ast.Name) and value.id in MESSAGE_HOLDERS
                if is_str_call or is_holder:
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{call.lineno}")
    assert offenders == []
