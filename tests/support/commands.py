"""The ``upsales-freshdesk`` commands as a test runs them: in an environment of the
test's own, and on a terminal wide enough that no line wraps."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result


def own_environment(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """No UFD_* from the machine and no .env: each test says what the command sees."""
    for key in [k for k in os.environ if k.startswith("UFD_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(folder)


def invoke(app: typer.Typer, args: Sequence[str], env: dict[str, str]) -> Result:
    """``app`` run with ``args`` and ``env`` added to the environment, 200 columns wide."""
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **env})
