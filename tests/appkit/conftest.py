"""The fixture apps under tests/appkit/apps/, copied where a test breaks them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import APPS


@pytest.fixture
def copy_app(tmp_path: Path) -> Callable[[str], Path]:
    """A writable copy of a fixture app."""

    def make(name: str) -> Path:
        root = tmp_path / name
        shutil.copytree(APPS / name, root)
        return root

    return make
