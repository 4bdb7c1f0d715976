"""Every in-app navigation in the source is on the list the browser test follows with a rep acting
(tests/e2e/test_acting_user.py), and no link reaches a page of the app by URL (a new session)."""

from __future__ import annotations

import ast

from tests.navigations import COVERED, IN_APP_URL, in_app_url_links, navigations_in_source, walk_navigations


def found_in(source: str) -> list[str]:
    found: list[str] = []
    walk_navigations(ast.parse(source), "<module>", "pages/x.py", found)
    return found


def test_every_navigation_in_the_source_is_on_the_followed_list() -> None:
    in_source = navigations_in_source()
    missing = sorted(set(in_source) - set(COVERED))
    gone = sorted(set(COVERED) - set(in_source))
    assert not missing, f"navigations the browser test does not follow (add them to COVERED): {missing}"
    assert not gone, f"listed navigations no longer in the source (remove them from COVERED): {gone}"
    twice = sorted(site for site, count in in_source.items() if count > 1)
    assert not twice, f"two navigations at one place (give each its own function): {twice}"


def test_the_scan_names_each_kind_of_navigation_with_its_place_and_target() -> None:
    source = (
        "import streamlit as st\n"
        "def go():\n"
        "    st.switch_page('pages/orders.py')\n"
        "st.page_link(info.path, label='x')\n"
        "st.query_params['order'] = 'SO-1'\n"
        "st.query_params.update(w='1')\n"
        "st.link_button('Open', 'https://example.com')\n"
        "st.column_config.LinkColumn('Site')\n"
        "st.query_params.pop('order', None)\n"
    )
    assert found_in(source) == [
        "pages/x.py:go:switch_page(pages/orders.py)",
        "pages/x.py:<module>:page_link",
        "pages/x.py:<module>:query_params",
        "pages/x.py:<module>:query_params",
        "pages/x.py:<module>:link_button(Open)",
        "pages/x.py:<module>:LinkColumn(Site)",
    ]


def test_a_link_to_a_page_of_the_app_by_url_is_recognised() -> None:
    for text in ("[the order](/orders?order=SO-1)", "[back](?order=SO-1)", '<a href="/scoring">x</a>'):
        assert IN_APP_URL.search(text), text
    for text in ("[Streamlit](https://streamlit.io)", "V = w_s·S (x)", "order (SO-1)"):
        assert not IN_APP_URL.search(text), text


def test_no_text_in_the_app_links_to_one_of_its_pages_by_url() -> None:
    assert in_app_url_links() == []
