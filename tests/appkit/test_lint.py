"""fdk's lint in the app's own scripts: each rule finds its breakage and leaves the fixed code
alone; lint errors warn, and fail only with --strict; fdk's lint warnings never fail."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from upsales_freshdesk.appkit.lint import lint_script, minified
from upsales_freshdesk.appkit.rules import LINT_RULES
from upsales_freshdesk.appkit.validate import validate_app

from .helpers import write

# rule -> (code it reports, the same code fixed, the line and text of the report)
CASES: dict[str, tuple[str, str, str]] = {
    "no-unused-vars": (
        "function total(items, currency) {\n  const sum = items.length;\n  return 0;\n}\n",
        "function total(items) {\n  const sum = items.length;\n  return sum;\n}\n",
        "1: 'currency' is defined but never used",
    ),
    "no-empty-function": (
        "function later(items) {\n  return items.map(() => {});\n}\n",
        "function later(items) {\n  return items.map(() => {\n    // nothing yet\n  });\n}\n",
        "2: Unexpected empty arrow function",
    ),
    "no-unreachable": (
        "function pick(items) {\n  return items[0];\n  items.pop();\n}\n",
        "function pick(items) {\n  items.pop();\n  return items[0];\n}\n",
        "3: Unreachable code",
    ),
    "require-await": (
        "async function load(client) {\n  return client.data.get('ticket');\n}\n",
        "async function load(client) {\n  return await client.data.get('ticket');\n}\n",
        "1: Async function 'load' has no 'await' expression",
    ),
    "no-eq-null": (
        "function empty(value) {\n  return value == null;\n}\n",
        "function empty(value) {\n  return value === null || value === undefined;\n}\n",
        "2: Use '===' to compare with null",
    ),
    "for-direction": (
        "function count(n) {\n  for (let i = 0; i < n; i--) {\n    n -= 1;\n  }\n}\n",
        "function count(n) {\n  for (let i = 0; i < n; i++) {\n    n -= 1;\n  }\n}\n",
        "2: The update clause in this loop moves the variable in the wrong direction",
    ),
    "no-new-native-nonconstructor": (
        "function key() {\n  return new Symbol('key');\n}\n",
        "function key() {\n  return Symbol('key');\n}\n",
        "2: 'Symbol' cannot be called as a constructor",
    ),
    "no-debugger": (
        "function go() {\n  debugger;\n  return 1;\n}\n",
        "function go() {\n  return 1;\n}\n",
        "2: Unexpected 'debugger' statement",
    ),
    "no-eval": (
        "function run(code) {\n  return window.eval(code);\n}\n",
        "function run(code) {\n  return JSON.parse(code);\n}\n",
        "2: eval can be harmful",
    ),
    "no-alert": (
        "function ask() {\n  return confirm('Sure?');\n}\n",
        "function ask(client) {\n  return client.interface.trigger('showConfirm', {});\n}\n",
        "2: Unexpected confirm",
    ),
}
WARNINGS: dict[str, tuple[str, str, str]] = {
    "max-nested-callbacks": (
        "a(() => {\n  b(() => {\n    c(() => {\n      d(() => {\n        e(() => {\n"
        "          go();\n        });\n      });\n    });\n  });\n});\n",
        "a(() => {\n  b(() => {\n    c(() => {\n      d(() => {\n        go();\n      });\n"
        "    });\n  });\n});\n",
        "5: Too many nested callbacks (5). Maximum allowed is 4",
    ),
    "handle-callback-err": (
        "load(function (err, data) {\n  show(data);\n});\n",
        "load(function (err, data) {\n  show(err || data);\n});\n",
        "1: Expected error to be handled",
    ),
}


def test_every_rule_has_a_case_and_a_level() -> None:
    assert set(CASES) | set(WARNINGS) == set(LINT_RULES)
    assert {LINT_RULES[r] for r in CASES} == {"error"}
    assert {LINT_RULES[r] for r in WARNINGS} == {"warning"}


@pytest.mark.parametrize("rule", list(CASES))
def test_a_lint_error_warns_and_fails_only_with_strict(
    copy_app: Callable[[str], Path], rule: str
) -> None:
    bad, good, expected = CASES[rule]
    root = copy_app("serverless")
    write("app/extra.js", bad)(root)
    report = validate_app(root)
    message = f"app/extra.js:{expected} ({rule}, an fdk lint error)"
    assert report.ok
    assert message in report.warnings
    assert message in validate_app(root, strict=True).errors
    write("app/extra.js", good)(root)
    assert validate_app(root, strict=True).errors == []
    assert not any(rule in w for w in validate_app(root).warnings)


@pytest.mark.parametrize("rule", list(WARNINGS))
def test_an_fdk_lint_warning_never_fails(copy_app: Callable[[str], Path], rule: str) -> None:
    bad, good, expected = WARNINGS[rule]
    root = copy_app("serverless")
    write("app/extra.js", bad)(root)
    message = f"app/extra.js:{expected} ({rule}, an fdk lint warning)"
    strict = validate_app(root, strict=True)
    assert strict.errors == []
    assert message in strict.warnings
    write("app/extra.js", good)(root)
    assert not any(rule in w for w in validate_app(root).warnings)


def test_server_and_settings_scripts_are_linted(copy_app: Callable[[str], Path]) -> None:
    root = copy_app("serverless")
    write("server/helpers.js", CASES["no-unused-vars"][0])(root)
    write("config/assets/page.js", CASES["no-unreachable"][0])(root)
    write("app/node_modules/lib/index.js", CASES["no-eval"][0])(root)  # not the app's own
    errors = validate_app(root, strict=True).errors
    assert {e.split(":")[0] for e in errors} == {"config/assets/page.js", "server/helpers.js"}


def test_eslint_comments_turn_rules_off_as_fdk_allows() -> None:
    src = (
        "/* eslint no-alert: off */\n"
        "alert('a');\n"
        "// eslint-disable-next-line no-eval\n"
        "eval('b');\n"
        "eval('c'); // eslint-disable-line no-eval -- generated\n"
        "/* eslint-disable */\n"
        "debugger;\n"
        "/* eslint-enable */\n"
        "eval('d');\n"
        "// eslint-disable-next-line no-unused-vars\n"
        "eval('e');\n"
    )
    assert [(f.rule, f.line) for f in lint_script(src)] == [("no-eval", 9), ("no-eval", 11)]


def test_minified_files_skip_unused_and_empty_but_not_the_rest() -> None:
    src = "function f(a,b){return a}\nfunction g(){}\neval('x');\n"
    assert minified(src)
    assert [f.rule for f in lint_script(src)] == ["no-eval"]
    spread = "function f(a, b) {\n  return a;\n}\n"
    assert not minified(spread)
    assert [f.rule for f in lint_script(spread)] == ["no-unused-vars"]


@pytest.mark.parametrize(
    "src",
    [
        # names read in templates, shorthand properties and default parameters are used
        "function f(x) {\n  const y = 1;\n  return `${x}: ${`${y}`}`;\n}\n",
        "function f() {\n  const name = 1;\n  return { name };\n}\n",
        "function f(a, b = a) {\n  return b;\n}\n",
        # a parameter before a used one keeps its place (args: after-used)
        "items.map((item, index) => index);\n",
        # catch parameters, setters and hoisted functions after a return are fdk's defaults
        "function f() {\n  try {\n    g();\n  } catch (error) {\n    return 1;\n  }\n"
        "  return 2;\n}\n",
        "const o = {\n  set v(value) {\n    this.seen = true;\n  },\n};\n",
        "function f() {\n  return g();\n  function g() {\n    return 1;\n  }\n}\n",
        # a return on its own line ends only when the next line cannot continue it
        "function f(p) {\n  return p\n    .then((r) => r)\n    .catch(() => null);\n}\n",
        "function f(x) {\n  if (x) return 1;\n  return 2;\n}\n",
        # a comment in an empty function says why
        "function f() {\n  // the platform calls this; nothing to do\n}\n",
        # an app's own function named like a dialog is no alert
        "function prompt(text) {\n  return text;\n}\nprompt('x');\n",
    ],
)
def test_code_fdk_accepts_is_not_reported(src: str) -> None:
    assert lint_script(src) == []
