"""``upsales-freshdesk sync``: settings from the environment or a file, report and exit codes."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from upsales_freshdesk.cli import app
from upsales_freshdesk.emulators.server import EmulatorConfig, build


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str]]:
    fd, us = build(EmulatorConfig())
    servers, urls = [], []
    for emulator in (fd, us):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(emulator, log_level="critical", lifespan="off"))
        threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
        servers.append(server)
        urls.append(f"http://127.0.0.1:{sock.getsockname()[1]}/api/v2/")
    while not all(s.started for s in servers):
        time.sleep(0.05)
    yield urls[0], urls[1]
    for server in servers:
        server.should_exit = True


def test_missing_settings_exit_3_without_echoing_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "UFD_SYNC_FRESHDESK_DOMAIN",
        "UFD_SYNC_FRESHDESK_API_KEY",
        "UFD_SYNC_UPSALES_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["sync"])
    assert result.exit_code == 3
    assert "UFD_SYNC_" in result.output


def test_a_run_from_a_config_file_with_a_json_report(
    tmp_path: Path, served: tuple[str, str]
) -> None:
    config = tmp_path / "sync.env"
    config.write_text(
        "UFD_SYNC_FRESHDESK_DOMAIN=demo\nUFD_SYNC_FRESHDESK_API_KEY=demo-freshdesk-key\n"
        f"UFD_SYNC_UPSALES_TOKEN=demo-upsales-token\nUFD_SYNC_FRESHDESK_BASE_URL={served[0]}\n"
        f"UFD_SYNC_UPSALES_BASE_URL={served[1]}\nUFD_SYNC_FRESHDESK_PLAN=100000\n"
        f"UFD_SYNC_STATE_PATH={tmp_path / 'state.sqlite3'}\n"
    )
    report_path = tmp_path / "report.json"
    dry = CliRunner().invoke(app, ["sync", "--config", str(config), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing was written." in dry.output
    assert "updated" in dry.output
    result = CliRunner().invoke(app, ["sync", "--config", str(config), "--json", str(report_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text())
    assert report["counts"]["updated"] > 0
    assert report["counts"]["failed"] == 0
    assert "demo-freshdesk-key" not in result.output + report_path.read_text()
    again = CliRunner().invoke(app, ["sync", "--config", str(config), "--json", str(report_path)])
    assert again.exit_code == 0
    assert json.loads(report_path.read_text())["upsales_changed"] == 0


def test_keys_are_never_command_line_options() -> None:
    help_text = CliRunner().invoke(app, ["sync", "--help"]).output
    assert "--freshdesk-api-key" not in help_text
    assert "--upsales-token" not in help_text
