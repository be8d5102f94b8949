"""Library log lines carry their values ("Started server process [4242]", not "[%d]"),
and only the plain ones: a name, an email address or a URL's query never reaches a log."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from upsales_freshdesk.web.launch import run_serve
from upsales_freshdesk.web.logs import configure_logging

SECRET = "log-args-test-secret-0123456789-abcdef"


def logged(capsys: pytest.CaptureFixture[str], message: str, *args: Any) -> dict[str, Any]:
    """What one line logged through uvicorn's logger comes out as (the JSON line)."""
    configure_logging()
    logging.getLogger("uvicorn.error").info(message, *args)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    entry: dict[str, Any] = json.loads(lines[-1])
    assert entry["logger"] == "uvicorn.error"
    return entry


@pytest.mark.parametrize(
    ("message", "args", "expected"),
    [
        ("Started server process [%d]", (4242,), "Started server process [4242]"),
        (
            "Uvicorn running on %s://%s:%d (Press CTRL+C to quit)",
            ("http", "127.0.0.1", 8000),
            "Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)",
        ),
        ("Uvicorn running on %s:%d", ("[::1]", 8000), "Uvicorn running on [::1]:8000"),
        (
            "Loading environment from '%s'",
            ("/etc/ufd/env",),
            "Loading environment from '/etc/ufd/env'",
        ),
        ("ratio %.1f, done %s", (0.25, True), "ratio 0.2, done True"),
        ("100%% of %d", (3,), "100% of 3"),
    ],
)
def test_a_library_message_gets_its_plain_arguments(
    capsys: pytest.CaptureFixture[str], message: str, args: tuple[Any, ...], expected: str
) -> None:
    assert logged(capsys, message, *args)["event"] == expected


@pytest.mark.parametrize(
    "value",
    [
        "pii.marker.7731@leak.example",
        "https://x.example/contacts?email=someone%40leak.example",
        "https://x.example/search?q=Astrid",
        "Astrid Lindqvist",
        "+46 70 773 17 73",
        ValueError("pii.marker.7731@leak.example"),
    ],
)
def test_an_argument_that_could_hold_personal_data_is_shown_as_its_type(
    capsys: pytest.CaptureFixture[str], value: Any
) -> None:
    entry = logged(capsys, "Exception in ASGI application %s", value)
    assert entry["event"] == f"Exception in ASGI application [{type(value).__name__}]"
    assert "leak" not in json.dumps(entry)
    assert "Astrid" not in json.dumps(entry)
    assert "773" not in json.dumps(entry)


def test_a_long_token_as_an_argument_is_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    entry = logged(capsys, "key %s refused", "abcdefghijklmnopqrstuvwxyzABCDEF")
    assert entry["event"] == "key [secret] refused"


def test_named_arguments_are_applied_the_same_way(capsys: pytest.CaptureFixture[str]) -> None:
    entry = logged(
        capsys,
        "%(count)d workers on %(host)s for %(who)s",
        {"count": 2, "host": "h1", "who": "A B"},
    )
    assert entry["event"] == "2 workers on h1 for [str]"
    # a lone mapping for one "%s" shows as the mapping, its values made plain
    entry = logged(capsys, "got %s", {"email": "pii.marker.7731@leak.example"})
    assert entry["event"] == "got {'email': '[str]'}"


def test_arguments_that_do_not_fit_leave_the_message_as_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert logged(capsys, "pid [%d] of %s", "not-a-number", "x")["event"] == "pid [%d] of %s"
    assert logged(capsys, "no placeholder", 1)["event"] == "no placeholder"


def test_serve_logs_its_process_id(tmp_path: Path) -> None:
    """The real thing: uvicorn's own start and stop lines, from ``serve``, name its pid."""
    log = tmp_path / "serve.log"
    with (
        log.open("wb") as sink,
        run_serve({"UFD_SERVICE_SECRET": SECRET}, output=sink, cwd=tmp_path) as served,
    ):
        pid = served.pid
    events = [
        json.loads(line)["event"] for line in log.read_text().splitlines() if line.startswith("{")
    ]
    assert f"Started server process [{pid}]" in events
    assert f"Finished server process [{pid}]" in events
    assert not [e for e in events if "%d" in e or "%s" in e]
