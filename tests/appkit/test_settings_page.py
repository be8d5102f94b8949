"""The custom settings page: the functions the platform calls, and what validate() answers.

A `return` inside a `.then(...)` callback is the callback's, never validate()'s own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from upsales_freshdesk.appkit.validate import validate_app

from .helpers import write

PAGE = "config/assets/settings.js"
CONTRACT = """function value(id) {
  return document.getElementById(id).value;
}

function postConfigs() {
  return { domain: value('domain'), apiKey: value('apiKey'), __meta: { secure: ['apiKey'] } };
}

function getConfigs(configs) {
  document.getElementById('domain').value = configs.domain || '';
}

"""

# validate() bodies whose answer is a boolean, though callbacks in them return other things.
ANSWERS_A_BOOLEAN = {
    "a callback's default parameter calls a function": """function validate() {
  return check().then(function (r = fallback()) {
    return `${r.response}`;
  }).then((text) => text.length > 0);
}""",
    "a callback resolves a Promise with an object": """function validate() {
  return check().then((r) => Promise.resolve({ ok: r.ok })).then((v) => v.ok === true);
}""",
    "a regular expression with a brace": """function validate() {
  return check().then((r) => {
    if (/}$/.test(r.response)) {
      return 'closed';
    }
    return r.status === 200;
  }).then((answer) => answer === true);
}""",
    "a comment with a brace": """function validate() {
  return check().then(function (r) {
    // a body ends with }
    return `${r.response}`;
  }).then((text) => text.length > 0);
}""",
    "async with await": """async function validate() {
  const response = await check();
  return response.status === 200;
}""",
    "an executor's resolve, not Promise.resolve": """function validate() {
  return new Promise(function (resolve) {
    check().then(() => Promise.resolve('ignored')).then(() => resolve(true), () => resolve(false));
  });
}""",
    "an arrow answering at once": "const validate = () => Boolean(value('domain'));",
}
ANSWERS_SOMETHING_ELSE = {
    "a message": ("function validate() {\n  return 'Enter a domain';\n}", "'Enter a domain'"),
    "Promise.resolve of an object": (
        "function validate() {\n  return Promise.resolve({ ok: true });\n}",
        "{ ok: true }",
    ),
    "an arrow answering an object": ("const validate = () => ({ ok: true });", "{ ok: true }"),
    "nothing": ("function validate() {\n  check();\n}", "undefined (it returns nothing)"),
    "a bare return": ("function validate() {\n  return\n    true;\n}", "undefined"),
    "an executor resolving a string": (
        "function validate() {\n  return new Promise((done) => {\n    done('no');\n  });\n}",
        "'no'",
    ),
}


@pytest.mark.parametrize("case", list(ANSWERS_A_BOOLEAN))
def test_returns_inside_callbacks_are_not_validates_own(
    copy_app: Callable[[str], Path], case: str
) -> None:
    root = copy_app("custom_page")
    write(PAGE, CONTRACT + ANSWERS_A_BOOLEAN[case] + "\n")(root)
    assert validate_app(root).errors == []


@pytest.mark.parametrize("case", list(ANSWERS_SOMETHING_ELSE))
def test_validate_answering_something_else_is_refused(
    copy_app: Callable[[str], Path], case: str
) -> None:
    code, shown = ANSWERS_SOMETHING_ELSE[case]
    root = copy_app("custom_page")
    write(PAGE, CONTRACT + code + "\n")(root)
    errors = validate_app(root).errors
    assert len(errors) == 1
    assert errors[0].startswith("config/iparams.html: validate() must return or resolve to true")
    assert shown in errors[0]


@pytest.mark.parametrize("missing", ["getConfigs", "validate"])
def test_a_missing_get_configs_or_validate_warns_as_the_sources_disagree(
    copy_app: Callable[[str], Path], missing: str
) -> None:
    root = copy_app("custom_page")
    code = CONTRACT + "function validate() {\n  return true;\n}\n"
    write(PAGE, code.replace(f"function {missing}(", "function unused("))(root)
    report = validate_app(root)
    assert report.ok
    assert any(
        w.startswith(f"config/iparams.html: no {missing}(): fdk's error text calls")
        and "the sources disagree" in w
        for w in report.warnings
    )


def test_the_functions_must_be_where_the_platform_calls_them(
    copy_app: Callable[[str], Path],
) -> None:
    root = copy_app("custom_page")
    hidden = (
        "(function () {\n" + CONTRACT + "  function validate() {\n    return true;\n  }\n})();\n"
    )
    write(PAGE, hidden)(root)
    warnings = validate_app(root).warnings
    for name in ("postConfigs", "getConfigs", "validate"):
        assert (
            f"config/iparams.html: {name}() is defined inside another function or object"
            in " ".join(warnings)
        )
    exposed = hidden.replace("function postConfigs()", "window.postConfigs = function ()")
    write(PAGE, exposed)(root)
    warnings = validate_app(root).warnings
    assert not any("postConfigs() is defined inside" in w for w in warnings)
