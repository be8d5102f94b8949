"""The front end cannot read secure iparams, and a body's placeholders are never substituted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from upsales_freshdesk.appkit.validate import validate_app

from .helpers import edit_text, write

SECURE_READ = "the front end never gets secure iparams"

READS = {
    "by name": "client.iparams.get('api_key').then(show);\n",
    "destructured": (
        "async function keys(client) {\n  const { api_key: key } = await client.iparams.get();\n"
        "  return key;\n}\n"
    ),
    "as a property": (
        "async function keys(client) {\n  const all = await client.iparams.get();\n"
        "  return all.api_key;\n}\n"
    ),
    "in then": "client.iparams.get().then((all) => show(all['api_key']));\n",
    "in then, destructured": "client.iparams.get().then(({ api_key }) => show(api_key));\n",
}


@pytest.mark.parametrize("case", list(READS))
def test_reading_a_secure_iparam_in_the_front_end_is_refused(
    copy_app: Callable[[str], Path], case: str
) -> None:
    root = copy_app("dynamic_iparams")
    write("app/scripts/keys.js", READS[case])(root)
    errors = validate_app(root).errors
    assert len(errors) == 1
    assert errors[0].startswith("app/scripts/keys.js:")
    assert f"reads secure iparam api_key with client.iparams.get: {SECURE_READ}" in errors[0]


def test_non_secure_iparams_and_the_server_may_read_what_they_like(
    copy_app: Callable[[str], Path],
) -> None:
    root = copy_app("dynamic_iparams")
    write("app/scripts/keys.js", READS["in then"].replace("api_key", "domain"))(root)
    write(
        "server/server.js", "exports = { go: function (args) { return args.iparams.api_key; } };\n"
    )(root)
    assert validate_app(root).errors == []


def test_secure_iparams_of_a_custom_page_and_inline_scripts_count(
    copy_app: Callable[[str], Path],
) -> None:
    root = copy_app("custom_page")
    edit_text(
        "app/sidebar.html",
        "<body>",
        "<body><script>client.iparams.get('apiKey').then(go);</script>",
    )(root)
    assert any(
        e.startswith("app/sidebar.html:1: reads secure iparam apiKey")
        for e in validate_app(root).errors
    )


def test_a_placeholder_in_a_body_is_refused_where_the_code_passes_it(
    copy_app: Callable[[str], Path],
) -> None:
    root = copy_app("sidebar_json")
    edit_text(
        "app/scripts/app.js",
        "JSON.stringify({ text: 'hi' })",
        "JSON.stringify({ text: 'hi', key: '<%= iparam.shop_key %>' })",
    )(root)
    assert validate_app(root).errors == [
        "app/scripts/app.js:9: the body passed to invokeTemplate('createNote') holds a <%= %> "
        "placeholder, which the platform never substitutes in a body (RMS); put the value in a "
        "template field or compute it in the code"
    ]


def test_server_bodies_are_checked_and_context_values_are_not_bodies(
    copy_app: Callable[[str], Path],
) -> None:
    root = copy_app("serverless")
    edit_text("server/server.js", 'trace: "d\xe9mo"', 'trace: "<%= iparam.crm_host %>"')(root)
    assert validate_app(root).errors == []  # context is the code's own business
    edit_text(
        "server/server.js",
        "body: JSON.stringify(args.data.contact)",
        '"body": `{"token": "<%= iparam.crm_token %>"}`',
    )(root)
    assert [e.split(": ", 1)[0] for e in validate_app(root).errors] == ["server/server.js:7"]
