"""The app validator passes the real app and catches each rule it claims to check."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from upsales_freshdesk.appkit.validate import secure_params, validate_app

APP = Path(__file__).resolve().parents[2] / "freshworks-app"


def test_the_real_app_is_valid() -> None:
    report = validate_app(APP)
    assert report.errors == []


def test_secure_parameters_are_read_from_the_installation_page() -> None:
    assert secure_params(APP) == {"freshdesk_api_key", "upsales_api_key", "service_secret"}


def edit_json(rel: str, change: Callable[[Any], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        data = json.loads(path.read_text())
        change(data)
        path.write_text(json.dumps(data))

    return apply


def edit_text(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))

    return apply


def card(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    return edit_json("config/requests.json", lambda d: change(d["card"]["schema"]))


BREAKAGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "template not listed": (
        edit_json("manifest.json", lambda d: d["modules"]["common"]["requests"].pop("validate")),
        "must list exactly the templates",
    ),
    "missing icon": (lambda r: (r / "app/styles/images/icon.svg").unlink(), "ticket_sidebar.icon"),
    "old platform": (
        edit_json("manifest.json", lambda d: d.update({"platform-version": "2.3"})),
        "platform-version",
    ),
    "old node": (
        edit_json("manifest.json", lambda d: d["engines"].update(node="18.20.8")),
        "engines.node",
    ),
    "http protocol": (card(lambda s: s.update(protocol="http")), "protocol must be https"),
    "scheme in host": (
        card(lambda s: s.update(host="https://<%= iparam.service_host %>")),
        "bare host name",
    ),
    "path in host": (
        card(lambda s: s.update(host="<%= iparam.service_host %>/v1")),
        "bare host name",
    ),
    "ip host": (card(lambda s: s.update(host="10.0.0.1")), "IP address"),
    "secure in path": (
        card(lambda s: s.update(path="/v1/card/<%= iparam.upsales_api_key %>")),
        "secure parameter upsales_api_key outside the headers",
    ),
    "secure in query": (
        card(lambda s: s.update(query={"t": "<%= iparam.freshdesk_api_key %>"})),
        "secure parameter freshdesk_api_key outside the headers",
    ),
    "context in sidebar host": (
        card(lambda s: s.update(host="<%= context.service_host %>")),
        "host may use only non-secure iparams",
    ),
    "bad method": (card(lambda s: s.update(method="TRACE")), "method must be one of"),
    "bad path": (card(lambda s: s.update(path="v1/card")), "path must start with /"),
    "inline script": (
        edit_text("app/index.html", "</body>", "<script>go()</script></body>"),
        "no inline scripts",
    ),
    "inline handler": (
        edit_text("app/index.html", "<button id", '<button onclick="x()" id'),
        "inline event handlers",
    ),
    "insecure source": (
        edit_text(
            "app/index.html", 'href="styles/style.css"', 'href="http://cdn.example/style.css"'
        ),
        "insecure source",
    ),
    "unpkg": (
        edit_text("app/index.html", 'href="styles/style.css"', 'href="https://unpkg.com/x.css"'),
        "unpkg",
    ),
    "missing script": (
        edit_text("app/index.html", "scripts/text.js", "scripts/nope.js"),
        "missing file",
    ),
    "eval": (
        edit_text("app/scripts/app.js", "'use strict';", "'use strict'; eval('1');"),
        "eval()",
    ),
    "console": (
        edit_text("app/scripts/app.js", "'use strict';", "'use strict'; console.log(1);"),
        "console output",
    ),
    "unknown template": (
        edit_text("app/scripts/app.js", "invokeTemplate('card'", "invokeTemplate('cards'"),
        "unknown templates",
    ),
    "both iparams kinds": (
        lambda r: (r / "config/iparams.json").write_text("{}"),
        "exactly one of iparams.json and iparams.html",
    ),
    "no appclient": (edit_text("app/index.html", "{{{appclient}}}", "client.js"), "appclient"),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_each_rule_catches_its_breakage(tmp_path: Path, name: str) -> None:
    root = tmp_path / "freshworks-app"
    shutil.copytree(APP, root)
    breakage, expected = BREAKAGES[name]
    breakage(root)
    report = validate_app(root)
    assert any(expected in e for e in report.errors), report.errors
