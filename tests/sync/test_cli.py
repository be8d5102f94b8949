"""``upsales-freshdesk sync``: settings, credential check, lock, report and exit codes."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from tests.support.faults import garbled, refusing
from tests.support.sync import Served, report_of, sync
from upsales_freshdesk.cli import app
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.sync import checks
from upsales_freshdesk.sync import cli as sync_cli
from upsales_freshdesk.sync.state import RunLock


def test_missing_settings_exit_3_without_echoing_anything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in (
        "UFD_SYNC_FRESHDESK_DOMAIN",
        "UFD_SYNC_FRESHDESK_API_KEY",
        "UFD_SYNC_UPSALES_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    result = sync(None, "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 3
    assert "UFD_SYNC_FRESHDESK_API_KEY: not set" in result.output
    doc = report_of(tmp_path / "r.json", 3)
    assert "UFD_SYNC_UPSALES_TOKEN: not set" in doc["error"]
    assert doc["report"] is None


def test_settings_errors_name_the_variable_and_say_why(tmp_path: Path, served: Served) -> None:
    config = served.config(tmp_path, FRESHDESK_BASE_URL="http://freshdesk.example.org/api/v2/")
    result = sync(config)
    assert result.exit_code == 3
    assert "UFD_SYNC_FRESHDESK_BASE_URL: upstream base URLs must use https" in result.output
    config = served.config(tmp_path, UPSALES_TOKEN="s3cret;evil=1", SHARE="2")
    result = sync(config, "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 3
    assert "UFD_SYNC_UPSALES_TOKEN: an Upsales API key holds only" in result.output
    assert "UFD_SYNC_SHARE: " in result.output
    assert "s3cret" not in result.output + (tmp_path / "r.json").read_text()
    report_of(tmp_path / "r.json", 3)
    assert served.fd.stats.total == served.us.stats.total == 0


def test_a_missing_config_file_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "sync.env"
    result = sync(missing, "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 3
    assert f"file not found: {missing}" in result.output
    assert report_of(tmp_path / "r.json", 3)["error"] == f"file not found: {missing}"


def test_a_run_from_a_config_file_with_a_json_report(tmp_path: Path, served: Served) -> None:
    config = served.config(tmp_path)
    report_path = tmp_path / "report.json"
    dry = sync(config, "--dry-run", "--create-missing")
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing was written." in dry.output
    assert "would update" in dry.output
    assert "would create" in dry.output
    assert "updated" not in dry.output
    assert "created" not in dry.output
    result = sync(config, "--json", str(report_path))
    assert result.exit_code == 0, result.output
    assert "(resumed)" not in result.output  # the dry run left no run open
    doc = report_of(report_path, 0)
    assert doc["report"]["counts"]["updated"] > 0
    assert doc["report"]["counts"]["failed"] == 0
    assert doc["report"]["resumed"] is False
    assert "demo-freshdesk-key" not in result.output + report_path.read_text()
    again = sync(config, "--json", str(report_path))
    assert again.exit_code == 0
    assert report_of(report_path, 0)["report"]["upsales_changed"] == 0
    assert "Upsales: no changes since 20" in again.output


def test_failed_records_are_listed_by_id_and_reason_and_exit_2(
    tmp_path: Path, served: Served
) -> None:
    served.fd.faults.set(refusing(400, match=r"/contacts/\d+$"))
    report_path = tmp_path / "report.json"
    result = sync(served.config(tmp_path), "--json", str(report_path))
    assert result.exit_code == 2, result.output
    doc = report_of(report_path, 2)
    failed = [o for o in doc["report"]["plan"] if o["action"] == "failed"]
    assert failed
    assert "Failed records (Upsales id: reason):" in result.output
    for o in failed:
        assert f"Upsales {o['upsales_id']}: {o['reason']}" in result.output


def test_a_wrong_freshdesk_key_exits_3_before_reading_anything(
    tmp_path: Path, served: Served
) -> None:
    config = served.config(tmp_path, FRESHDESK_API_KEY="wrong-key")
    result = sync(config, "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 3, result.output
    assert "UFD_SYNC_FRESHDESK_API_KEY: Freshdesk refused it (401)" in result.output
    assert "wrong-key" not in result.output
    assert report_of(tmp_path / "r.json", 3)["report"] is None
    assert dict(served.fd.stats.by_route) == {"GET /api/v2/agents/me": 1}
    assert served.us.stats.total == 0


def test_a_wrong_upsales_token_exits_3_naming_its_variable(tmp_path: Path, served: Served) -> None:
    config = served.config(tmp_path, UPSALES_TOKEN="wrong-token")
    result = sync(config, "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 3, result.output
    assert "UFD_SYNC_UPSALES_TOKEN: Upsales refused it (401)" in result.output
    assert "wrong-token" not in result.output
    report_of(tmp_path / "r.json", 3)
    assert dict(served.us.stats.by_route) == {"GET /api/v2/self": 1}
    assert dict(served.fd.stats.by_route) == {"GET /api/v2/agents/me": 1}


def test_an_unreachable_host_exits_4_after_bounded_retries(
    tmp_path: Path, served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checks, "CHECK_SECONDS", 1.5)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = served.config(tmp_path, UPSALES_BASE_URL=f"http://127.0.0.1:{port}/api/v2/")
    started = time.monotonic()
    result = sync(config, "--json", str(tmp_path / "r.json"))
    assert time.monotonic() - started < 15
    assert result.exit_code == 4, result.output
    assert "Upsales at 127.0.0.1 could not be reached" in result.output
    assert "nothing was written" in result.output
    assert "checkpoint" not in result.output
    report_of(tmp_path / "r.json", 4)


def test_a_run_stopped_upstream_exits_4_with_what_it_did(tmp_path: Path, served: Served) -> None:
    served.us.faults.set(garbled(match=r"/contacts$"))
    result = sync(served.config(tmp_path), "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 4, result.output
    assert "the run stopped: Upsales GET /contacts 200: malformed_response" in result.output
    assert "resumes from its checkpoint" in result.output
    doc = report_of(tmp_path / "r.json", 4)
    assert doc["report"]["counts"]["updated"] == 0


def test_a_run_while_another_holds_the_lock_exits_5(tmp_path: Path, served: Served) -> None:
    config = served.config(tmp_path)
    state = tmp_path / "state.sqlite3"
    with RunLock(state):
        result = sync(config, "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 5, result.output
    assert f"another sync run holds the lock on {state}" in result.output
    assert report_of(tmp_path / "r.json", 5)["report"] is None
    assert served.fd.stats.total == served.us.stats.total == 0
    assert sync(config).exit_code == 0  # the lock went with its holder


def test_two_runs_started_at_once_one_exits_5(tmp_path: Path, served: Served) -> None:
    served.fd.faults.set(Faults(latency_ms=500, match="/agents/me"))  # the first run lasts
    config = served.config(tmp_path)
    start = threading.Barrier(2)
    codes: dict[int, int] = {}
    outputs: dict[int, io.StringIO] = {}

    def run(n: int) -> None:
        outputs[n] = io.StringIO()
        console = Console(file=outputs[n], width=200)
        start.wait()
        codes[n] = sync_cli.main(
            config,
            dry_run=False,
            json_out=tmp_path / f"r{n}.json",
            create_missing=None,
            console=console,
        )

    threads = [threading.Thread(target=run, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(codes.values()) == [0, 5]
    loser = next(n for n, code in codes.items() if code == 5)
    assert "another sync run holds the lock on" in outputs[loser].getvalue()
    for n, code in codes.items():
        report_of(tmp_path / f"r{n}.json", code)


def test_an_unexpected_error_still_leaves_a_json_report(
    tmp_path: Path, served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("astrid.lindqvist@nordvind.example")

    monkeypatch.setattr(sync_cli, "execute", broken)
    result = sync(served.config(tmp_path), "--json", str(tmp_path / "r.json"))
    assert isinstance(result.exception, RuntimeError)
    doc = report_of(tmp_path / "r.json", 1)
    assert doc["error"] == "the sync ended unexpectedly (RuntimeError)"


def test_keys_are_never_command_line_options() -> None:
    help_text = CliRunner().invoke(app, ["sync", "--help"]).output
    assert "--freshdesk-api-key" not in help_text
    assert "--upsales-token" not in help_text


def test_an_upsales_key_past_its_daily_cap_exits_6_and_resumes_later(
    tmp_path: Path, served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator's cap on Upsales' billing threshold (here 1 call: the key check's)
    stops the run before the call past it is sent, with its own exit code."""
    monkeypatch.setenv("UFD_UPSALES_DAILY_CAP", "1")
    result = sync(served.config(tmp_path), "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 6, result.output
    assert "UFD_UPSALES_DAILY_CAP: the Upsales key made its day's calls" in result.output
    doc = json.loads((tmp_path / "r.json").read_text())
    assert (doc["exit_code"], doc["status"]) == (6, "daily_cap")
    assert "resumes from its checkpoint" in doc["error"]
    assert served.us.stats.total == 1


def test_with_redis_the_sync_spends_from_the_services_windows(
    tmp_path: Path, served: Served, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    """With ``UFD_REDIS_URL`` in the env file's environment, the run's calls are logged in
    the same Redis keys as the cards' (the account's window, the key's day count)."""
    import redis

    from upsales_freshdesk.clients.accounts import account_key

    monkeypatch.setenv("UFD_REDIS_URL", redis_url)
    result = sync(served.config(tmp_path))
    assert result.exit_code == 0, result.output
    client = redis.Redis.from_url(redis_url)
    window = f"ufd:{{{account_key('freshdesk', 'demo.freshdesk.com')}}}:calls"
    assert client.zcard(window) > 0
    days = list(client.scan_iter("ufd:*:day:*"))
    assert len(days) == 1
    assert int(client.get(days[0]) or 0) == served.us.stats.total
