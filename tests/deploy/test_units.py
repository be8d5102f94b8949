"""deploy/: the systemd units and the cron line say what docs/deploy.md says they do."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
BINARY = "/opt/upsales-freshdesk/bin/upsales-freshdesk"
STATE = "/var/lib/upsales-freshdesk/sync-state.sqlite3"
UNITS = (
    "upsales-freshdesk.service",
    "upsales-freshdesk-sync.service",
    "upsales-freshdesk-sync.timer",
    "upsales-freshdesk-alert@.service",
)

Unit = dict[str, dict[str, list[str]]]


def parse(name: str) -> Unit:
    """A unit file as {section: {key: [values...]}}; repeated keys keep every value."""
    unit: Unit = {}
    section = ""
    for raw in (DEPLOY / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        assert not line.endswith("\\"), f"{name}: no continuation lines, please"
        if line.startswith("["):
            section = line.strip("[]")
            unit.setdefault(section, {})
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{name}: {raw!r}"
        assert section, f"{name}: {raw!r} before any [section]"
        unit[section].setdefault(key.strip(), []).append(value.strip())
    return unit


def one(unit: Unit, section: str, key: str) -> str:
    values = unit[section].get(key, [])
    assert len(values) == 1, f"[{section}] {key}: {values}"
    return values[0]


HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "RestrictSUIDSGID": "yes",
    "CapabilityBoundingSet": "",
}


@pytest.mark.parametrize("name", ["upsales-freshdesk.service", "upsales-freshdesk-sync.service"])
def test_services_run_as_their_user_with_the_env_file_and_hardening(name: str) -> None:
    unit = parse(name)
    user = one(unit, "Service", "User")
    assert user == "upsales-freshdesk"
    assert one(unit, "Service", "EnvironmentFile") == "/etc/upsales-freshdesk/env"
    for key, value in HARDENING.items():
        assert one(unit, "Service", key) == value, key
    assert one(unit, "Service", "StateDirectory") == "upsales-freshdesk"


def test_the_service_serves_on_loopback_behind_caddy() -> None:
    unit = parse("upsales-freshdesk.service")
    command = one(unit, "Service", "ExecStart").split()
    assert command[:2] == [BINARY, "serve"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8000"  # the Caddyfile's default upstream
    assert "127.0.0.1:8000" in (DEPLOY / "Caddyfile").read_text()
    assert one(unit, "Service", "Restart") == "on-failure"
    assert one(unit, "Install", "WantedBy") == "multi-user.target"


def test_the_sync_is_a_oneshot_whose_state_lives_in_its_state_directory() -> None:
    unit = parse("upsales-freshdesk-sync.service")
    assert one(unit, "Service", "Type") == "oneshot"
    command = one(unit, "Service", "ExecStart").split()
    assert command[:2] == [BINARY, "sync"]
    state_dir = "/var/lib/" + one(unit, "Service", "StateDirectory")
    assert f"UFD_SYNC_STATE_PATH={STATE}" in unit["Service"]["Environment"]
    assert STATE.startswith(state_dir + "/")
    assert one(unit, "Service", "WorkingDirectory") == state_dir
    assert "Install" not in unit  # started by the timer only


def test_every_failed_sync_alerts_exit_2_included() -> None:
    """Exit 2 (some records failed) is a partial success that must still be seen."""
    unit = parse("upsales-freshdesk-sync.service")
    success = " ".join(unit["Service"].get("SuccessExitStatus", [])).split()
    assert not {"2", "3", "4", "5"} & set(success)
    target = one(unit, "Unit", "OnFailure")
    assert target == "upsales-freshdesk-alert@%n.service"
    assert (DEPLOY / "upsales-freshdesk-alert@.service").is_file()


def test_the_timer_starts_the_reconciliation_nightly_and_catches_up() -> None:
    unit = parse("upsales-freshdesk-sync.timer")
    assert one(unit, "Timer", "Unit") == "upsales-freshdesk-sync.service"
    assert (DEPLOY / one(unit, "Timer", "Unit")).is_file()
    assert one(unit, "Timer", "OnCalendar") == "*-*-* 02:30"
    assert one(unit, "Timer", "Persistent") == "true"
    assert one(unit, "Install", "WantedBy") == "timers.target"


def _cron_line() -> str:
    lines = [
        line
        for line in (DEPLOY / "crontab").read_text().splitlines()
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]
    ]
    assert len(lines) == 1, lines
    return lines[0]


def test_the_cron_line_runs_the_same_sync_without_flock() -> None:
    text = (DEPLOY / "crontab").read_text()
    assert "\nMAILTO=" in text
    fields = _cron_line().split(maxsplit=6)
    assert fields[:5] == ["30", "2", "*", "*", "*"]
    assert fields[5] == "upsales-freshdesk"  # /etc/cron.d format: the user
    assert f"{BINARY} sync" in fields[6]
    assert f"UFD_SYNC_STATE_PATH={STATE}" in fields[6]
    assert "flock" not in fields[6]
    assert "%" not in fields[6]  # cron would cut the line there


@pytest.mark.parametrize(("code", "mails"), [(0, False), (2, True), (5, True)])
def test_the_cron_command_prints_only_when_the_sync_fails(
    tmp_path: Path, code: int, mails: bool
) -> None:
    """Run the cron command with sh, the binary replaced by one exiting ``code``."""
    fake = tmp_path / "upsales-freshdesk"
    fake.write_text(f'#!/bin/sh\necho "sync $* state=$UFD_SYNC_STATE_PATH key=$KEY"\nexit {code}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "env").write_text("KEY=from-env-file\n")
    state = tmp_path / "state"
    state.mkdir()
    command = (
        _cron_line()
        .split(maxsplit=6)[6]
        .replace(BINARY, str(fake))
        .replace("/etc/upsales-freshdesk/env", str(tmp_path / "env"))
        .replace("/var/lib/upsales-freshdesk", str(state))
    )
    out = subprocess.run(
        ["/bin/sh", "-c", command], capture_output=True, text=True, check=False, timeout=10
    )
    assert out.returncode == 0  # printed or not, the job itself never fails to cron
    log = (state / "last-run.log").read_text()
    assert "key=from-env-file" in log
    assert f"state={state}/sync-state.sqlite3" in log
    if mails:
        assert f"sync exited {code}" in out.stdout
        assert "key=from-env-file" in out.stdout  # the log's tail comes along
    else:
        assert out.stdout == ""
        assert out.stderr == ""


def test_systemd_analyze_verify_passes(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed")
    binary = Path(sys.executable).with_name("upsales-freshdesk")
    if not os.access(binary, os.X_OK):
        pytest.skip(f"no {binary} to stand in for {BINARY}")
    for name in UNITS:  # verify checks that ExecStart's program exists
        text = (DEPLOY / name).read_text().replace(BINARY, str(binary))
        (tmp_path / name).write_text(text)
    out = subprocess.run(
        [tool, "verify", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    ours = [line for line in (out.stdout + out.stderr).splitlines() if str(tmp_path) in line]
    assert out.returncode == 0, out.stdout + out.stderr
    assert ours == [], "\n".join(ours)  # parse warnings exit 0, but are mistakes
