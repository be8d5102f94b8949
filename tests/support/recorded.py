"""The vendors' recorded answers, kept as JSON under ``tests/fixtures/``, and the check
that an emulator's answer has their shape."""

from __future__ import annotations

import json
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent.parent / "fixtures"


def fixture(name: str) -> Any:
    """The recorded answer ``name`` (e.g. ``"freshdesk/ticket_1.json"``), parsed."""
    return json.loads((FIXTURES / name).read_text())


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


#: Keys whose JSON type varies in the recordings themselves (API-FACTS.md).
VARIANT_TYPES = {
    "assigned": {"list", "dict"},
    # [] on live accounts (accounts_list_limit1.json), {} in Postman's account examples.
    "externalClientData": {"list", "dict"},
}


def assert_same_shape(
    ours: dict[str, Any],
    recorded: dict[str, Any],
    *,
    exact_keys: bool = True,
    ignore: AbstractSet[str] = frozenset(),
) -> None:
    """``ours`` has the recorded answer's keys (all of them, or at least those not in
    ``ignore`` when ``exact_keys`` is False), each with the recorded JSON type."""
    if exact_keys:
        assert set(ours) == set(recorded)
    else:
        assert set(recorded) - ignore <= set(ours)
    for key in set(ours) & set(recorded) - ignore:
        a, b = ours[key], recorded[key]
        if a is not None and b is not None:
            allowed = VARIANT_TYPES.get(key, {json_type(b)})
            assert json_type(a) in allowed, key
