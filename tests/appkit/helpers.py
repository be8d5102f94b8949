"""Small edits that break one rule each in a copy of a fixture app."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

APPS = Path(__file__).resolve().parent / "apps"
OWN_APP = Path(__file__).resolve().parents[2] / "freshworks-app"

Edit = Callable[[Path], None]


def edit_json(rel: str, change: Callable[[Any], None]) -> Edit:
    def apply(root: Path) -> None:
        path = root / rel
        data = json.loads(path.read_bytes().decode("utf-8"))
        change(data)
        path.write_text(json.dumps(data), "utf-8")

    return apply


def edit_text(rel: str, old: str, new: str) -> Edit:
    def apply(root: Path) -> None:
        path = root / rel
        data = path.read_bytes()
        encoding = "utf-8" if data.isascii() or _is_utf8(data) else "latin-1"
        text = data.decode(encoding)
        assert old in text, f"{old!r} not in {rel}"
        path.write_bytes(text.replace(old, new).encode(encoding))

    return apply


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def write(rel: str, text: str) -> Edit:
    def apply(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")

    return apply


def remove(rel: str) -> Edit:
    return lambda root: (root / rel).unlink()


def schema(template: str, **changes: Any) -> Edit:
    """Update fields of one template's schema."""
    return edit_json("config/requests.json", lambda d: d[template]["schema"].update(changes))


def options(template: str, **changes: Any) -> Edit:
    return edit_json(
        "config/requests.json",
        lambda d: d[template].setdefault("options", {}).update(changes),
    )


def headers(template: str, **changes: str) -> Edit:
    return edit_json(
        "config/requests.json",
        lambda d: d[template]["schema"].setdefault("headers", {}).update(changes),
    )
