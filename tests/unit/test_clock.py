"""The one clock: CRM_TODAY pins the day for tests, demos and screenshots."""

from __future__ import annotations

from datetime import date

import pytest

from crm_core import clock
from crm_core.errors import ConfigError


def test_crm_today_pins_the_day_and_now_falls_on_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TODAY", "2026-03-02")
    assert clock.today() == date(2026, 3, 2)
    assert clock.now().date() == date(2026, 3, 2)
    assert clock.now().tzinfo is None  # naive UTC, as the store keeps times


def test_a_crm_today_that_is_not_a_date_says_which_setting_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TODAY", "next tuesday")
    with pytest.raises(ConfigError, match="CRM_TODAY is 'next tuesday'; expected a date like 2026-03-02"):
        clock.today()
