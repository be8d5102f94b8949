"""OAuth: config/oauth_config.json, and the request templates that send its access token.

Sources: rules.OAUTH_* (OAUTH-DOCS, MKT-OAUTH, OAUTH-SAMPLES, RMS, RMS-OBJ).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import rules
from .report import Report
from .source import read_json

WHERE = rules.OAUTH_FILE


def load_oauth(root: Path, report: Report) -> set[str] | None:
    """The integration names of config/oauth_config.json; None when the app has no such file."""
    path = root / rules.OAUTH_FILE
    if not path.is_file():
        return None
    data, problem = read_json(path)
    if problem or not isinstance(data, dict):
        report.error(WHERE, problem or "must be a JSON object")
        return set()
    integrations = data.get("integrations")
    if not isinstance(integrations, dict) or not integrations:
        report.error(
            WHERE,
            "must have the property 'integrations', an object of named configurations "
            "(platform 3.0; the flat 2.x form is refused; MKT-OAUTH)",
        )
        return set()
    if len(integrations) > rules.OAUTH_MAX_INTEGRATIONS:
        report.error(
            WHERE,
            f"at most {rules.OAUTH_MAX_INTEGRATIONS} OAuth configurations, not "
            f"{len(integrations)} (OAuth docs)",
        )
    agents = sorted(
        name
        for name, spec in integrations.items()
        if isinstance(spec, dict) and spec.get("token_type") == "agent"
    )
    if len(agents) > rules.OAUTH_MAX_AGENT:
        report.error(
            WHERE,
            f"only one configuration may be for agent installation (token_type agent), not "
            f"{agents} (OAuth docs)",
        )
    for name, spec in integrations.items():
        _check_integration(name, spec, report)
    return set(integrations)


def _check_integration(name: str, spec: Any, report: Report) -> None:
    where = f"{WHERE}: integration '{name}'"
    if not isinstance(spec, dict):
        report.error(where, "must be an object")
        return
    missing = [key for key in rules.OAUTH_REQUIRED if key not in spec]
    if missing:
        report.error(where, f"needs {', '.join(missing)} (MKT-OAUTH)")
    extra = sorted(set(spec) - set(rules.OAUTH_REQUIRED) - set(rules.OAUTH_OPTIONAL))
    if extra:
        report.error(where, f"must not have the properties {', '.join(extra)} (MKT-OAUTH)")
    if "token_type" in spec and spec["token_type"] not in rules.OAUTH_TOKEN_TYPES:
        report.error(where, "token_type must be account or agent (MKT-OAUTH)")


def check_template(
    where: str,
    token_fields: set[str],
    options: dict[str, Any],
    integrations: set[str] | None,
    report: Report,
) -> None:
    """A template's OAuth: where it puts `access_token`, and the configuration it names."""
    for field in sorted(token_fields - {"headers", "body"}):
        report.error(
            where,
            f"{field} uses access_token; the platform substitutes the OAuth token only in "
            "header values (RMS)",
        )
    if "isOAuth" in options:
        report.warn(
            where,
            "options.isOAuth is the platform-2.3 form (RMS); platform 3.0 names the "
            "configuration in options.oauth (MKT-OAUTH, OAUTH-SAMPLES), and which one isOAuth "
            "uses is unconfirmed",
        )
    if "oauth" in options:
        _check_named(where, options["oauth"], integrations, report)
    elif "headers" in token_fields and options.get("isOAuth") is not True:
        report.error(
            where,
            "headers use access_token, but the template names no OAuth configuration "
            '(options.oauth; MKT-OAUTH: "OAuth request missing options")',
        )


def _check_named(where: str, name: Any, integrations: set[str] | None, report: Report) -> None:
    if not isinstance(name, str) or not name:
        report.error(where, "options.oauth must name a configuration of config/oauth_config.json")
    elif integrations is None:
        report.error(
            where, f"options.oauth names '{name}', but there is no config/oauth_config.json"
        )
    elif name not in integrations:
        report.error(
            where,
            f"options.oauth names '{name}', which config/oauth_config.json does not define "
            f"(it has {', '.join(sorted(integrations)) or 'none'})",
        )
