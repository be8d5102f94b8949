"""Every setting in the code is in .env.example and in the README, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic_settings import BaseSettings

from upsales_freshdesk.settings import Settings
from upsales_freshdesk.sync.config import SyncSettings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS: tuple[tuple[type[BaseSettings], str], ...] = (
    (Settings, "UFD_"),
    (SyncSettings, "UFD_SYNC_"),
)


def variables() -> set[str]:
    return {prefix + name.upper() for cls, prefix in SETTINGS for name in cls.model_fields}


def test_every_setting_is_in_env_example() -> None:
    text = (ROOT / ".env.example").read_text("utf-8")
    listed = set(re.findall(r"^#? ?(UFD_[A-Z_]+)=", text, re.M))
    assert listed == variables()


def test_every_setting_is_in_the_readme() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    missing = sorted(v for v in variables() if f"`{v}`" not in text)
    assert missing == []
