"""Reading an app's files: tolerant decoding, JSON, and a light static search of its scripts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# Folders that are never part of the app's code (build output, dependencies, FDK state).
SKIPPED_DIRS = {"node_modules", ".fdk", ".git", "dist", "coverage", "log", "test_data", "tests"}
INVOKE = re.compile(r"invokeTemplate\s*\(\s*(['\"`])([^'\"`]+)\1")
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)


def read_text(path: Path) -> str:
    """The file's text: UTF-8 when it is, Latin-1 otherwise (which decodes any bytes)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_json(path: Path) -> tuple[Any, str | None]:
    """The parsed JSON, or ``(None, reason)``."""
    try:
        return json.loads(read_text(path)), None
    except OSError as exc:
        return None, f"cannot be read ({type(exc).__name__})"
    except ValueError as exc:
        return None, f"is not valid JSON ({exc})"


def files(root: Path, folder: str, *suffixes: str) -> list[Path]:
    """The files under ``root/folder`` with one of the suffixes, outside skipped folders."""
    base = root / folder
    if not base.is_dir():
        return []
    return sorted(
        p
        for p in base.rglob("*")
        if p.is_file()
        and p.suffix.lower() in suffixes
        and not SKIPPED_DIRS.intersection(p.relative_to(root).parts)
    )


def inline_scripts(html: str) -> str:
    """The text of the inline ``<script>`` elements of a page."""
    return "\n".join(body for attrs, body in SCRIPT_TAG.findall(html) if "src" not in attrs)


def caller_sources(root: Path) -> dict[str, list[Path]]:
    """The files whose template calls count for each caller of the placeholder rule."""
    install = files(root, "config/assets", ".js")
    if (root / "config" / "iparams.html").is_file():
        install.append(root / "config" / "iparams.html")
    return {
        "frontend": files(root, "app", ".js", ".html", ".htm"),
        "install": install,
        "server": files(root, "server", ".js"),
    }


def template_callers(root: Path) -> dict[str, dict[str, list[str]]]:
    """template name -> caller -> the files (relative) that call it by a literal name."""
    found: dict[str, dict[str, list[str]]] = {}
    for caller, paths in caller_sources(root).items():
        for path in paths:
            text = read_text(path)
            if path.suffix.lower() in (".html", ".htm"):
                text = inline_scripts(text)
            for _, name in INVOKE.findall(text):
                where = found.setdefault(name, {}).setdefault(caller, [])
                rel = path.relative_to(root).as_posix()
                if rel not in where:
                    where.append(rel)
    return found


def _string_end(js: str, start: int) -> int:
    quote, i = js[start], start + 1
    while i < len(js):
        if js[i] == "\\":
            i += 2
            continue
        if js[i] == quote or (quote != "`" and js[i] == "\n"):
            return i + 1
        i += 1
    return len(js)


def block_at(js: str, open_brace: int) -> str:
    """The text between the brace at ``open_brace`` and its match (strings skipped)."""
    depth, i = 0, open_brace
    while i < len(js):
        ch = js[i]
        if ch in "'\"`":
            i = _string_end(js, i)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return js[open_brace + 1 : i]
        i += 1
    return js[open_brace + 1 :]
