"""Packing the app: a reproducible zip of what the platform needs, and nothing else."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from upsales_freshdesk.appkit.pack import InvalidAppError, pack_app
from upsales_freshdesk.cli import app

from .helpers import OWN_APP as APP


def test_pack_builds_the_zip(tmp_path: Path) -> None:
    target = pack_app(APP, tmp_path)
    names = set(zipfile.ZipFile(target).namelist())
    assert {
        "manifest.json",
        "config/requests.json",
        "config/iparams.html",
        "config/assets/iparams.js",
        "app/index.html",
        "app/scripts/app.js",
        "app/styles/images/icon.svg",
    } <= names
    assert not any(n.startswith(("tests", "node_modules")) or "/." in n for n in names)
    again = pack_app(APP, tmp_path / "again")
    assert target.read_bytes() == again.read_bytes()  # reproducible


GENERATED = [
    "node_modules/x/index.js",
    "server/node_modules/y/index.js",
    ".fdk/configs.json",
    ".git/HEAD",
    ".env",
    ".report.json",
    "coverage/coverage-summary.json",
    "log/fdk.log",
    "dist/old.zip",
    "tests/server.test.js",
    "server/test_data/onContactCreate.json",
    "server/server.test.js",
    "config/iparam_test_data.json",
    "app/.DS_Store",
    "notes.txt",
]


def test_pack_has_the_fdk_layout(copy_app: Callable[[str], Path]) -> None:
    root = copy_app("serverless")
    for rel in GENERATED:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    target = pack_app(root, root / "dist")
    assert target == root / "dist" / "serverless.zip"
    assert sorted(zipfile.ZipFile(target).namelist()) == [
        "README.md",
        "app/app.js",
        "app/icon.svg",
        "app/index.html",
        "config/iparams.json",
        "config/requests.json",
        "manifest.json",
        "package.json",
        "server/server.js",
    ]


def test_an_invalid_app_is_not_packed(tmp_path: Path) -> None:
    root = tmp_path / "freshworks-app"
    shutil.copytree(APP, root)
    (root / "app/styles/images/icon.svg").unlink()
    with pytest.raises(InvalidAppError):
        pack_app(root, tmp_path / "dist")
    assert not (tmp_path / "dist").exists()


def test_cli_validate_and_pack(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["app", "validate", str(APP)])
    assert ok.exit_code == 0
    assert "is valid" in ok.output
    packed = runner.invoke(app, ["app", "pack", str(APP), "--out", str(tmp_path)])
    assert packed.exit_code == 0
    assert (tmp_path / "freshworks-app.zip").exists()
    broken = tmp_path / "broken"
    shutil.copytree(APP, broken)
    (broken / "manifest.json").write_text("{")
    bad = runner.invoke(app, ["app", "validate", str(broken)])
    assert bad.exit_code == 1
