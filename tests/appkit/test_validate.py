"""The validator accepts every shape real platform-3.0 apps show and rejects each platform rule.

The apps under tests/appkit/apps/ are minimal ones of our own:
- sidebar_json: iparams.json with a `"secure": true` key, front-end templates, fdk 9 engines,
  Crayons from jsDelivr;
- full_page: no requests.json, a full-page app plus a CRM module, PNG icons;
- custom_page: iparams.html whose postConfigs() returns a literal __meta.secure, a template with
  context in host and headers called only from the installation page, Freshservice locations
  (one background location without an icon);
- serverless: templates called only from server.js with context in host and headers, SMI
  functions and events, Latin-1 sources;
- dynamic_iparams: iparams.json with every choice type and change callbacks;
- oauth: config/oauth_config.json and templates that send its access token.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from upsales_freshdesk.appkit.validate import secure_params, validate_app

from .helpers import (
    APPS,
    OWN_APP,
    Edit,
    edit_json,
    edit_text,
    headers,
    options,
    remove,
    schema,
    write,
)

FIXTURES = sorted(p.name for p in APPS.iterdir() if p.is_dir())


@pytest.mark.parametrize("name", FIXTURES)
def test_each_fixture_app_is_valid(name: str) -> None:
    report = validate_app(APPS / name)
    assert report.errors == []
    assert report.ok


def test_our_own_app_is_valid_even_in_strict_mode() -> None:
    report = validate_app(OWN_APP, strict=True)
    assert report.errors == []


def test_unconfirmed_rules_only_warn() -> None:
    report = validate_app(APPS / "full_page")
    assert report.ok
    assert any("only SVG icons are confirmed" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("name", "secure"),
    [
        ("sidebar_json", {"shop_key"}),
        ("custom_page", {"apiKey"}),
        ("serverless", {"crm_token"}),
        ("full_page", set()),
    ],
)
def test_secure_parameters_come_from_iparams_json_or_meta_secure(
    name: str, secure: set[str]
) -> None:
    assert secure_params(APPS / name) == secure


def test_our_app_declares_its_keys_secure() -> None:
    assert {"freshdesk_api_key", "upsales_api_key"} <= secure_params(OWN_APP)


def test_the_message_names_the_file_the_template_and_the_rule(
    copy_app: Callable[[str], Path],
) -> None:
    root = copy_app("sidebar_json")
    headers("getOrders", **{"Accept-Language": "<%= context.locale %>"})(root)
    assert validate_app(root).errors == [
        "config/requests.json: template 'getOrders': headers use context.locale, but a "
        "front-end location calls it (context in headers only on the installation page "
        "and in serverless apps)"
    ]


def test_unreadable_bytes_do_not_crash(copy_app: Callable[[str], Path]) -> None:
    root = copy_app("sidebar_json")
    (root / "app/scripts/app.js").write_bytes(b"\xff\xfe\x00 app.initialized();")
    (root / "config/requests.json").write_bytes(b"\xe9{")
    report = validate_app(root)
    assert any(e.startswith("config/requests.json: is not valid JSON") for e in report.errors)


REJECTED: dict[str, tuple[str, Edit, str]] = {
    # requests.json placeholders
    "undefined iparam (iparams.json)": (
        "sidebar_json",
        schema("createNote", path="/api/<%= iparam.shop_id %>/notes"),
        "path uses iparam.shop_id, which config/iparams.json does not define",
    ),
    "undefined iparam (iparams.html)": (
        "custom_page",
        headers("lookup", **{"X-Tenant": "<%= iparam.tenant %>"}),
        "headers use iparam.tenant, which config/iparams.html does not define",
    ),
    "iparam in body": (
        "sidebar_json",
        schema("createNote", body='{"domain": "<%= iparam.shop_domain %>"}'),
        "body uses <%= iparam.shop_domain %>: the platform never substitutes",
    ),
    "context in body": (
        "serverless",
        schema("syncContact", body={"id": "<%= context.id %>"}),
        "body uses <%= context.id %>",
    ),
    "secure in host": (
        "sidebar_json",
        schema("createNote", host="<%= iparam.shop_key %>.example.com"),
        "host uses secure iparam shop_key, but a front-end location calls it "
        "(secure iparams are substituted only in headers)",
    ),
    "secure in path": (
        "serverless",
        schema("syncContact", path="/contacts/<%= iparam.crm_token %>"),
        "path uses secure iparam crm_token, but server.js calls it",
    ),
    "secure in query (html page)": (
        "custom_page",
        schema("lookup", query={"key": "<%= iparam.apiKey %>"}),
        "query uses secure iparam apiKey",
    ),
    "context in front-end headers": (
        "custom_page",
        headers("lookup", **{"X-Agent": "<%= context.agent %>"}),
        "headers use context.agent, but a front-end location calls it",
    ),
    "context in front-end host": (
        "sidebar_json",
        schema("createNote", host="<%= context.domain %>"),
        "host uses context.domain, but a front-end location calls it",
    ),
    "install template also called from the front end": (
        "custom_page",
        edit_text("app/app.js", "invokeTemplate('lookup'", "invokeTemplate('verify'"),
        "template 'verify': host uses context.domain, but a front-end location calls it",
    ),
    "placeholder in a header name": (
        "sidebar_json",
        headers("createNote", **{"X-<%= iparam.region %>": "1"}),
        "only header values are substituted",
    ),
    # options and content types
    "maxAttempts 6": ("sidebar_json", options("createNote", maxAttempts=6), "maxAttempts"),
    "maxAttempts 0": ("sidebar_json", options("createNote", maxAttempts=0), "maxAttempts"),
    "retryDelay 2000": ("sidebar_json", options("createNote", retryDelay=2000), "retryDelay"),
    "retryDelay text": ("sidebar_json", options("createNote", retryDelay="100"), "retryDelay"),
    "content type": (
        "sidebar_json",
        headers("createNote", **{"Content-Type": "application/x-www-form-urlencoded"}),
        "Content-Type 'application/x-www-form-urlencoded' is not supported",
    ),
    # schema
    "http": ("sidebar_json", schema("createNote", protocol="http"), "protocol must be https"),
    "scheme in host": (
        "sidebar_json",
        schema("createNote", host="https://<%= iparam.shop_domain %>"),
        "bare host name",
    ),
    "path in host": (
        "sidebar_json",
        schema("createNote", host="<%= iparam.shop_domain %>/v1"),
        "bare host name",
    ),
    "ip host": ("sidebar_json", schema("createNote", host="10.0.0.1"), "not an IP address"),
    "method": ("sidebar_json", schema("createNote", method="TRACE"), "method must be one of"),
    "path": ("sidebar_json", schema("createNote", path="api/notes"), "path must start with /"),
    # manifest
    "requests entry not {}": (
        "sidebar_json",
        edit_json(
            "manifest.json",
            lambda d: d["modules"]["common"]["requests"].update(createNote={"maxAttempts": 2}),
        ),
        "modules.common.requests.createNote must be {}",
    ),
    "template not declared": (
        "sidebar_json",
        edit_json("manifest.json", lambda d: d["modules"]["common"]["requests"].pop("createNote")),
        "template 'createNote' is not declared in manifest.json",
    ),
    "declared, not defined": (
        "full_page",
        edit_json("manifest.json", lambda d: d["modules"]["common"].update(requests={"x": {}})),
        "modules.common.requests.x is not defined in config/requests.json",
    ),
    "called, not defined": (
        "sidebar_json",
        edit_text("app/scripts/app.js", "invokeTemplate('getOrders'", "invokeTemplate('gone'"),
        "app/scripts/app.js: calls template 'gone', which config/requests.json does not define",
    ),
    "url outside app/": (
        "full_page",
        edit_json(
            "manifest.json",
            lambda d: d["modules"]["common"]["location"]["full_page_app"].update(
                url="../config/iparams.json"
            ),
        ),
        "full_page_app.url must be a path inside app/",
    ),
    "absolute url": (
        "full_page",
        edit_json(
            "manifest.json",
            lambda d: d["modules"]["deal"]["location"]["deal_entity_menu"].update(
                url="https://example.com/x.html"
            ),
        ),
        "deal_entity_menu.url must be a path inside app/",
    ),
    "missing page": ("custom_page", remove("app/background.html"), "app/background.html"),
    "icon not an image": (
        "custom_page",
        edit_json(
            "manifest.json",
            lambda d: d["modules"]["service_ticket"]["location"]["ticket_sidebar"].update(
                icon="app.js"
            ),
        ),
        "ticket_sidebar.icon: app.js is not an image",
    ),
    "missing icon": ("sidebar_json", remove("app/images/icon.svg"), "does not exist"),
    "unknown location": (
        "sidebar_json",
        edit_json(
            "manifest.json",
            lambda d: d["modules"]["support_ticket"]["location"].update(
                ticket_sidbar={"url": "index.html", "icon": "images/icon.svg"}
            ),
        ),
        "ticket_sidbar: unknown placeholder for support_ticket",
    ),
    "product location under common": (
        "full_page",
        edit_json(
            "manifest.json",
            lambda d: d["modules"]["common"]["location"].update(
                ticket_sidebar={"url": "index.html", "icon": "icon.png"}
            ),
        ),
        "it belongs under modules.support_ticket",
    ),
    "old platform": (
        "full_page",
        edit_json("manifest.json", lambda d: d.update({"platform-version": "2.3"})),
        "platform-version",
    ),
    "legacy product key": (
        "full_page",
        edit_json("manifest.json", lambda d: d.update(product={"freshdesk": {}})),
        "'product' is not allowed",
    ),
    "engines not versions": (
        "full_page",
        edit_json("manifest.json", lambda d: d.update(engines={"node": 24, "fdk": "10"})),
        "engines.node must be a version string",
    ),
    "function without server.js": (
        "serverless",
        remove("server/server.js"),
        "server/server.js does not exist",
    ),
    "handler missing": (
        "serverless",
        edit_text("server/server.js", "onAppInstallHandler", "onInstall"),
        "server/server.js does not define onAppInstallHandler",
    ),
    # installation parameters
    "both iparams files": (
        "custom_page",
        write("config/iparams.json", "{}"),
        "has both iparams.json and iparams.html",
    ),
    "iparams.json type": (
        "sidebar_json",
        edit_json("config/iparams.json", lambda d: d["shop_key"].update(type="api_key")),
        "type 'api_key' is not a platform-3.0 type",
    ),
    "no postConfigs": (
        "custom_page",
        edit_text("config/assets/settings.js", "function postConfigs()", "function collect()"),
        "must define postConfigs()",
    ),
    "keys without __meta.secure": (
        "custom_page",
        edit_text("config/assets/settings.js", "secure: ['apiKey'], ", ""),
        "stores the keys ['apiKey'] without __meta.secure",
    ),
    "validate returns a string": (
        "custom_page",
        edit_text("config/assets/settings.js", "return false;", "return 'Enter a domain';"),
        "validate() must return or resolve to true or false, not 'Enter a domain'",
    ),
    "validate resolves an object": (
        "custom_page",
        edit_text("config/assets/settings.js", "resolve(false)", "resolve({ ok: false })"),
        "not { ok: false }",
    ),
    # pages
    "no appclient": (
        "custom_page",
        edit_text("app/sidebar.html", "{{{appclient}}}", "client.js"),
        "app/sidebar.html: must load {{{appclient}}}",
    ),
    "missing script": (
        "custom_page",
        edit_text("app/sidebar.html", 'src="app.js"', 'src="nope.js"'),
        "app/sidebar.html: nope.js does not exist",
    ),
    "insecure source": (
        "custom_page",
        edit_text("app/sidebar.html", 'src="app.js"', 'src="http://cdn.example/x.js"'),
        "insecure source",
    ),
    "unpkg": (
        "custom_page",
        edit_text("app/sidebar.html", 'src="app.js"', 'src="https://unpkg.com/x.js"'),
        "unpkg is a platform lint error",
    ),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_each_platform_rule_rejects_its_breakage(
    copy_app: Callable[[str], Path], case: str
) -> None:
    name, breakage, expected = REJECTED[case]
    root = copy_app(name)
    assert validate_app(root).ok  # the fixture itself is valid
    breakage(root)
    report = validate_app(root)
    assert any(expected in e for e in report.errors), report.errors
