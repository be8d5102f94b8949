"""Installation parameters: which exist, which are secure, and what iparams.json may say.

Sources: the v3.0 installation-page docs (INSTALL-PAGE; freshworks.dev/docs/app-sdk/v3.0/
support_company/app-settings/app-installation-page/installation-page), fdk's own error texts
(MKT-IPERR, P3-IPERR), MKT-IPARAMS, and the 2026 samples in github
freshworks-developers/configuration-page-samples. The custom page is checked in
:mod:`.settings_page`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import rules
from .js import read
from .report import Report
from .settings_page import SECRET_NAME, check_page
from .source import read_json, read_text

WHERE = "config/iparams.json"


@dataclass
class Iparams:
    """What the app declares: ``defined`` is None when any name may exist (unknown)."""

    source: str = "config"
    defined: set[str] | None = field(default_factory=set)
    secure: set[str] = field(default_factory=set)


def load_iparams(root: Path, report: Report) -> Iparams:
    config = root / "config"
    has_json = (config / "iparams.json").is_file()
    has_html = (config / "iparams.html").is_file()
    if has_json and has_html:
        # MKT-IPARAMS and the v2.3 custom settings page: only one of the two files.
        report.error("config", "has both iparams.json and iparams.html; the platform takes one")
    if has_html:
        defined, secure = check_page(root, report)
        return Iparams("config/iparams.html", defined, secure)
    if has_json:
        return _check_json(root, report)
    report.warn(
        "config", "no iparams.json or iparams.html (Freshworks' skills add `{}`; unconfirmed)"
    )
    return Iparams()


def _callbacks(root: Path) -> set[str]:
    """The global functions of config/assets/iparams.js, where change callbacks live."""
    path = root / rules.IPARAM_CALLBACKS_FILE
    if not path.is_file():
        return set()
    script = read(read_text(path))
    return {
        fn.name for fn in script.functions if fn.name and fn.parent == -1 and fn.kind != "method"
    }


def _check_json(root: Path, report: Report) -> Iparams:
    data, problem = read_json(root / "config" / "iparams.json")
    if problem or not isinstance(data, dict):
        report.error(WHERE, problem or "must be a JSON object of parameters")
        return Iparams(WHERE, None)
    callbacks = _callbacks(root)
    secure = set()
    for name, spec in data.items():
        if not name.strip():
            report.error(WHERE, "The iparam key should be a non-empty string (P3-IPERR)")
        if not isinstance(spec, dict):
            report.error(WHERE, f"parameter '{name}' must be an object")
            continue
        _check_param(name, spec, report)
        _check_choices(name, spec, report)
        _check_events(name, spec, callbacks, report)
        if spec.get("secure") is True:
            secure.add(name)
    return Iparams(WHERE, set(data), secure)


def _check_param(name: str, spec: dict[str, Any], report: Report) -> None:
    for key in ("display_name", "type"):
        if key not in spec:
            report.error(WHERE, f"parameter '{name}' needs '{key}' (installation-page docs)")
    kind = spec.get("type")
    if "type" in spec and kind not in rules.IPARAM_TYPES:
        report.error(
            WHERE,
            f"parameter '{name}': type {kind!r} is not a platform-3.0 type "
            "(domain and api_key are 2.x only; use text)",
        )
    for key in rules.IPARAM_BOOLEAN_KEYS:
        if key in spec and not isinstance(spec[key], bool):
            report.error(WHERE, f"parameter '{name}': '{key}' must be true or false (P3-IPERR)")
    if "type_attributes" in spec:
        report.warn(WHERE, f"parameter '{name}': type_attributes is 2.x (3.0 use unconfirmed)")
    if SECRET_NAME.search(name) and spec.get("secure") is not True:
        report.warn(WHERE, f"parameter '{name}' looks like a key but is not secure")


def _option_values(options: list[Any]) -> list[Any]:
    """Options are strings (INSTALL-PAGE) or {label, value} objects (MKT-IPERR)."""
    return [o.get("value") if isinstance(o, dict) else o for o in options]


def _check_choices(name: str, spec: dict[str, Any], report: Report) -> None:
    """options and default_value by type (rules.IPARAM_TYPES_WITH_OPTIONS and what follows)."""
    kind = spec.get("type")
    options = spec.get("options")
    if kind not in rules.IPARAM_TYPES_WITH_OPTIONS:
        if "options" in spec and kind in rules.IPARAM_TYPES:
            report.error(
                WHERE,
                f"parameter '{name}': options must not be specified for type {kind} (P3-IPERR)",
            )
        default = spec.get("default_value", False)
        if kind == "checkbox" and not isinstance(default, bool):
            report.error(
                WHERE,
                f"parameter '{name}': a checkbox's default_value must be true or false (P3-IPERR)",
            )
        return
    if not isinstance(options, list) or not options:
        report.error(WHERE, f"parameter '{name}': type {kind} needs an 'options' list (MKT-IPERR)")
        return
    values = _option_values(options)
    default = spec.get("default_value")
    if "default_value" not in spec:
        if kind in rules.IPARAM_DEFAULT_REQUIRED:
            report.error(
                WHERE,
                f"parameter '{name}': specify the default value for the {kind} type (MKT-IPERR)",
            )
        return
    chosen = default if kind == "multiselect" and isinstance(default, list) else [default]
    outside = [value for value in chosen if value not in values]
    if kind in rules.IPARAM_DEFAULT_REQUIRED and outside:
        report.error(
            WHERE,
            f"parameter '{name}': the default value {default!r} is not listed in the "
            "options (MKT-IPERR; compared exactly, case and spaces included)",
        )
    elif outside:
        report.warn(
            WHERE,
            f"parameter '{name}': the default value {default!r} is not among the "
            f"options (as for a dropdown, MKT-IPERR; unconfirmed for {kind})",
        )


def _check_events(name: str, spec: dict[str, Any], callbacks: set[str], report: Report) -> None:
    """events: a list of {"change": "<function>"}, a function config/assets/iparams.js defines."""
    if "events" not in spec:
        return
    events = spec["events"]
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        report.error(WHERE, f"parameter '{name}': add the events as an array of objects (P3-IPERR)")
        return
    for event in events:
        for kind, callback in event.items():
            if kind not in rules.IPARAM_EVENTS:
                report.error(
                    WHERE,
                    f"parameter '{name}': the {kind} event is not supported; only "
                    "change (P3-IPERR)",
                )
            elif not isinstance(callback, str) or callback not in callbacks:
                report.error(
                    WHERE,
                    f"parameter '{name}': the {callback} function does not exist in "
                    f"{rules.IPARAM_CALLBACKS_FILE} (P3-IPERR)",
                )
