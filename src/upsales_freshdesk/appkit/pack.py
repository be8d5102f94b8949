"""Builds the uploadable zip of the Freshworks app (what ``fdk pack`` would make)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .validate import validate_app

INCLUDE = ("manifest.json", "app", "config", "README.md")
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # reproducible archives


class InvalidAppError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def pack_app(root: Path, out_dir: Path) -> Path:
    """Validate, then zip the app into ``out_dir/<app folder>.zip``."""
    report = validate_app(root)
    if not report.ok:
        raise InvalidAppError(report.errors)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{root.resolve().name}.zip"
    files = sorted(
        p
        for item in INCLUDE
        if (root / item).exists()
        for p in ([root / item] if (root / item).is_file() else (root / item).rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return target
