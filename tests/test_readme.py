"""The README stays true: every setting is documented, every CLI command is listed."""

from __future__ import annotations

from pathlib import Path

from app.cli.parser import build_parser
from app.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_table():
    missing = [f for f in Settings.model_fields if f"| `RUTA_{f.upper()}` |" not in README]
    assert missing == [], f"settings missing from README's table: {missing}"


def test_every_command_is_in_the_readme():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    missing = [name for name in sub.choices if f"ruta {name}" not in README]
    assert missing == [], f"commands missing from README: {missing}"
