"""Serverless declarations in manifest.json: SMI functions (where, names, timeouts), events (which
module may declare which), and their handlers in server/server.js.

Sources: rules.SMI_*, COMMON_EVENTS and PRODUCT_EVENTS (SMI-DOCS, MKT-SMI, MKT-MANIFEST,
MKT-EVENTS), and MKT manifest-docs.md for the handlers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import rules
from .report import Report
from .source import read_text

WHERE = "manifest.json"
FUNCTION_KEYS = ("timeout",)


def _check_function(module: str, name: str, spec: Any, report: Report) -> None:
    where = f"modules.{module}.functions.{name}"
    if not re.fullmatch(rules.SMI_NAME, name):
        report.error(
            WHERE,
            f"{where}: a function name has 2 to 40 letters, digits or _, and does not start "
            "with a digit (MKT-SMI)",
        )
    if not isinstance(spec, dict):
        report.error(WHERE, f'{where} must be an object: {{}} or {{"timeout": 20}}')
        return
    for key in sorted(set(spec) - set(FUNCTION_KEYS)):
        report.warn(WHERE, f"{where}: '{key}' is not documented (unconfirmed)")
    if "timeout" not in spec:
        return
    timeout = spec["timeout"]
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
        report.error(WHERE, f"{where}.timeout is a positive whole number of seconds (MKT-SMI)")
    elif timeout > rules.SMI_TIMEOUT_MAX:
        report.error(
            WHERE,
            f"{where}.timeout is at most {rules.SMI_TIMEOUT_MAX} s, not {timeout} (MKT-SMI: "
            f"{', '.join(map(str, rules.SMI_TIMEOUTS))})",
        )
    elif timeout not in rules.SMI_TIMEOUTS:
        report.warn(
            WHERE,
            f"{where}.timeout {timeout}: MKT-SMI lists "
            f'{", ".join(map(str, rules.SMI_TIMEOUTS))} s ("Timeout should be one of the allowed '
            'values"), yet its own examples use 10 and 15; the sources disagree',
        )


def _check_event(module: str, event: str, report: Report) -> None:
    """Set-up, external and scheduled events under common; product events under their module."""
    where = f"modules.{module}.events.{event}"
    homes = [m for m, events in rules.PRODUCT_EVENTS.items() if event in events]
    if event in rules.COMMON_EVENTS:
        if module != "common":
            report.error(
                WHERE,
                f"{where}: {event} is an app set-up, external or scheduled event; it is declared "
                "under modules.common.events (MKT-EVENTS)",
            )
    elif module == "common":
        if homes:
            report.error(
                WHERE,
                f"{where}: {event} is a product event; it is declared under its module's "
                f"events: modules.{homes[0]}.events (MKT-EVENTS)",
            )
        else:
            report.warn(WHERE, f"{where}: not a documented common event (unconfirmed)")
    elif module in rules.PRODUCT_EVENTS:
        if event in rules.PRODUCT_EVENTS[module]:
            return
        if homes or not rules.PRODUCT_EVENTS[module]:
            where_else = f"; it belongs to {', '.join(homes)}" if homes else ""
            report.error(WHERE, f"{where}: {module} has no event {event} (MKT-EVENTS){where_else}")
        else:
            report.warn(WHERE, f"{where}: not a documented event of {module} (unconfirmed)")
    else:
        report.warn(WHERE, f"{where}: the events of {module} are not confirmed")


def _declared(modules: dict[str, Any], report: Report) -> list[tuple[str, str]]:
    """(where, handler) of every declared function and event, checked on the way."""
    wanted: list[tuple[str, str]] = []
    for module, body in modules.items():
        functions = body.get("functions")
        if functions is not None and not isinstance(functions, dict):
            report.error(WHERE, f"modules.{module}.functions must be an object of functions")
        elif functions is not None:
            if module != "common":
                report.error(
                    WHERE,
                    f"modules.{module}.functions: SMI functions are declared under "
                    "modules.common.functions (SMI docs; MKT-MANIFEST)",
                )
            for name, spec in functions.items():
                _check_function(module, name, spec, report)
                wanted.append((f"modules.{module}.functions.{name}", name))
        events = body.get("events", {})
        for event, spec in events.items() if isinstance(events, dict) else []:
            _check_event(module, event, report)
            handler = spec.get("handler") if isinstance(spec, dict) else None
            if not isinstance(handler, str):
                report.error(WHERE, f"modules.{module}.events.{event} needs a handler name")
                continue
            wanted.append((f"modules.{module}.events.{event}", handler))
    return wanted


def check_serverless(root: Path, modules: dict[str, Any], report: Report) -> None:
    """Declared SMI functions and event handlers need server/server.js (MKT manifest-docs)."""
    wanted = _declared(modules, report)
    if not wanted:
        return
    server = root / "server" / "server.js"
    if not server.is_file():
        report.error(WHERE, f"{wanted[0][0]} is declared, but server/server.js does not exist")
        return
    text = read_text(server)
    for where, name in wanted:
        if not re.search(rf"\b{re.escape(name)}\b", text):
            report.error(WHERE, f"{where}: server/server.js does not define {name}")
