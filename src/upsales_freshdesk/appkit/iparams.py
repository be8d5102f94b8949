"""Installation parameters: which exist, which are secure, and the custom page's contract.

Sources: MKT-IPARAMS (github freshworks-developers/marketplace, skills/app-dev/references/
runtime/custom-iparams-docs.md), the v3.0 installation-page docs (freshworks.dev/docs/app-sdk/
v3.0/support_company/app-settings/app-installation-page/installation-page) and the 2026 samples
in github freshworks-developers/configuration-page-samples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import rules
from .report import Report
from .source import (
    block_at,
    files,
    function_body,
    inline_scripts,
    own_code,
    read_json,
    read_text,
)

SECRET_NAME = re.compile(r"api_?key|apikey|secret|token|password|passwd|private_?key", re.I)
INPUT_TAG = re.compile(r"<(?:input|fw-input|select|fw-select|textarea|fw-textarea)\b[^>]*>", re.I)
ATTR = re.compile(r"""\b(id|name|type)\s*=\s*["']([^"']*)["']""", re.I)
NAME = re.compile(r"""["'`]([A-Za-z_$][\w$.-]*)["'`]|\b([A-Za-z_$][\w$]*)\s*:""")
STRINGS = re.compile(r"""["'`]([^"'`]+)["'`]""")
NON_BOOLEAN = re.compile(r"""^(?:$|["'`]|-?\d|null\b|undefined\b|\{|\[|NaN\b)""")


@dataclass
class Iparams:
    """What the app declares: ``defined`` is None when any name may exist (unknown)."""

    source: str = "config"
    defined: set[str] | None = field(default_factory=set)
    secure: set[str] = field(default_factory=set)


def load_iparams(root: Path, report: Report) -> Iparams:
    config = root / "config"
    has_json = (config / "iparams.json").is_file()
    has_html = (config / "iparams.html").is_file()
    if has_json and has_html:
        # MKT-IPARAMS and the v2.3 custom settings page: only one of the two files.
        report.error("config", "has both iparams.json and iparams.html; the platform takes one")
    if has_html:
        return _check_page(root, report)
    if has_json:
        return _check_json(root, report)
    report.warn(
        "config", "no iparams.json or iparams.html (Freshworks' skills add `{}`; unconfirmed)"
    )
    return Iparams()


def _check_json(root: Path, report: Report) -> Iparams:
    where = "config/iparams.json"
    data, problem = read_json(root / "config" / "iparams.json")
    if problem or not isinstance(data, dict):
        report.error(where, problem or "must be a JSON object of parameters")
        return Iparams(where, None)
    secure = set()
    for name, spec in data.items():
        if not isinstance(spec, dict):
            report.error(where, f"parameter '{name}' must be an object")
            continue
        _check_param(where, name, spec, report)
        if spec.get("secure") is True:
            secure.add(name)
    return Iparams(where, set(data), secure)


def _check_param(where: str, name: str, spec: dict[str, Any], report: Report) -> None:
    for key in ("display_name", "type"):
        if key not in spec:
            report.error(where, f"parameter '{name}' needs '{key}' (installation-page docs)")
    kind = spec.get("type")
    if "type" in spec and kind not in rules.IPARAM_TYPES:
        report.error(
            where,
            f"parameter '{name}': type {kind!r} is not a platform-3.0 type "
            "(domain and api_key are 2.x only; use text)",
        )
    if kind in rules.IPARAM_TYPES_WITH_OPTIONS and not isinstance(spec.get("options"), list):
        report.error(where, f"parameter '{name}': type {kind} needs an 'options' list")
    if "secure" in spec and not isinstance(spec["secure"], bool):
        report.error(where, f"parameter '{name}': 'secure' must be true or false")
    if "type_attributes" in spec:
        report.warn(where, f"parameter '{name}': type_attributes is 2.x (3.0 use unconfirmed)")
    if SECRET_NAME.search(name) and spec.get("secure") is not True:
        report.warn(where, f"parameter '{name}' looks like a key but is not secure")


def page_script(root: Path) -> str:
    """The installation page's own JavaScript: its inline scripts and config/assets/**.js."""
    page = read_text(root / "config" / "iparams.html")
    scripts = [read_text(p) for p in files(root, "config/assets", ".js")]
    return "\n".join([inline_scripts(page), *scripts])


def _check_page(root: Path, report: Report) -> Iparams:
    where = "config/iparams.html"
    page = read_text(root / "config" / "iparams.html")
    js = page_script(root)
    fields, secret_inputs = _page_inputs(page)
    post = function_body(js, "postConfigs")
    if post is None:
        # MKT-IPARAMS: postConfigs() is required; it returns what the platform stores.
        report.error(where, "a custom settings page must define postConfigs() (MKT-IPARAMS)")
    if function_body(js, "getConfigs") is None:
        report.warn(where, "no getConfigs(configs): Edit Settings cannot show the stored values")
    declared, secure = secure_list(js)
    stored = fields | _names(post or "")
    secrets = sorted(n for n in stored if SECRET_NAME.search(n)) or sorted(secret_inputs)
    if post is not None and secrets and not declared:
        report.error(
            where,
            f"postConfigs() stores the keys {secrets} without __meta.secure, so the platform "
            "keeps them as plain, readable settings (MKT-IPARAMS)",
        )
    elif secure is not None and (missing := [n for n in secrets if n not in secure]):
        report.warn(where, f"{missing} look like keys but are not in __meta.secure")
    _check_validate(js, where, report)
    defined = stored | _names(js) if post is not None else None
    return Iparams(where, defined, secure or set())


def _page_inputs(page: str) -> tuple[set[str], set[str]]:
    names: set[str] = set()
    secret: set[str] = set()
    for tag in INPUT_TAG.findall(page):
        attrs = {k.lower(): v for k, v in ATTR.findall(tag)}
        if attrs.get("type", "").lower() in ("checkbox", "radio", "button", "submit"):
            continue  # choices, not values that could be keys
        own = {attrs[k] for k in ("id", "name") if attrs.get(k)}
        names |= own
        if attrs.get("type", "").lower() == "password":
            secret |= own
    return names, secret


def _names(js: str) -> set[str]:
    return {a or b for a, b in NAME.findall(js)}


def secure_list(js: str) -> tuple[bool, set[str] | None]:
    """Whether ``__meta.secure`` is set, and its names when they can be read statically."""
    names: set[str] = set()
    found, resolved = False, True
    exprs = [
        m.group(1)
        for m in re.finditer(
            r"__meta\s*(?:\.\s*secure|\[\s*['\"]secure['\"]\s*\])\s*=\s*([^;\n]+)", js
        )
    ]
    for meta in re.finditer(r"__meta['\"]?\s*[:=]\s*\{", js):
        body = block_at(js, meta.end() - 1)
        exprs += re.findall(r"\bsecure['\"]?\s*:\s*([^,}\n]+(?:\[[^\]]*\])?)", body)
    for expr in exprs:
        found = True
        listed = _resolve_list(js, expr.strip())
        if listed is None:
            resolved = False
        else:
            names |= listed
    return found, (names if resolved else None)


def _resolve_list(js: str, expr: str) -> set[str] | None:
    if expr.startswith("["):
        return set(STRINGS.findall(expr[: expr.find("]") + 1] if "]" in expr else expr))
    ident = re.match(r"(?:\.\.\.)?([A-Za-z_$][\w$]*)", expr.lstrip("[ "))
    if ident is None:
        return None
    assigned = re.search(rf"\b{re.escape(ident.group(1))}\s*=\s*\[([^\]]*)\]", js)
    return set(STRINGS.findall(assigned.group(1))) if assigned else None


def _check_validate(js: str, where: str, report: Report) -> None:
    """validate() must resolve to true or false (MKT-IPARAMS; CPS iparams.js)."""
    body = function_body(js, "validate")
    if body is None:
        return
    own = own_code(body)
    returns = re.findall(r"\breturn\b\s*([^;\n}]*)", own)
    resolved = re.findall(r"\bresolve\s*\(\s*([^)]*)\)", body)
    bad = [e.strip() or "undefined" for e in [*returns, *resolved] if NON_BOOLEAN.match(e.strip())]
    if not returns and not resolved:
        bad.append("undefined (it returns nothing)")
    if bad:
        report.error(
            where,
            f"validate() must return or resolve to true or false, not {', '.join(bad)} "
            "(MKT-IPARAMS)",
        )
