"""config/requests.json: each template's schema, options and placeholders.

Sources: RMS (github freshworks-developers/request-method-samples, UserGuide.md) and MKT-REQ
(github freshworks-developers/marketplace, skills/app-dev/references/api/request-method-docs.md).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from . import oauth, rules
from .iparams import Iparams
from .report import Report

WHERE = "config/requests.json"
TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
PLACEHOLDER = re.compile(r"<%=?\s*(.*?)\s*%>", re.S)
REFERENCE = re.compile(r"\b(iparam|context)\.([A-Za-z_$][\w$]*)")
ACCESS_TOKEN = re.compile(r"(?<![\w$.])access_token\b")
CALLER_TEXT = {
    "frontend": "a front-end location calls it",
    "install": "the installation page calls it",
    "server": "server.js calls it",
}


def _verb(field: str) -> str:
    return "use" if field == "headers" else "uses"


def _why(field: str, kind: str) -> str:
    if field == "body":
        return "the platform never substitutes placeholders in a request body; pass it at runtime"
    if kind == "secure":
        return "secure iparams are substituted only in headers"
    if kind == "context":
        return f"context in {field} only on the installation page and in serverless apps"
    return f"{kind} is not substituted in {field}"


def field_texts(schema: dict[str, Any]) -> dict[str, list[str]]:
    """The template text of each placeholder field (header and query values)."""
    texts: dict[str, list[str]] = {}
    for key in rules.FIELDS:
        value = schema.get(key)
        if isinstance(value, dict):
            texts[key] = [str(v) for v in value.values()]
        elif value is not None:
            texts[key] = [value if isinstance(value, str) else str(value)]
    return texts


def check_templates(
    templates: dict[str, Any],
    iparams: Iparams,
    callers: dict[str, dict[str, list[str]]],
    integrations: set[str] | None,
    report: Report,
) -> None:
    """``integrations``: the OAuth configurations (None without config/oauth_config.json)."""
    if len(templates) > rules.MAX_TEMPLATES:
        report.error(WHERE, f"at most {rules.MAX_TEMPLATES} templates (request-method docs)")
    for name, tpl in templates.items():
        where = f"{WHERE}: template '{name}'"
        if not TEMPLATE_NAME.fullmatch(name):
            report.error(where, "names use only letters, digits, _ and - (RMS)")
        schema = tpl.get("schema") if isinstance(tpl, dict) else None
        if not isinstance(schema, dict):
            report.error(where, "needs a 'schema' object (RMS)")
            continue
        _check_schema(where, schema, report)
        _check_placeholders(where, schema, iparams, sorted(callers.get(name, {})), report)
        options = tpl.get("options", {})
        _check_options(where, options, report)
        if isinstance(options, dict):
            oauth.check_template(where, _token_fields(schema), options, integrations, report)


def _check_schema(where: str, schema: dict[str, Any], report: Report) -> None:
    for key in sorted(set(schema) - set(rules.SCHEMA_KEYS)):
        report.warn(where, f"schema key '{key}' is not documented (RMS)")
    if schema.get("method") not in rules.METHODS:
        report.error(where, f"method must be one of {', '.join(rules.METHODS)} (RMS)")
    if schema.get("protocol", "https") != "https":
        report.error(where, "protocol must be https; http cannot be packed or uploaded (RMS)")
    _check_host(where, schema.get("host"), report)
    path = schema.get("path", "/")
    if isinstance(path, str) and PLACEHOLDER.match(path):
        # Freshworks' own request-method-samples pass the whole path in context.
        report.warn(where, "path starts with a placeholder; its value must begin with / (RMS)")
    elif not (isinstance(path, str) and path.startswith("/")):
        report.error(where, "path must start with / (RMS)")
    headers = schema.get("headers", {})
    if not (isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())):
        report.error(where, "headers must be an object of string values (RMS)")
        headers = {}
    for header in headers:
        if PLACEHOLDER.search(header):
            report.error(where, f"header name {header!r}: only header values are substituted")
    query = schema.get("query", {})
    if not (
        isinstance(query, dict) and all(isinstance(v, str | int | float) for v in query.values())
    ):
        report.error(where, "query must be an object of string or number values (RMS)")
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    if content_type is not None and not PLACEHOLDER.search(content_type):
        base = content_type.split(";")[0].strip().lower()
        if base not in rules.CONTENT_TYPES:
            report.error(
                where,
                f"Content-Type {content_type!r} is not supported; the platform answers 415 "
                f"(supported: {', '.join(rules.CONTENT_TYPES)}; MKT-REQ)",
            )


def _check_host(where: str, host: Any, report: Report) -> None:
    if not (isinstance(host, str) and host.strip()):
        report.error(where, "host is required (RMS)")
        return
    literal = PLACEHOLDER.sub("x", host)
    if "://" in host or "/" in literal or ":" in literal or literal != literal.strip():
        report.error(where, "host must be a bare host name: no scheme, port or path (RMS)")
    try:
        ipaddress.ip_address(literal)
    except ValueError:
        return
    report.error(where, "host must be a domain name, not an IP address (RMS)")


def _check_placeholders(
    where: str, schema: dict[str, Any], iparams: Iparams, callers: list[str], report: Report
) -> None:
    for field, texts in field_texts(schema).items():
        for text in texts:
            for expression in PLACEHOLDER.findall(text):
                if field == "body":
                    report.error(where, f"body uses <%= {expression} %>: {_why('body', '')}")
                    continue
                for source, name in REFERENCE.findall(expression):
                    kind = _kind(source, name, iparams)
                    if source == "iparam" and not _defined(name, iparams):
                        report.error(
                            where,
                            f"{field} {_verb(field)} iparam.{name}, "
                            f"which {iparams.source} does not define",
                        )
                    _check_allowed(where, field, f"{source}.{name}", kind, callers, report)


def _token_fields(schema: dict[str, Any]) -> set[str]:
    """The fields whose placeholders use the OAuth `access_token`."""
    return {
        field
        for field, texts in field_texts(schema).items()
        for text in texts
        for expression in PLACEHOLDER.findall(text)
        if ACCESS_TOKEN.search(expression)
    }


def _kind(source: str, name: str, iparams: Iparams) -> str:
    if source == "context":
        return "context"
    return "secure" if name in iparams.secure else "iparam"


def _defined(name: str, iparams: Iparams) -> bool:
    return iparams.defined is None or name in iparams.defined


def _check_allowed(
    where: str, field: str, ref: str, kind: str, callers: list[str], report: Report
) -> None:
    if callers:
        refused = [c for c in callers if not rules.check_placeholder(field, c, kind)]
    elif any(rules.check_placeholder(field, c, kind) for c in rules.CALLERS):
        refused = []  # no literal caller found: judge it by the most permissive caller
    else:
        refused = ["any"]
    if not refused:
        return
    label = "secure iparam " + ref.split(".", 1)[1] if kind == "secure" else ref
    who = f", but {CALLER_TEXT[refused[0]]}" if refused[0] in CALLER_TEXT else ""
    report.error(where, f"{field} {_verb(field)} {label}{who} ({_why(field, kind)})")


def _check_options(where: str, options: Any, report: Report) -> None:
    if not isinstance(options, dict):
        report.error(where, "options must be an object (RMS)")
        return
    low, high = rules.MAX_ATTEMPTS
    attempts = options.get("maxAttempts", 1)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not low <= attempts <= high:
        report.error(where, f"options.maxAttempts must be an integer {low}..{high} (RMS, MKT-REQ)")
    low, high = rules.RETRY_DELAY
    delay = options.get("retryDelay", 0)
    if isinstance(delay, bool) or not isinstance(delay, int) or not low <= delay <= high:
        report.error(
            where, f"options.retryDelay must be an integer {low}..{high} ms (RMS, MKT-REQ)"
        )
    elif delay % 100:
        report.warn(where, "options.retryDelay is not a multiple of 100 ms (MKT-REQ; unconfirmed)")
    for key in sorted(set(options) - set(rules.OPTION_KEYS)):
        report.warn(where, f"option '{key}' is not documented (unconfirmed)")
