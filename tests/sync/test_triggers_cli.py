"""``upsales-freshdesk triggers install`` and ``status`` with the server's own settings,
against the Upsales emulator on a loopback socket: what is missing is named, a second
install changes nothing, status tells what is there, and no output holds the key or
the secret."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from typer.testing import CliRunner, Result

from tests.support.commands import invoke, own_environment
from tests.support.served import in_a_thread
from upsales_freshdesk.cli import app as main_app
from upsales_freshdesk.emulators.upsales.app import (
    DEFAULT_TOKEN,
    UpsalesEmulator,
    create_upsales_emulator,
)
from upsales_freshdesk.sync.fired import RedisFired, account_of
from upsales_freshdesk.sync.triggers import SPECS
from upsales_freshdesk.sync.triggers_cli import NO_REDIS, app

SECRET = "cli-trigger-secret_0123456789-abcdefghij"
SERVICE = "https://ufd.example.com"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    own_environment(monkeypatch, tmp_path)


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
    result = invoke(app, args, env)
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
    assert NO_REDIS in ready.output

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


def test_status_says_when_each_trigger_last_called(
    upsales: tuple[UpsalesEmulator, dict[str, str]], redis_url: str
) -> None:
    """The service keeps the time of each trigger's last call in Redis; status reads it
    there (Upsales' API keeps none)."""
    _, env = upsales
    assert triggers("install", "--url", SERVICE, **env).exit_code == 0
    called = time.time() - 180

    async def mark() -> None:
        client = Redis.from_url(redis_url)
        try:
            await RedisFired(client).mark(account_of(DEFAULT_TOKEN), "after_contact_update", called)
            # Another account's call is not this one's.
            await RedisFired(client).mark(account_of("another-key"), "after_contact_insert")
        finally:
            await client.aclose()

    asyncio.run(mark())
    result = triggers("status", **env, UFD_REDIS_URL=redis_url)
    assert result.exit_code == 0, result.output
    lines = {
        spec.event: line
        for spec in SPECS
        for line in result.output.splitlines()
        if f"({spec.event})" in line
    }
    assert lines["after_contact_update"].endswith("(3 minutes ago)")
    assert "; last call taken " in lines["after_contact_update"]
    assert lines["after_contact_insert"].endswith("; no call taken in the last 90 days")
    assert NO_REDIS not in result.output
    down = triggers("status", **env, UFD_REDIS_URL="redis://127.0.0.1:9/0")
    assert down.exit_code == 0
    assert "Redis (UFD_REDIS_URL) did not answer" in down.output
    for wrong in ("localhost:6379", "redis://:hunter2-pw@127.0.0.1:99999/0"):
        said = triggers("status", **env, UFD_REDIS_URL=wrong)
        assert said.exit_code == 0, said.output
        assert said.output.count(": trigger ") == 3  # the triggers are still shown
        assert "UFD_REDIS_URL is not a Redis URL" in said.output or "did not answer" in said.output
        assert "hunter2" not in said.output
