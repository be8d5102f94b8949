"""Serverless declarations: where SMI functions and events may be declared, and timeouts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from upsales_freshdesk.appkit.validate import validate_app

from .helpers import Edit, edit_json, edit_text


def modules(change: Callable[[dict[str, Any]], None]) -> Edit:
    return edit_json("manifest.json", lambda d: change(d["modules"]))


def timeout(value: Any) -> Edit:
    return modules(lambda m: m["common"]["functions"].update(lookupContact={"timeout": value}))


def move_event(event: str, source: str, target: str) -> Edit:
    def change(m: dict[str, Any]) -> None:
        m.setdefault(target, {}).setdefault("events", {})[event] = m[source]["events"].pop(event)

    return modules(change)


REJECTED: dict[str, tuple[Edit, str]] = {
    "timeout over 30 s": (
        timeout(45),
        "modules.common.functions.lookupContact.timeout is at most 30 s, not 45 (MKT-SMI: "
        "20, 25, 30)",
    ),
    "timeout as text": (
        timeout("20"),
        "modules.common.functions.lookupContact.timeout is a positive whole number of seconds "
        "(MKT-SMI)",
    ),
    "timeout of zero": (
        timeout(0),
        "modules.common.functions.lookupContact.timeout is a positive whole number of seconds",
    ),
    "functions under a product module": (
        modules(lambda m: m["support_contact"].update(functions=m["common"].pop("functions"))),
        "modules.support_contact.functions: SMI functions are declared under "
        "modules.common.functions (SMI docs; MKT-MANIFEST)",
    ),
    "a function name with a dash": (
        edit_json(
            "manifest.json",
            lambda d: d["modules"]["common"]["functions"].update({"look-up": {}}),
        ),
        "modules.common.functions.look-up: a function name has 2 to 40 letters, digits or _",
    ),
    "a product event under common": (
        move_event("onContactCreate", "support_contact", "common"),
        "modules.common.events.onContactCreate: onContactCreate is a product event; it is "
        "declared under its module's events: modules.support_contact.events (MKT-EVENTS)",
    ),
    "an app set-up event under a product module": (
        move_event("onAppInstall", "common", "support_contact"),
        "modules.support_contact.events.onAppInstall: onAppInstall is an app set-up, external "
        "or scheduled event; it is declared under modules.common.events (MKT-EVENTS)",
    ),
    "another module's product event": (
        move_event("onContactCreate", "support_contact", "support_ticket"),
        "modules.support_ticket.events.onContactCreate: support_ticket has no event "
        "onContactCreate (MKT-EVENTS); it belongs to support_contact",
    ),
    "an event where the module has none": (
        move_event("onContactCreate", "support_contact", "support_email"),
        "modules.support_email.events.onContactCreate: support_email has no event",
    ),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_each_serverless_rule_rejects_its_breakage(
    copy_app: Callable[[str], Path], case: str
) -> None:
    breakage, expected = REJECTED[case]
    root = copy_app("serverless")
    assert validate_app(root, strict=True).errors == []
    breakage(root)
    errors = validate_app(root).errors
    assert any(e.startswith(f"manifest.json: {expected}") for e in errors), errors


@pytest.mark.parametrize("seconds", [20, 25, 30])
def test_the_listed_timeouts_pass(copy_app: Callable[[str], Path], seconds: int) -> None:
    root = copy_app("serverless")
    timeout(seconds)(root)
    report = validate_app(root, strict=True)
    assert report.errors == []
    assert not any("timeout" in w for w in report.warnings)


@pytest.mark.parametrize("seconds", [10, 15])
def test_timeouts_the_sources_disagree_on_only_warn(
    copy_app: Callable[[str], Path], seconds: int
) -> None:
    root = copy_app("serverless")
    timeout(seconds)(root)
    report = validate_app(root, strict=True)
    assert report.errors == []
    assert any(
        f"lookupContact.timeout {seconds}: MKT-SMI lists 20, 25, 30 s" in w
        and "the sources disagree" in w
        for w in report.warnings
    )


def test_product_events_in_their_own_module_pass_and_unknown_ones_warn(
    copy_app: Callable[[str], Path],
) -> None:
    root = copy_app("serverless")
    modules(
        lambda m: m.update(
            support_ticket={"events": {"onTicketCreate": {"handler": "onContactCreateHandler"}}},
            deal={"events": {"onDealCreate": {"handler": "onContactCreateHandler"}}},
        )
    )(root)
    modules(lambda m: m["support_contact"]["events"].update(onContactMerge={"handler": "x"}))(root)
    edit_text("server/server.js", "lookupContact:", "x: function () {},\n  lookupContact:")(root)
    report = validate_app(root)
    assert report.errors == []
    assert (
        "manifest.json: modules.deal.events.onDealCreate: the events of deal are not confirmed"
        in (report.warnings)
    )
    assert (
        "manifest.json: modules.support_contact.events.onContactMerge: not a documented event of "
        "support_contact (unconfirmed)"
    ) in report.warnings
