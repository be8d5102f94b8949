"""The sync's fixtures: both emulators in-process (``book``) or served on loopback
(``served``); the classes are in ``tests/support/sync.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.served import in_a_thread
from tests.support.sync import Book, Served
from upsales_freshdesk.emulators.server import EmulatorConfig, build


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return Book(tmp_path)


@pytest.fixture
def served() -> Iterator[Served]:
    fd, us = build(EmulatorConfig())
    with in_a_thread(fd) as fd_port, in_a_thread(us) as us_port:
        base = "http://127.0.0.1:{}/api/v2/"
        yield Served(fd, us, base.format(fd_port), base.format(us_port))
