"""``upsales-freshdesk triggers install`` and ``status`` with the server's own settings,
against the Upsales emulator on a loopback socket: what is missing is named, a second
install changes nothing, status tells what is there, and no output holds the key or
the secret."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.support.served import in_a_thread
from upsales_freshdesk.cli import app as main_app
from upsales_freshdesk.emulators.upsales.app import (
    DEFAULT_TOKEN,
    UpsalesEmulator,
    create_upsales_emulator,
)
from upsales_freshdesk.sync.triggers import SPECS
from upsales_freshdesk.sync.triggers_cli import LAST_RUN, app

SECRET = "cli-trigger-secret_0123456789-abcdefghij"
SERVICE = "https://ufd.example.com"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No UFD_* from the machine and no .env: each test says what the command sees."""
    for key in [k for k in os.environ if k.startswith("UFD_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def upsales() -> Iterator[tuple[UpsalesEmulator, dict[str, str]]]:
    """The Upsales emulator on loopback, and the environment that reaches it."""
    emu = create_upsales_emulator()
    with in_a_thread(emu) as port:
        yield (
            emu,
            {
                "UFD_SYNC_UPSALES_TOKEN": DEFAULT_TOKEN,
                "UFD_SYNC_UPSALES_BASE_URL": f"http://127.0.0.1:{port}/api/v2/",
                "UFD_UPSALES_WEBHOOK_SECRET": SECRET,
            },
        )


def triggers(*args: str, **env: str) -> Result:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **env})
    assert SECRET not in result.output
    assert DEFAULT_TOKEN not in result.output
    return result


def test_install_names_what_is_missing(upsales: tuple[UpsalesEmulator, dict[str, str]]) -> None:
    emu, env = upsales
    no_secret = {k: v for k, v in env.items() if k != "UFD_UPSALES_WEBHOOK_SECRET"}
    result = triggers("install", "--url", SERVICE, **no_secret)
    assert result.exit_code == 3
    assert result.output.startswith("UFD_UPSALES_WEBHOOK_SECRET: not set")
    short = triggers("install", "--url", SERVICE, **env | {"UFD_UPSALES_WEBHOOK_SECRET": "abc"})
    assert short.exit_code == 3
    assert "at least 32" in short.output
    no_key = {k: v for k, v in env.items() if k != "UFD_SYNC_UPSALES_TOKEN"}
    unset = triggers("install", "--url", SERVICE, **no_key)
    assert unset.exit_code == 3
    assert unset.output.startswith("UFD_SYNC_UPSALES_TOKEN:")
    wrong = triggers("install", "--url", SERVICE, **env | {"UFD_SYNC_UPSALES_TOKEN": "wrong-key"})
    assert wrong.exit_code == 3
    assert "refused UFD_SYNC_UPSALES_TOKEN" in wrong.output
    plain = triggers("install", "--url", "http://ufd.example.com", **env)
    assert plain.exit_code == 2
    assert "https" in plain.output
    assert emu.store.triggers.listed() == []


def test_a_base_url_that_is_not_https_is_named(tmp_path: Path) -> None:
    env = {"UFD_SYNC_UPSALES_TOKEN": DEFAULT_TOKEN, "UFD_UPSALES_BASE_URL": "http://example.com/"}
    result = triggers("status", **env)
    assert result.exit_code == 3
    assert result.output.startswith("UFD_SYNC_UPSALES_BASE_URL or UFD_UPSALES_BASE_URL:")


def test_install_then_again_then_elsewhere(upsales: tuple[UpsalesEmulator, dict[str, str]]) -> None:
    emu, env = upsales
    missing = triggers("status", **env)
    assert missing.exit_code == 1
    for spec in SPECS:
        assert f"{spec.name} ({spec.event}): missing" in missing.output
    assert "triggers install --url" in missing.output

    first = triggers("install", "--url", SERVICE, **env)
    assert first.exit_code == 0, first.output
    assert first.output.count(": created, trigger ") == 3
    assert "{{Contact.Id}}" in first.output  # the unconfirmed placeholder is said
    stored = emu.store.triggers.listed()
    assert len(stored) == 3

    again = triggers("install", "--url", SERVICE, **env)
    assert again.exit_code == 0
    assert again.output.count(": unchanged, trigger ") == 3
    assert emu.store.triggers.listed() == stored

    ready = triggers("status", **env)
    assert ready.exit_code == 0, ready.output
    for spec, trigger in zip(SPECS, stored, strict=True):
        line = (
            f"{spec.name} ({spec.event}): trigger {trigger['id']}, on, calls "
            f"{SERVICE}/v1/webhooks/upsales/<secret>, sends UFD_UPSALES_WEBHOOK_SECRET, up to date"
        )
        assert line in ready.output
    assert LAST_RUN in ready.output

    moved = triggers("install", "--url", "https://ufd2.example.com", **env)
    assert moved.output.count(": updated, trigger ") == 3
    assert [t["id"] for t in emu.store.triggers.listed()] == [t["id"] for t in stored]


def test_status_tells_what_is_off_or_changed(
    upsales: tuple[UpsalesEmulator, dict[str, str]],
) -> None:
    emu, env = upsales
    assert triggers("install", "--url", SERVICE, **env).exit_code == 0
    created, _, account = emu.store.triggers.listed()
    emu.store.triggers.update(created["id"], {"active": 0})
    other = env | {"UFD_UPSALES_WEBHOOK_SECRET": "another-secret_0123456789-abcdefghijkl"}
    result = triggers("status", **other)
    assert result.exit_code == 1
    assert f"trigger {created['id']}, off," in result.output
    assert result.output.count("sends another secret, not as install makes it") == 3
    assert "another-secret" not in result.output
    unchecked = triggers("status", **{k: v for k, v in env.items() if "SECRET" not in k})
    assert unchecked.exit_code == 1  # the first is off
    assert "is not set here, so the triggers' secret was not checked" in unchecked.output
    emu.store.triggers.update(created["id"], {"active": 1})
    assert triggers("status", **env).exit_code == 0
    emu.store.triggers.update(account["id"], {"actions": []})
    calls_nothing = triggers("status", **env)
    assert calls_nothing.exit_code == 1
    assert f"trigger {account['id']}, on, calls nothing" in calls_nothing.output


def test_the_command_is_upsales_freshdesk_triggers(
    upsales: tuple[UpsalesEmulator, dict[str, str]],
) -> None:
    emu, env = upsales
    result = CliRunner().invoke(main_app, ["triggers", "install", "--url", SERVICE], env=env)
    assert result.exit_code == 0, result.output
    assert len(emu.store.triggers.listed()) == 3
    assert SECRET not in result.output
