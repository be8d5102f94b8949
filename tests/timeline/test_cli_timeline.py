"""``upsales-freshdesk timeline``: the rules printed (never with the secret), installed
through Freshdesk's API with the server's own settings against the Freshdesk emulator
on a loopback socket, and checked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import Result

from tests.support.commands import invoke, own_environment
from tests.support.served import in_a_thread
from upsales_freshdesk.cli import app
from upsales_freshdesk.emulators.freshdesk.app import (
    DEFAULT_KEY,
    FreshdeskEmulator,
    create_freshdesk_emulator,
)
from upsales_freshdesk.timeline.automation import CREATED_NAME, UPDATED_NAME

HOOK = "hook-secret-for-cli-timeline-tests-0123456789"
SERVICE = "https://ufd.example.com"
RECEIVER = f"{SERVICE}/v1/webhooks/freshdesk/ticket-event"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    own_environment(monkeypatch, tmp_path)


@pytest.fixture
def freshdesk() -> Iterator[tuple[FreshdeskEmulator, dict[str, str]]]:
    """The Freshdesk emulator on loopback, and the environment that reaches it."""
    emu = create_freshdesk_emulator()
    with in_a_thread(emu) as port:
        yield (
            emu,
            {
                "UFD_SYNC_FRESHDESK_DOMAIN": "demo",
                "UFD_SYNC_FRESHDESK_API_KEY": DEFAULT_KEY,
                "UFD_SYNC_UPSALES_TOKEN": "upsales-token-for-tests",
                "UFD_FRESHDESK_BASE_URL": f"http://127.0.0.1:{port}/api/v2/",
                "UFD_WEBHOOK_SECRET": HOOK,
                "UFD_TIMELINE_ENABLED": "true",
            },
        )


def timeline(*args: str, **env: str) -> Result:
    return invoke(app, ["timeline", *args], env)


def test_rules_print_the_url_and_header_and_never_the_secret() -> None:
    result = timeline("rules", "--url", SERVICE, UFD_WEBHOOK_SECRET=HOOK)
    assert result.exit_code == 0, result.output
    assert result.output.count(RECEIVER) == 2
    assert "X-Webhook-Secret" in result.output
    assert "<the value of UFD_WEBHOOK_SECRET>" in result.output
    assert HOOK not in result.output


def test_rules_as_json_are_the_api_bodies_without_the_secret() -> None:
    result = timeline("rules", "--url", SERVICE, "--json", UFD_WEBHOOK_SECRET=HOOK)
    assert result.exit_code == 0, result.output
    assert HOOK not in result.output
    calls = json.loads(result.output)
    assert [c["path"] for c in calls] == [
        "/api/v2/automations/1/rules",
        "/api/v2/automations/4/rules",
    ]
    for call in calls:
        (action,) = call["body"]["actions"]
        assert action["url"] == RECEIVER
        assert action["custom_headers"] == {"X-Webhook-Secret": "<the value of UFD_WEBHOOK_SECRET>"}
    without = json.loads(timeline("rules", "--url", SERVICE, "--json", "--no-ticket-url").output)
    assert without[0]["body"]["actions"][0]["content"] == {"ticket_id": "{{ticket.id}}"}


@pytest.mark.parametrize("command", ["rules", "install"])
def test_a_url_that_is_not_https_is_refused_before_anything(command: str) -> None:
    result = timeline(command, "--url", "http://ufd.example.com")
    assert result.exit_code == 2
    assert "https" in result.output


def test_install_names_what_is_missing_and_never_a_key(
    freshdesk: tuple[FreshdeskEmulator, dict[str, str]],
) -> None:
    emu, env = freshdesk
    no_secret = {k: v for k, v in env.items() if k != "UFD_WEBHOOK_SECRET"}
    result = timeline("install", "--url", SERVICE, **no_secret)
    assert result.exit_code == 3
    assert result.output.startswith("UFD_WEBHOOK_SECRET: not set")
    no_key = {k: v for k, v in env.items() if k != "UFD_SYNC_FRESHDESK_API_KEY"}
    unset = timeline("install", "--url", SERVICE, **no_key)
    assert unset.exit_code == 3
    assert "UFD_SYNC_FRESHDESK_API_KEY" in unset.output
    wrong = timeline("install", "--url", SERVICE, **env | {"UFD_SYNC_FRESHDESK_API_KEY": "wrong"})
    assert wrong.exit_code == 3
    assert "refused UFD_SYNC_FRESHDESK_API_KEY" in wrong.output
    for result in (unset, wrong):
        assert HOOK not in result.output
        assert DEFAULT_KEY not in result.output
    assert emu.store.automations.listed(1) == []


def test_install_then_again_then_elsewhere(
    freshdesk: tuple[FreshdeskEmulator, dict[str, str]],
) -> None:
    emu, env = freshdesk
    missing = timeline("status", **env)
    assert missing.exit_code == 1
    assert f"{CREATED_NAME} (Ticket Creation): missing" in missing.output

    first = timeline("install", "--url", SERVICE, **env)
    assert first.exit_code == 0, first.output
    (created,), (updated,) = emu.store.automations.listed(1), emu.store.automations.listed(4)
    assert first.output.splitlines() == [
        f"{CREATED_NAME} (Ticket Creation): created, rule {created['id']}",
        f"{UPDATED_NAME} (Ticket Updates): created, rule {updated['id']}",
    ]
    assert created["actions"][0]["custom_headers"] == {"X-Webhook-Secret": HOOK}

    again = timeline("install", "--url", SERVICE, **env)
    assert again.exit_code == 0, again.output
    assert [line.rsplit(": ", 1)[1] for line in again.output.splitlines()] == [
        f"unchanged, rule {created['id']}",
        f"unchanged, rule {updated['id']}",
    ]

    twin = emu.store.automations.create(1, created, agent_id=1, now=created["created_at"])
    named = timeline("install", "--url", SERVICE, **env)
    assert f"rule {twin['id']} has the same name and each sends the event again" in named.output
    emu.store.automations.delete(1, twin["id"])

    status = timeline("status", **env)
    assert status.exit_code == 0, status.output
    assert f"rule {created['id']}, on" in status.output
    assert f"rule {updated['id']}, on" in status.output
    assert status.output.count(f"calls {RECEIVER}, sends UFD_WEBHOOK_SECRET") == 2

    moved = timeline("install", "--url", "https://cards.example.org", **env)
    assert moved.exit_code == 0, moved.output
    assert moved.output.count("updated, rule") == 2
    assert [r["id"] for r in emu.store.automations.listed(1)] == [created["id"]]
    assert [r["id"] for r in emu.store.automations.listed(4)] == [updated["id"]]

    rotated = timeline("status", **env | {"UFD_WEBHOOK_SECRET": HOOK[::-1]})
    assert rotated.exit_code == 1
    assert rotated.output.count("sends another secret") == 2
    for result in (first, again, status, moved, rotated):
        assert HOOK not in result.output
        assert HOOK[::-1] not in result.output
        assert DEFAULT_KEY not in result.output


def test_install_warns_when_the_service_here_would_not_take_events(
    freshdesk: tuple[FreshdeskEmulator, dict[str, str]],
) -> None:
    _, env = freshdesk
    off = {k: v for k, v in env.items() if k != "UFD_TIMELINE_ENABLED"}
    result = timeline("install", "--url", SERVICE, **off)
    assert result.exit_code == 0, result.output
    assert "Warning: UFD_TIMELINE_ENABLED is not true here" in result.output
    on = timeline("install", "--url", SERVICE, **env)
    assert "Warning" not in on.output


def test_a_freshdesk_that_cannot_be_reached_stops_with_4() -> None:
    env = {
        "UFD_SYNC_FRESHDESK_DOMAIN": "demo",
        "UFD_SYNC_FRESHDESK_API_KEY": DEFAULT_KEY,
        "UFD_SYNC_UPSALES_TOKEN": "upsales-token-for-tests",
        "UFD_FRESHDESK_BASE_URL": "http://127.0.0.1:9/api/v2/",  # discard: nothing listens
    }
    result = timeline("status", **env)
    assert result.exit_code == 4, result.output
    assert result.output.startswith("stopped: Freshdesk connection_failed")
