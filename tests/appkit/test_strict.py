"""`--strict` adds the project's preferences as errors, and fdk's lint errors; without it they
pass (or, for lint, only warn)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from upsales_freshdesk.appkit.validate import validate_app

from .helpers import Edit, edit_json, edit_text, write


def add_unused_template(root: Path) -> None:
    edit_json("config/requests.json", lambda d: d.update(spare=d["syncContact"]))(root)
    edit_json("manifest.json", lambda d: d["modules"]["common"]["requests"].update(spare={}))(root)


PREFERENCES: dict[str, tuple[str, Edit, str]] = {
    "engines not pinned": ("sidebar_json", lambda r: None, "engines.node must be 24.11.0"),
    "fdk 9": (
        "serverless",
        edit_json("manifest.json", lambda d: d["engines"].update(fdk="9.8.2")),
        "engines.fdk must be 10.x",
    ),
    "console": (
        "custom_page",
        edit_text("app/app.js", "app.initialized()", "console.log(1); app.initialized()"),
        "app/app.js:1: no console output",
    ),
    "debugger": (
        "custom_page",
        edit_text("config/assets/settings.js", "function value", "debugger;\nfunction value"),
        "config/assets/settings.js:2: Unexpected 'debugger' statement (no-debugger",
    ),
    "cdn script": (
        "custom_page",
        edit_text("app/sidebar.html", 'src="app.js"', 'src="https://cdn.jsdelivr.net/npm/x.js"'),
        "no CDN scripts other than Crayons",
    ),
    "inline script": (
        "custom_page",
        edit_text("app/sidebar.html", "<body>", "<body><script>go()</script>"),
        "app/sidebar.html: no inline scripts",
    ),
    "inline handler": (
        "custom_page",
        edit_text(
            "config/iparams.html", '<input type="text"', '<input onchange="go()" type="text"'
        ),
        "config/iparams.html: no inline event handlers",
    ),
    "unused template": (
        "serverless",
        add_unused_template,
        "template 'spare' is never called",
    ),
    "eval": (
        "custom_page",
        edit_text("app/app.js", "app.initialized()", "eval('1'); app.initialized()"),
        "app/app.js:1: eval can be harmful (no-eval, an fdk lint error)",
    ),
    "alert": (
        "serverless",
        write("app/extra.js", "window.alert('x');\n"),
        "app/extra.js:1: Unexpected alert (no-alert, an fdk lint error)",
    ),
}


@pytest.mark.parametrize("case", list(PREFERENCES))
def test_strict_mode_rejects_each_preference(copy_app: Callable[[str], Path], case: str) -> None:
    name, breakage, expected = PREFERENCES[case]
    root = copy_app(name)
    breakage(root)
    assert validate_app(root).ok, validate_app(root).errors  # not a platform rule
    strict = validate_app(root, strict=True)
    assert any(expected in e for e in strict.errors), strict.errors


@pytest.mark.parametrize("case", ["eval", "alert", "debugger"])
def test_lint_rules_warn_without_strict(copy_app: Callable[[str], Path], case: str) -> None:
    name, breakage, expected = PREFERENCES[case]
    root = copy_app(name)
    breakage(root)
    assert any(expected in w for w in validate_app(root).warnings)


def test_comments_are_not_code(copy_app: Callable[[str], Path]) -> None:
    root = copy_app("serverless")
    write("app/extra.js", "// do not use console.log or eval() here\n/* alert( */\n")(root)
    assert validate_app(root, strict=True).errors == []
