"""`python -m crm_core sample ...` hands every argument on to the sample generator's command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_core.__main__ import main


def test_sample_command_passes_options_through(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["sample", "--opportunities", "40", "--seed", "2", "--out", str(out), "--as-of", "2026-01-05"]
    assert main(argv) == 0
    assert (out / "manifest.json").is_file()


def test_sample_command_help_is_the_generators(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["sample", "--help"])
    assert exc.value.code == 0
    assert "--opportunities" in capsys.readouterr().out
