"""Builds the uploadable zip of a Freshworks app, laid out as ``fdk pack`` lays it out.

Contents and exclusions follow github freshworks-developers/marketplace
skills/publish/references/pack-command.md; generated folders follow the official sample
.gitignore (freshworks-developers/request-method-samples sample-app/.gitignore).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .validate import validate_app

INCLUDE = ("manifest.json", "app", "config", "server", "README.md", "package.json")
EXCLUDED_DIRS = {
    "node_modules",
    "dist",
    "coverage",
    "log",
    "tests",
    "test",
    "__tests__",
    "test_data",
}
EXCLUDED_FILES = {"iparam_test_data.json"}  # local `fdk run` test values (sample .gitignore)
TEST_FILE = re.compile(r"\.(?:test|spec)\.[cm]?js$")
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # reproducible archives


class InvalidAppError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def packed(root: Path, path: Path) -> bool:
    """Whether ``path`` (a file under ``root``) belongs in the zip."""
    parts = path.relative_to(root).parts
    if parts[0] not in INCLUDE:
        return False
    if any(part.startswith(".") for part in parts):  # .fdk, .git, .env, .report.json, ...
        return False
    if EXCLUDED_DIRS.intersection(parts[:-1]):
        return False
    return parts[-1] not in EXCLUDED_FILES and not TEST_FILE.search(parts[-1])


def pack_app(root: Path, out_dir: Path, *, strict: bool = False) -> Path:
    """Validate, then zip the app into ``out_dir/<app folder>.zip``."""
    report = validate_app(root, strict=strict)
    if not report.ok:
        raise InvalidAppError(report.errors)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{root.resolve().name}.zip"
    found = (
        p
        for item in INCLUDE
        if (root / item).exists()
        for p in ([root / item] if (root / item).is_file() else (root / item).rglob("*"))
    )
    paths = sorted(p for p in found if p.is_file() and packed(root, p))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return target
