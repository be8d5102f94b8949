"""The command line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import Result
from typer.testing import CliRunner

from upsales_freshdesk.cli import app
from upsales_freshdesk.emulators.process import run_emulators


def test_help_lists_emulate() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "emulate" in result.output


def test_emulate_refuses_a_public_host_and_an_unknown_plan() -> None:
    public = CliRunner().invoke(app, ["emulate", "--host", "0.0.0.0"])  # noqa: S104
    assert public.exit_code != 0
    assert "loopback" in public.output
    plan = CliRunner().invoke(app, ["emulate", "--plan", "gold"])
    assert plan.exit_code != 0


def test_emulate_serves_both_and_prints_urls_and_keys(tmp_path: Path) -> None:
    log = tmp_path / "emulate.log"
    with log.open("wb") as out, run_emulators(plan="trial", output=out) as emu:
        fd = httpx.get(f"{emu.freshdesk_url}agents/me", auth=(emu.freshdesk_key, "X"))
        us = httpx.get(f"{emu.upsales_url}self", headers={"Cookie": f"token={emu.upsales_token}"})
        assert emu.calls() == (1, 1)
        emu.reset_stats()
        assert emu.calls() == (0, 0)
    assert fd.status_code == 200
    assert fd.headers["X-RateLimit-Total"] == "50"
    assert us.status_code == 200
    output = log.read_text()
    assert emu.freshdesk_url in output
    assert emu.upsales_url in output
    assert "demo-freshdesk-key" in output
    assert "demo-upsales-token" in output
    assert "stopped" in output


def test_run_emulators_refuses_an_unknown_plan_before_starting() -> None:
    with pytest.raises(ValueError, match="unknown plan"), run_emulators(plan="gold"):
        pass


def test_run_emulators_hands_out_the_extra_tokens() -> None:
    with run_emulators(extra_upsales_tokens=2) as emu:
        assert emu.extra_upsales_tokens == ("demo-upsales-token-1", "demo-upsales-token-2")
        for token in emu.extra_upsales_tokens:
            resp = httpx.get(f"{emu.upsales_url}self", headers={"Cookie": f"token={token}"})
            assert resp.status_code == 200


# -- serve: what stops it at start -------------------------------------------------------

#: A service secret of the length serve requires (32+ characters).
SECRET = "serve-secret-for-cli-tests-0123456789"
SYNC_CREDENTIALS = {
    "UFD_SYNC_FRESHDESK_API_KEY": "sync-freshdesk-key",
    "UFD_SYNC_UPSALES_TOKEN": "sync-upsales-token",
}


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[dict[str, Any]]]:
    """A clean environment (no UFD_*, no .env) and uvicorn.run replaced: the options each
    serve that passed its checks would have started with. ``serve`` writes to os.environ
    (its workers read it), so the whole environment is restored afterwards."""
    import uvicorn

    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith("UFD_")]:
        del os.environ[key]
    monkeypatch.chdir(tmp_path)
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: runs.append(kwargs))
    try:
        yield runs
    finally:
        os.environ.clear()
        os.environ.update(saved)


def serve(*args: str, **env: str) -> Result:
    return CliRunner().invoke(app, ["serve", *args], env={"COLUMNS": "80", **env})


def refused(result: Result) -> str:
    """The one line a refused serve prints (exit status 2, no traceback)."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Refusing to start: ")
    return lines[0]


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "0.0.0.0"])  # noqa: S104
def test_serve_requires_a_secret_on_any_host(host: str, started: list[dict[str, Any]]) -> None:
    line = refused(serve("--host", host))
    assert "UFD_SERVICE_SECRET is not set" in line
    assert "--allow-no-secret" in line
    assert started == []


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_allow_no_secret_starts_and_warns(how: str, started: list[dict[str, Any]]) -> None:
    result = serve("--allow-no-secret") if how == "flag" else serve(UFD_ALLOW_NO_SECRET="true")
    assert result.exit_code == 0, result.output
    assert "Warning: no UFD_SERVICE_SECRET" in result.output
    assert len(started) == 1


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("UFD_SERVICE_SECRET", "", "UFD_SERVICE_SECRET is set but empty"),
        ("UFD_SERVICE_SECRET", "s3cret", "UFD_SERVICE_SECRET is 6 characters long"),
        ("UFD_SERVICE_SECRET", SECRET[:31], "it needs at least 32"),
        ("UFD_SERVICE_SECRET", SECRET + " ", "UFD_SERVICE_SECRET holds a space"),
        ("UFD_SERVICE_SECRET", SECRET + "\u00a0", "non-ASCII"),
        ("UFD_METRICS_TOKEN", "", "UFD_METRICS_TOKEN is set but empty"),
        ("UFD_METRICS_TOKEN", "scrape-token-123", "UFD_METRICS_TOKEN is 16 characters"),
        ("UFD_WEBHOOK_SECRET", "", "UFD_WEBHOOK_SECRET is set but empty"),
        ("UFD_WEBHOOK_SECRET", "w3bh00k", "UFD_WEBHOOK_SECRET is 7 characters"),
    ],
)
@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])  # noqa: S104
def test_an_empty_or_short_secret_is_refused_on_every_host(
    variable: str, value: str, says: str, host: str, started: list[dict[str, Any]]
) -> None:
    env = {"UFD_SERVICE_SECRET": SECRET, variable: value}
    line = refused(serve("--host", host, "--allow-no-secret", **env))
    assert says in line
    assert value not in line or not value  # never the secret itself
    assert started == []


