"""iparams.json: each type's options and default, booleans, and change events with callbacks.

The dynamic_iparams fixture app uses every platform-3.0 type: a dropdown of strings and one of
{label, value} objects, a radio, a multiselect, a checkbox, and change callbacks in
config/assets/iparams.js.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from upsales_freshdesk.appkit.validate import validate_app

from .helpers import Edit, edit_json, remove, write


def param(name: str, **changes: Any) -> Edit:
    return edit_json("config/iparams.json", lambda d: d[name].update(changes))


def drop(name: str, key: str) -> Edit:
    return edit_json("config/iparams.json", lambda d: d[name].pop(key))


REJECTED: dict[str, tuple[Edit, str]] = {
    "dropdown without options": (
        drop("region", "options"),
        "parameter 'region': type dropdown needs an 'options' list (MKT-IPERR)",
    ),
    "empty options": (
        param("mode", options=[]),
        "parameter 'mode': type radio needs an 'options' list",
    ),
    "options on a text": (
        param("domain", options=["a", "b"]),
        "parameter 'domain': options must not be specified for type text (P3-IPERR)",
    ),
    "dropdown without a default": (
        drop("region", "default_value"),
        "parameter 'region': specify the default value for the dropdown type (MKT-IPERR)",
    ),
    "dropdown default not an option": (
        param("region", default_value="EU"),
        "parameter 'region': the default value 'EU' is not listed in the options",
    ),
    "dropdown default is a label": (
        param("level", default_value="Informational"),
        "parameter 'level': the default value 'Informational' is not listed in the options",
    ),
    "checkbox default a string": (
        param("archive", default_value="false"),
        "parameter 'archive': a checkbox's default_value must be true or false (P3-IPERR)",
    ),
    "required a string": (
        param("domain", required="yes"),
        "parameter 'domain': 'required' must be true or false (P3-IPERR)",
    ),
    "events not a list": (
        param("domain", events={"change": "domainChange"}),
        "parameter 'domain': add the events as an array of objects (P3-IPERR)",
    ),
    "an event other than change": (
        param("domain", events=[{"blur": "domainChange"}]),
        "parameter 'domain': the blur event is not supported; only change (P3-IPERR)",
    ),
    "a callback iparams.js lacks": (
        param("domain", events=[{"change": "checkDomain"}]),
        "parameter 'domain': the checkDomain function does not exist in "
        "config/assets/iparams.js (P3-IPERR)",
    ),
    "callbacks without iparams.js": (
        remove("config/assets/iparams.js"),
        "parameter 'archive': the archiveChange function does not exist",
    ),
    "a callback nested in another function": (
        write(
            "config/assets/iparams.js",
            "function domainChange() {\n  utils.set('domain', {});\n}\n(function () {\n"
            "  function archiveChange() {\n    utils.set('limit', {});\n  }\n"
            "  utils.set('archive', { onchange: archiveChange });\n})();\n",
        ),
        "the archiveChange function does not exist",
    ),
    "an empty key": (
        edit_json("config/iparams.json", lambda d: d.update({"": d["since"]})),
        "The iparam key should be a non-empty string (P3-IPERR)",
    ),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_each_iparams_rule_rejects_its_breakage(copy_app: Callable[[str], Path], case: str) -> None:
    breakage, expected = REJECTED[case]
    root = copy_app("dynamic_iparams")
    assert validate_app(root, strict=True).errors == []
    breakage(root)
    errors = validate_app(root).errors
    assert any(e == f"config/iparams.json: {expected}" or expected in e for e in errors), errors


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (param("mode", default_value="slow"), "'mode': the default value 'slow' is not among"),
        (param("channels", default_value=["sms"]), "unconfirmed for multiselect"),
    ],
)
def test_a_default_outside_the_options_of_a_radio_or_multiselect_only_warns(
    copy_app: Callable[[str], Path], breakage: Edit, expected: str
) -> None:
    root = copy_app("dynamic_iparams")
    breakage(root)
    report = validate_app(root)
    assert report.ok
    assert any(expected in w for w in report.warnings), report.warnings


def test_defaults_are_compared_with_option_values_exactly(copy_app: Callable[[str], Path]) -> None:
    root = copy_app("dynamic_iparams")
    param("level", default_value="debug")(root)
    param("channels", default_value=["chat", "email"])(root)
    param("archive", default_value=True)(root)
    assert validate_app(root).errors == []
