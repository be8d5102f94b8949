"""The command line."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
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
