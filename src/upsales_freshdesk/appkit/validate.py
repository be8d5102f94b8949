"""A structural check of the Freshworks app (platform 3.0), since the FDK CLI is not here.

It checks what ``fdk validate`` is documented to check and what this app promises:
every template listed in the manifest, icons and pages that exist, https only, hosts
without scheme or path, secure parameters only in headers, no inline scripts, no
insecure or rejected script sources, no eval/alert/console.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
PLACEHOLDER = re.compile(r"<%=\s*(.*?)\s*%>")
METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"}
INVOKE = re.compile(r"invokeTemplate\(\s*['\"]([^'\"]+)['\"]")
SECURE_LIST = re.compile(r"UFD_SECURE\s*=\s*\[([^\]]*)\]")
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
SRC_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)
FORBIDDEN_JS = {
    r"\beval\s*\(": "eval() is rejected by platform lint",
    r"\bnew\s+Function\s*\(": "new Function() is rejected by platform lint",
    r"(?<![\w.])alert\s*\(": "alert() is rejected by platform lint (no-alert)",
    r"\bconsole\.": "console output is not allowed (review guidelines)",
    r"\bdebugger\b": "debugger statements are not allowed",
    r"unpkg\.com": "unpkg is rejected by platform lint",
}


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)

    def check(self, ok: bool, message: str) -> bool:
        if not ok:
            self.errors.append(message)
        return ok

    @property
    def ok(self) -> bool:
        return not self.errors


def _json(path: Path, report: Report) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        report.errors.append(f"{path.name}: cannot be read as JSON ({type(exc).__name__})")
        return None


def _placeholders(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def secure_params(root: Path) -> set[str]:
    """The secure installation parameters declared by the installation page."""
    script = root / "config" / "assets" / "iparams.js"
    match = SECURE_LIST.search(script.read_text("utf-8")) if script.exists() else None
    return set(re.findall(r"['\"]([A-Za-z0-9_]+)['\"]", match.group(1))) if match else set()


def _check_host(name: str, host: Any, report: Report, *, context_ok: bool) -> None:
    if not report.check(isinstance(host, str) and host.strip() != "", f"{name}: host is required"):
        return
    literal = PLACEHOLDER.sub("x", host)
    report.check(
        "://" not in host and "/" not in literal and ":" not in literal,
        f"{name}: host must be a bare host name (no scheme, port or path)",
    )
    try:
        ipaddress.ip_address(literal)
        report.errors.append(f"{name}: host must not be an IP address")
    except ValueError:
        pass
    for ph in _placeholders(host):
        allowed = ph.startswith("iparam.") or (context_ok and ph.startswith("context."))
        report.check(allowed, f"{name}: host may use only non-secure iparams ({ph})")


def _check_template(
    name: str, tpl: Any, secure: set[str], report: Report, install_templates: set[str]
) -> None:
    report.check(bool(TEMPLATE_NAME.fullmatch(name)), f"{name}: invalid template name")
    schema = tpl.get("schema") if isinstance(tpl, dict) else None
    if not isinstance(schema, dict):
        report.errors.append(f"{name}: schema is required")
        return
    methods = sorted(METHODS)
    report.check(schema.get("method") in METHODS, f"{name}: method must be one of {methods}")
    report.check(
        schema.get("protocol", "https") == "https",
        f"{name}: protocol must be https (http cannot be packed)",
    )
    _check_host(name, schema.get("host"), report, context_ok=name in install_templates)
    path = schema.get("path", "/")
    report.check(isinstance(path, str) and path.startswith("/"), f"{name}: path must start with /")
    headers = schema.get("headers", {})
    report.check(
        isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values()),
        f"{name}: header values must be strings",
    )
    outside_headers = json.dumps({k: v for k, v in schema.items() if k != "headers"})
    for param in secure:
        for prefix in ("iparam.", "context."):
            report.check(
                f"{prefix}{param}" not in outside_headers,
                f"{name}: secure parameter {param} outside the headers",
            )
    options = tpl.get("options", {}) if isinstance(tpl, dict) else {}
    attempts = options.get("maxAttempts", 1)
    report.check(isinstance(attempts, int) and 1 <= attempts <= 5, f"{name}: maxAttempts is 1..5")
    delay = options.get("retryDelay", 0)
    report.check(isinstance(delay, int) and 0 <= delay <= 1500, f"{name}: retryDelay is 0..1500")


def _check_pages(root: Path, report: Report) -> set[str]:
    used: set[str] = set()
    pages = [*sorted((root / "app").rglob("*.html")), root / "config" / "iparams.html"]
    for page in (p for p in pages if p.exists()):
        text = page.read_text("utf-8")
        rel = page.relative_to(root)
        report.check("{{{appclient}}}" in text, f"{rel}: must load {{{{{{appclient}}}}}}")
        for attrs, body in SCRIPT_TAG.findall(text):
            report.check("src=" in attrs and not body.strip(), f"{rel}: no inline scripts")
        for src in SRC_ATTR.findall(text):
            report.check(not src.lower().startswith("http:"), f"{rel}: insecure source {src}")
            report.check("unpkg.com" not in src, f"{rel}: unpkg is rejected ({src})")
            local = not src.startswith(("https:", "{{{", "#", "data:"))
            if local:
                report.check((page.parent / src).exists(), f"{rel}: missing file {src}")
        report.check(not re.search(r"\son[a-z]+\s*=", text, re.I), f"{rel}: inline event handlers")
    for script in [*sorted((root / "app").rglob("*.js")), *sorted((root / "config").rglob("*.js"))]:
        text = script.read_text("utf-8")
        for pattern, message in FORBIDDEN_JS.items():
            report.check(not re.search(pattern, text), f"{script.relative_to(root)}: {message}")
        used.update(INVOKE.findall(text))
    return used


def validate_app(root: Path) -> Report:
    report = Report()
    manifest = _json(root / "manifest.json", report)
    requests = _json(root / "config" / "requests.json", report)
    if manifest is None or requests is None:
        return report
    report.check(
        manifest.get("platform-version") == "3.0", "manifest: platform-version must be 3.0"
    )
    for legacy in ("product", "whitelisted-domains"):
        report.check(legacy not in manifest, f"manifest: '{legacy}' is not allowed on platform 3.0")
    modules = manifest.get("modules", {})
    listed = set(modules.get("common", {}).get("requests", {}))
    report.check(
        listed == set(requests),
        f"manifest: modules.common.requests must list exactly the templates "
        f"({sorted(set(requests) ^ listed)})",
    )
    report.check(len(requests) <= 100, "requests.json: at most 100 templates")
    sidebar = modules.get("support_ticket", {}).get("location", {}).get("ticket_sidebar", {})
    for key in ("url", "icon"):
        value = sidebar.get(key)
        report.check(
            isinstance(value, str) and (root / "app" / value).is_file(),
            f"manifest: ticket_sidebar.{key} must name a file under app/",
        )
    engines = manifest.get("engines", {})
    report.check(engines.get("node") == "24.11.0", "manifest: engines.node must be 24.11.0")
    report.check(
        str(engines.get("fdk", "")).startswith("10."), "manifest: engines.fdk must be 10.x"
    )
    config = root / "config"
    report.check(
        (config / "iparams.json").exists() != (config / "iparams.html").exists(),
        "config: exactly one of iparams.json and iparams.html",
    )
    secure = secure_params(root)
    report.check(bool(secure), "iparams: the secure parameters must be declared")
    install_text = (
        (config / "assets" / "iparams.js").read_text("utf-8")
        if (config / "assets" / "iparams.js").exists()
        else ""
    )
    install_templates = set(INVOKE.findall(install_text))
    for name, tpl in requests.items():
        _check_template(name, tpl, secure, report, install_templates)
    used = _check_pages(root, report)
    report.check(
        used <= set(requests), f"scripts call unknown templates {sorted(used - set(requests))}"
    )
    report.check(set(requests) <= used, f"unused templates {sorted(set(requests) - used)}")
    return report
