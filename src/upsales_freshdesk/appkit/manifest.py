"""manifest.json (platform 3.0): modules, locations, requests and engines.

Functions and events are checked in :mod:`.serverless`.

Sources: the bitly tutorial (developers.freshworks.com/docs/tutorials/intermediate/
bitly-built-with-modules/declaring-manifest/), the v3.0 placeholders pages, MKT manifest-docs.md
(github freshworks-developers/marketplace, skills/app-dev/references/manifest/manifest-docs.md),
P3-LOC (github freshworks-developers/freshworks-platform3, .cursor/rules/
platform3-modules-locations.mdc) and RMS (freshworks-developers/request-method-samples).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from . import rules
from .report import Report

WHERE = "manifest.json"
SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$")


def check_top(manifest: dict[str, Any], report: Report) -> dict[str, Any]:
    """The top-level keys; returns ``modules`` (an empty dict when it is unusable)."""
    if manifest.get("platform-version") != "3.0":
        report.error(WHERE, 'platform-version must be "3.0" (tutorial: declaring the manifest)')
    for legacy in ("product", "whitelisted-domains"):
        if legacy in manifest:
            report.error(WHERE, f"'{legacy}' is not allowed on platform 3.0 (MKT manifest-docs)")
    modules = manifest.get("modules")
    if not isinstance(modules, dict) or not modules:
        report.error(WHERE, "'modules' must be an object of modules (platform 3.0)")
        return {}
    if not set(modules) - {"common"}:
        report.warn(WHERE, "no product module; Freshworks' rules ask for one, even {} (P3-LOC)")
    for name, module in modules.items():
        if not isinstance(module, dict):
            report.error(WHERE, f"modules.{name} must be an object")
    return {k: v for k, v in modules.items() if isinstance(v, dict)}


def check_engines(manifest: dict[str, Any], report: Report) -> None:
    engines = manifest.get("engines")
    if engines is None:
        report.warn(WHERE, "no 'engines'; `fdk validate` adds them (MKT manifest-docs)")
        engines = {}
    if not isinstance(engines, dict):
        report.error(WHERE, "'engines' must be an object of node and fdk versions")
        return
    minimum = {"node": (18, 0), "fdk": (9, 6)}  # MKT pack-command.md: publishing needs these
    for key, floor in minimum.items():
        value = engines.get(key)
        if value is None:
            continue
        match = SEMVER.match(value) if isinstance(value, str) else None
        if match is None:
            report.error(WHERE, f"engines.{key} must be a version string like 1.2.3")
        elif (int(match.group(1)), int(match.group(2))) < floor:
            report.warn(WHERE, f"engines.{key} {value} is older than publishing accepts")
    if engines.get("node") != rules.PINNED_NODE:
        report.prefer(WHERE, f"engines.node must be {rules.PINNED_NODE}")
    if not str(engines.get("fdk", "")).startswith(rules.PINNED_FDK_MAJOR):
        report.prefer(WHERE, f"engines.fdk must be {rules.PINNED_FDK_MAJOR}x")


def declared_requests(modules: dict[str, Any], report: Report) -> set[str]:
    """The names under ``modules.common.requests``; each value must be ``{}`` (RMS UserGuide)."""
    declared = modules.get("common", {}).get("requests", {})
    if not isinstance(declared, dict):
        report.error(WHERE, "modules.common.requests must be an object of template names")
        return set()
    for name, value in declared.items():
        if value != {}:
            report.error(
                WHERE,
                f"modules.common.requests.{name} must be {{}}; options belong in "
                "config/requests.json (RMS UserGuide)",
            )
    return set(declared)


def locations(modules: dict[str, Any], report: Report) -> list[tuple[str, dict[str, Any]]]:
    """``(where, spec)`` of every declared location whose name is acceptable."""
    found: list[tuple[str, dict[str, Any]]] = []
    for module, body in modules.items():
        declared = body.get("location", {})
        if not isinstance(declared, dict):
            report.error(WHERE, f"modules.{module}.location must be an object")
            continue
        for name, spec in declared.items():
            where = f"modules.{module}.location.{name}"
            if not _known_location(module, name, where, report):
                continue
            if isinstance(spec, dict):
                found.append((where, spec))
            else:
                report.error(WHERE, f"{where} must be an object with url and icon")
    return found


def _known_location(module: str, name: str, where: str, report: Report) -> bool:
    if module == "common":
        if name in rules.COMMON_LOCATIONS:
            return True
        home = [m for m, names in rules.MODULE_LOCATIONS.items() if name in names]
        hint = f"; it belongs under modules.{home[0]}" if home else ""
        report.error(WHERE, f"{where}: not a common placeholder (v3.0 placeholders){hint}")
        return False
    if module in rules.MODULE_LOCATIONS:
        if name in rules.MODULE_LOCATIONS[module]:
            return True
        hint = "; it belongs under modules.common" if name in rules.COMMON_LOCATIONS else ""
        report.error(WHERE, f"{where}: unknown placeholder for {module} (v3.0 placeholders){hint}")
        return False
    if module in rules.OTHER_MODULES:
        report.warn(WHERE, f"{where}: the placeholders of {module} are not confirmed")
    else:
        report.warn(WHERE, f"{where}: unknown module '{module}' (unconfirmed)")
    return True


def app_path(value: Any) -> str | None:
    """A location path inside ``app/`` (query and fragment dropped), or None when outside."""
    if not isinstance(value, str) or not value.strip():
        return None
    clean = re.split(r"[?#]", value, maxsplit=1)[0]
    pure = PurePosixPath(clean)
    if "://" in value or clean.startswith(("/", "\\")) or ".." in pure.parts or ":" in clean:
        return None
    return clean


def check_location(root: Path, where: str, spec: dict[str, Any], report: Report) -> str | None:
    """The url and icon of one location (paths relative to app/); returns the page path."""
    page = app_path(spec.get("url"))
    if page is None:
        report.error(WHERE, f"{where}.url must be a path inside app/ (tutorial; P3-LOC)")
    elif not (root / "app" / page).is_file():
        report.error(WHERE, f"{where}.url: app/{page} does not exist")
        page = None
    if "icon" not in spec:
        if not where.endswith("_background"):
            report.warn(WHERE, f"{where}: no icon (only background placeholders omit it)")
        return page
    icon = app_path(spec["icon"])
    if icon is None:
        report.error(WHERE, f"{where}.icon must be a path inside app/ (tutorial; P3-LOC)")
    elif not icon.lower().endswith(rules.IMAGE_SUFFIXES):
        report.error(WHERE, f"{where}.icon: {icon} is not an image (svg, png, jpg, gif)")
    elif not (root / "app" / icon).is_file():
        report.error(WHERE, f"{where}.icon: app/{icon} does not exist")
    elif not icon.lower().endswith(".svg"):
        report.warn(WHERE, f"{where}.icon: only SVG icons are confirmed (v2 app-locations docs)")
    return page
