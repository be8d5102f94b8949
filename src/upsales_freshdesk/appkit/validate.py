"""A check of a Freshworks app (platform 3.0) for when the FDK CLI is not at hand.

Errors are the platform's documented rules and runtime failures; warnings are rules we could
not confirm or whose sources disagree, and never fail. fdk's lint errors warn too, since the
sources disagree on whether they block an upload. ``strict=True`` adds this project's own
preferences as errors (pinned engines, no console, no CDN scripts but Crayons, no inline scripts
or handlers, every template used) and makes lint errors fail. The rules and their sources live
in :mod:`.rules` and in the modules that check them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import manifest as manifest_checks
from .iparams import Iparams, load_iparams
from .oauth import load_oauth
from .pages import check_pages
from .report import Report
from .scripts import check_scripts
from .serverless import check_serverless
from .source import read_json, template_callers
from .templates import check_templates

__all__ = ["Report", "secure_params", "validate_app"]


def secure_params(root: Path) -> set[str]:
    """The secure installation parameters the app declares (iparams.json or __meta.secure)."""
    return load_iparams(root, Report()).secure


def _read_requests(root: Path, report: Report) -> dict[str, Any]:
    path = root / "config" / "requests.json"
    if not path.is_file():
        return {}  # optional: apps without request templates have none (MKT SKILL file table)
    data, problem = read_json(path)
    if problem or not isinstance(data, dict):
        report.error("config/requests.json", problem or "must be an object of templates")
        return {}
    return data


def _check_references(
    declared: set[str],
    templates: dict[str, Any],
    callers: dict[str, dict[str, list[str]]],
    report: Report,
) -> None:
    defined = set(templates)
    for name in sorted(declared - defined):
        report.error(
            "manifest.json",
            f"modules.common.requests.{name} is not defined in config/requests.json",
        )
    for name in sorted(defined - declared):
        report.error(
            "config/requests.json",
            f"template '{name}' is not declared in manifest.json modules.common.requests "
            "(the platform rejects calls to it)",
        )
    for name in sorted(set(callers) - defined):
        where = next(iter(callers[name].values()))[0]
        report.error(where, f"calls template '{name}', which config/requests.json does not define")
    for name in sorted(defined - set(callers)):
        report.prefer("config/requests.json", f"template '{name}' is never called")


def validate_app(root: Path, *, strict: bool = False) -> Report:
    report = Report(strict=strict)
    manifest, problem = read_json(root / "manifest.json")
    if problem or not isinstance(manifest, dict):
        report.error("manifest.json", problem or "must be a JSON object")
        return report
    modules = manifest_checks.check_top(manifest, report)
    manifest_checks.check_engines(manifest, report)
    declared = manifest_checks.declared_requests(modules, report)
    pages = []
    for where, spec in manifest_checks.locations(modules, report):
        page = manifest_checks.check_location(root, where, spec, report)
        if page is not None:
            pages.append(page)
    check_serverless(root, modules, report)
    iparams: Iparams = load_iparams(root, report)
    integrations = load_oauth(root, report)
    templates = _read_requests(root, report)
    callers = template_callers(root)
    check_templates(templates, iparams, callers, integrations, report)
    _check_references(declared, templates, callers, report)
    check_pages(root, pages, report)
    check_scripts(root, iparams.secure, report)
    return report
