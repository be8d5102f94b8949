"""The record templates of ``shapes.json`` (made by ``scripts/make_shapes.py``).

Each has exactly a recorded record's keys, with neutral values of the same JSON type.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _templates() -> dict[str, dict[str, Any]]:
    text = resources.files(__package__).joinpath("shapes.json").read_text("utf-8")
    data: dict[str, dict[str, Any]] = json.loads(text)
    return data


def template(kind: str) -> dict[str, Any]:
    return copy.deepcopy(_templates()[kind])
