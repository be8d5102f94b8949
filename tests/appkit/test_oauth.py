"""OAuth: config/oauth_config.json and the templates that send its access token.

The oauth fixture app has two configurations (github for the account, asana for agents) and one
template for each, naming it in options.oauth and sending `<%= access_token %>` in a header.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from upsales_freshdesk.appkit.validate import validate_app

from .helpers import Edit, edit_json, headers, options, remove, schema

CONFIG = "config/oauth_config.json"


def integrations(change: Callable[[dict[str, Any]], None]) -> Edit:
    return edit_json(CONFIG, lambda d: change(d["integrations"]))


def flatten(data: dict[str, Any]) -> None:
    github = data.pop("integrations")["github"]
    data.update(github)


REJECTED: dict[str, tuple[Edit, str]] = {
    "the 2.x flat form": (
        edit_json(CONFIG, flatten),
        f"{CONFIG}: must have the property 'integrations', an object of named configurations",
    ),
    "a missing key": (
        integrations(lambda i: i["github"].pop("token_url")),
        f"{CONFIG}: integration 'github': needs token_url (MKT-OAUTH)",
    ),
    "an extra key": (
        integrations(lambda i: i["github"].update(redirect_url="https://x.example/cb")),
        f"{CONFIG}: integration 'github': must not have the properties redirect_url (MKT-OAUTH)",
    ),
    "a wrong token type": (
        integrations(lambda i: i["github"].update(token_type="user")),
        f"{CONFIG}: integration 'github': token_type must be account or agent (MKT-OAUTH)",
    ),
    "four configurations": (
        integrations(lambda i: i.update(one=i["github"], two=i["github"])),
        f"{CONFIG}: at most 3 OAuth configurations, not 4 (OAuth docs)",
    ),
    "two for agents": (
        integrations(lambda i: i["github"].update(token_type="agent")),
        f"{CONFIG}: only one configuration may be for agent installation (token_type agent), "
        "not ['asana', 'github'] (OAuth docs)",
    ),
    "an unknown configuration": (
        options("listRepos", oauth="gitlab"),
        "config/requests.json: template 'listRepos': options.oauth names 'gitlab', which "
        "config/oauth_config.json does not define (it has asana, github)",
    ),
    "no oauth_config.json": (
        remove(CONFIG),
        "config/requests.json: template 'createTask': options.oauth names 'asana', but there is "
        "no config/oauth_config.json",
    ),
    "the token without a configuration": (
        edit_json("config/requests.json", lambda d: d["listRepos"].pop("options")),
        "config/requests.json: template 'listRepos': headers use access_token, but the template "
        "names no OAuth configuration",
    ),
    "the token in the path": (
        schema("listRepos", path="/user/repos/<%= access_token %>"),
        "config/requests.json: template 'listRepos': path uses access_token; the platform "
        "substitutes the OAuth token only in header values (RMS)",
    ),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_each_oauth_rule_rejects_its_breakage(copy_app: Callable[[str], Path], case: str) -> None:
    breakage, expected = REJECTED[case]
    root = copy_app("oauth")
    assert validate_app(root, strict=True).errors == []
    breakage(root)
    errors = validate_app(root).errors
    assert any(e.startswith(expected) for e in errors), errors


def test_is_oauth_of_platform_2_3_only_warns(copy_app: Callable[[str], Path]) -> None:
    root = copy_app("oauth")
    edit_json("config/requests.json", lambda d: d["listRepos"].update(options={"isOAuth": True}))(
        root
    )
    report = validate_app(root)
    assert report.errors == []
    assert any("options.isOAuth is the platform-2.3 form (RMS)" in w for w in report.warnings)


def test_the_token_in_another_header_and_encoded_is_still_a_header(
    copy_app: Callable[[str], Path],
) -> None:
    root = copy_app("oauth")
    headers("createTask", **{"X-Token": "<%= encode(access_token) %>"})(root)
    assert validate_app(root, strict=True).errors == []


def test_templates_without_the_token_need_no_configuration(
    copy_app: Callable[[str], Path],
) -> None:
    root = copy_app("sidebar_json")
    assert not (root / CONFIG).exists()
    assert validate_app(root).errors == []
