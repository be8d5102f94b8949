"""``UFD_SYNC_STATE_PATH`` that cannot be used: exit 3, one line naming the variable, the
``--json`` report written, and no call to either upstream.

Tests run as root, which ignores file modes. The cases that must fail for root too use
paths the kernel refuses to anyone: ``/proc`` makes no new entries (ENOENT) and ``/sys``
refuses new files (EACCES). The permission and read-only cases run the command as the
``nobody`` user (``setpriv``) when the tests run as root, and as the current user otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.sync import Served, report_of, sync
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN
from upsales_freshdesk.sync.state import SyncState

VARIABLE = "UFD_SYNC_STATE_PATH"


def refused_in_one_line(output: str, code: int = 3) -> str:
    """The one line that names the variable; no traceback."""
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if VARIABLE in line]
    assert len(lines) == 1, output
    return lines[0]


def run_with(served: Served, tmp_path: Path, state: Path) -> Any:
    return sync(served.config(tmp_path, STATE_PATH=str(state)), "--json", str(tmp_path / "r.json"))


def check_refused(result: Any, tmp_path: Path, served: Served) -> str:
    assert result.exit_code == 3, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    line = refused_in_one_line(result.output)
    doc = report_of(tmp_path / "r.json", 3)
    assert doc["error"].startswith(f"{VARIABLE}: ")
    assert doc["report"] is None
    assert served.fd.stats.total == served.us.stats.total == 0  # found before any call
    return line


def test_a_file_where_its_folder_should_be(tmp_path: Path, served: Served) -> None:
    (tmp_path / "plain-file").write_text("not a folder")
    state = tmp_path / "plain-file" / "state.sqlite3"
    result = run_with(served, tmp_path, state)
    line = check_refused(result, tmp_path, served)
    assert "not a folder" in line


def test_a_file_further_up_the_path(tmp_path: Path, served: Served) -> None:
    (tmp_path / "plain-file").write_text("not a folder")
    state = tmp_path / "plain-file" / "deeper" / "state.sqlite3"
    result = run_with(served, tmp_path, state)
    check_refused(result, tmp_path, served)


def test_a_missing_folder_that_cannot_be_made(tmp_path: Path, served: Served) -> None:
    """``/proc`` takes no new folder, not even from root."""
    state = Path("/proc") / f"ufd-{uuid.uuid4().hex}" / "state.sqlite3"
    result = run_with(served, tmp_path, state)
    check_refused(result, tmp_path, served)
    assert not state.parent.exists()


def test_a_folder_that_takes_no_new_file(tmp_path: Path, served: Served) -> None:
    """``/sys`` refuses to create a file, to root as well (permission denied)."""
    state = Path("/sys") / f"ufd-{uuid.uuid4().hex}.sqlite3"
    result = run_with(served, tmp_path, state)
    line = check_refused(result, tmp_path, served)
    assert "permission denied" in line.lower()


def test_a_folder_as_the_state_file(tmp_path: Path, served: Served) -> None:
    state = tmp_path / "a-folder"
    state.mkdir()
    result = run_with(served, tmp_path, state)
    check_refused(result, tmp_path, served)


def test_a_file_that_is_not_a_state_database(tmp_path: Path, served: Served) -> None:
    state = tmp_path / "state.sqlite3"
    state.write_text("this is not SQLite\n" * 100)
    result = run_with(served, tmp_path, state)
    check_refused(result, tmp_path, served)
    assert state.read_text().startswith("this is not SQLite")  # left as it was


# -- as a user whom the file modes bind ---------------------------------------------------


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder every user can reach (pytest's own tmp folders are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="ufd-state-"))
    folder.chmod(0o755)
    out = folder / "out"
    out.mkdir()
    out.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def as_unprivileged(
    served: Served, state: Path, json_out: Path
) -> subprocess.CompletedProcess[str]:
    """``upsales-freshdesk sync`` as a user the file modes bind (``nobody`` under root)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root and setpriv is missing: cannot drop privileges")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    command = Path(sys.executable).with_name("upsales-freshdesk")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(json_out.parent),
        "UFD_SYNC_FRESHDESK_DOMAIN": "demo",
        "UFD_SYNC_FRESHDESK_API_KEY": DEFAULT_KEY,
        "UFD_SYNC_UPSALES_TOKEN": DEFAULT_TOKEN,
        "UFD_SYNC_FRESHDESK_BASE_URL": served.freshdesk_url,
        "UFD_SYNC_UPSALES_BASE_URL": served.upsales_url,
        "UFD_SYNC_FRESHDESK_PLAN": "100000",
        VARIABLE: str(state),
    }
    return subprocess.run(
        [*prefix, str(command), "sync", "--json", str(json_out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd="/",
    )


def check_refused_unprivileged(
    run: subprocess.CompletedProcess[str], json_out: Path, served: Served
) -> str:
    output = run.stdout + run.stderr
    assert run.returncode == 3, output
    line = refused_in_one_line(output)
    doc = json.loads(json_out.read_text())
    assert (doc["exit_code"], doc["status"]) == (3, "bad_config")
    assert doc["error"].startswith(f"{VARIABLE}: ")
    assert served.fd.stats.total == served.us.stats.total == 0
    return line


def test_a_folder_without_write_permission(shared_dir: Path, served: Served) -> None:
    locked = shared_dir / "read-only-folder"
    locked.mkdir()
    locked.chmod(0o555)
    json_out = shared_dir / "out" / "r.json"
    run = as_unprivileged(served, locked / "state.sqlite3", json_out)
    line = check_refused_unprivileged(run, json_out, served)
    assert "permission denied" in line.lower()


def test_a_read_only_state_file(shared_dir: Path, served: Served) -> None:
    """The lock can be taken, but the database can only be read: refused before the run,
    not halfway through it."""
    folder = shared_dir / "state"
    folder.mkdir()
    state = folder / "state.sqlite3"
    SyncState(state).close()  # a state file as a run leaves it: every table there
    state.chmod(0o444)
    lock = folder / "state.sqlite3.lock"
    lock.touch()
    lock.chmod(0o666)
    folder.chmod(0o555)
    json_out = shared_dir / "out" / "r.json"
    run = as_unprivileged(served, state, json_out)
    check_refused_unprivileged(run, json_out, served)


def test_a_state_file_that_stops_taking_writes_during_the_run(
    tmp_path: Path, served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up halfway: exit 3 naming the variable, with the report so far."""

    def full(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(SyncState, "link", full)
    result = sync(served.config(tmp_path), "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 3, result.output
    line = refused_in_one_line(result.output)
    assert "the state could not be written (database or disk is full)" in line
    doc = report_of(tmp_path / "r.json", 3)
    assert doc["report"] is not None