def test_secrets_of_32_characters_start(started: list[dict[str, Any]]) -> None:
    secret = SECRET[:32]
    result = serve(UFD_SERVICE_SECRET=secret, UFD_METRICS_TOKEN=secret, UFD_WEBHOOK_SECRET=secret)
    assert result.exit_code == 0, result.output
    assert "Warning: no UFD_SERVICE_SECRET" not in result.output
    assert len(started) == 1


def test_a_setting_that_does_not_parse_is_one_line_naming_it(started: list[dict[str, Any]]) -> None:
    line = refused(serve(UFD_SERVICE_SECRET=SECRET, UFD_FIELD_MAPPING="{not json"))
    assert line.startswith("Refusing to start: UFD_FIELD_MAPPING: ")
    assert "not json" not in line


@pytest.mark.parametrize("workers", ["2", "4"])
def test_several_workers_need_redis(workers: str, started: list[dict[str, Any]]) -> None:
    line = refused(serve("--workers", workers, UFD_SERVICE_SECRET=SECRET))
    assert f"--workers {workers} without UFD_REDIS_URL" in line
    assert "idempotency" in line
    assert started == []
    shared = serve("--workers", workers, UFD_SERVICE_SECRET=SECRET, UFD_REDIS_URL="redis://r/0")
    assert shared.exit_code == 0, shared.output
    assert started[0]["workers"] == int(workers)
    one = serve("--workers", "1", UFD_SERVICE_SECRET=SECRET)
    assert one.exit_code == 0, one.output


# -- serve with the sync's settings in the same env file ----------------------------------

ONE_ENV_FILE = {
    "outside the allowlist": (
        {"UFD_ALLOWED_ACCOUNTS": "acme", "UFD_SYNC_FRESHDESK_DOMAIN": "other"},
        "UFD_SYNC_FRESHDESK_DOMAIN (other.freshdesk.com) is not in UFD_ALLOWED_ACCOUNTS",
    ),
    "a custom host": (
        {"UFD_SYNC_FRESHDESK_DOMAIN": "support.acme.example"},
        "UFD_SYNC_FRESHDESK_DOMAIN (support.acme.example) is neither a *.freshdesk.com host",
    ),
    "a bad token": (
        {"UFD_SYNC_FRESHDESK_DOMAIN": "acme", "UFD_SYNC_UPSALES_TOKEN": "bad token"},
        "UFD_SYNC_UPSALES_TOKEN: an Upsales API key holds only",
    ),
    "an empty key": (
        {"UFD_SYNC_FRESHDESK_DOMAIN": "acme", "UFD_SYNC_FRESHDESK_API_KEY": ""},
        "UFD_SYNC_FRESHDESK_API_KEY: empty",
    ),
}


@pytest.mark.parametrize("case", ONE_ENV_FILE)
def test_the_syncs_settings_stop_serve_only_when_the_webhook_uses_them(
    case: str, started: list[dict[str, Any]]
) -> None:
    sync, says = ONE_ENV_FILE[case]
    env = {"UFD_SERVICE_SECRET": SECRET, **SYNC_CREDENTIALS, **sync}
    off = serve(**env)
    assert off.exit_code == 0, off.output
    assert len(started) == 1
    line = refused(serve(**env, UFD_WEBHOOK_SECRET=SECRET))
    assert says in line
    assert "sync-freshdesk-key" not in line
    assert "sync-upsales-token" not in line


def test_the_webhook_with_a_custom_host_or_without_sync_keys_starts(
    started: list[dict[str, Any]],
) -> None:
    hook = {"UFD_SERVICE_SECRET": SECRET, "UFD_WEBHOOK_SECRET": SECRET}
    custom = {"UFD_SYNC_FRESHDESK_DOMAIN": "support.acme.example", **SYNC_CREDENTIALS}
    accepted = serve(**hook, **custom, UFD_EXTRA_FRESHDESK_HOSTS="support.acme.example")
    assert accepted.exit_code == 0, accepted.output
    none = serve(**hook, UFD_WEBHOOK_HEADER_CREDENTIALS="true")
    assert none.exit_code == 0, none.output
    assert len(started) == 2


def test_serve_and_sync_load_no_tooling(tmp_path: Path) -> None:
    """A cron-run sync and the service load the runtime only: not the emulators, the demo
    or the app validator (they are imported inside their own commands)."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from upsales_freshdesk import cli\n"
        "import upsales_freshdesk.web.app, upsales_freshdesk.sync.cli\n"
        "tooling = ('emulators', 'demo', 'appkit')\n"
        "loaded = sorted(m for m in sys.modules\n"
        "    if m.split('.')[:2] in [['upsales_freshdesk', t] for t in tooling])\n"
        "print(loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("UFD_")}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_emulate_defaults_to_the_demo_keys() -> None:
    from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY
    from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN

    result = CliRunner().invoke(app, ["emulate", "--plan", "nonsense"])
    assert result.exit_code == 2  # refused before anything starts
    output = CliRunner().invoke(app, ["emulate", "--help"]).output
    help_text = " ".join(output.replace("│", " ").split())  # rich's box, unwrapped
    assert "(default: its demo key)" in help_text
    assert DEFAULT_KEY not in help_text  # the help names it, the banner prints it
    assert DEFAULT_TOKEN not in help_text
