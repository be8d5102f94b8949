from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.service import Service, running


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    async with running() as s:
        yield s
