"""Every setting in the code is in .env.example and in docs/configuration.md, and nothing
else is."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic_settings import BaseSettings

from upsales_freshdesk.push.config import PushSettings
from upsales_freshdesk.settings import Settings
from upsales_freshdesk.sync.config import SyncSettings
from upsales_freshdesk.timeline.config import TimelineSettings

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "configuration.md"
SETTINGS: tuple[tuple[type[BaseSettings], str], ...] = (
    (Settings, "UFD_"),
    (SyncSettings, "UFD_SYNC_"),
    (TimelineSettings, "UFD_TIMELINE_"),
    (PushSettings, "UFD_PUSH_"),
)


def variables() -> set[str]:
    """Each field's variable: its alias (the sync reads a few of the service's), or the
    class's prefix and its name."""
    return {
        field.validation_alias if isinstance(field.validation_alias, str) else prefix + name.upper()
        for cls, prefix in SETTINGS
        for name, field in cls.model_fields.items()
    }


def test_every_setting_is_in_env_example() -> None:
    text = (ROOT / ".env.example").read_text("utf-8")
    listed = set(re.findall(r"^#? ?(UFD_[A-Z_]+)=", text, re.M))
    assert listed == variables()


def test_every_setting_is_in_the_configuration_guide() -> None:
    text = GUIDE.read_text("utf-8")
    missing = sorted(v for v in variables() if f"`{v}`" not in text)
    assert missing == [], f"add a row to docs/configuration.md for {missing}"


def test_the_configuration_guide_names_no_other_setting() -> None:
    named = set(re.findall(r"`(UFD_[A-Z0-9_]+)[`=]", GUIDE.read_text("utf-8")))
    assert sorted(named - variables()) == []
