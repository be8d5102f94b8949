"""The app's pages and scripts: what the platform needs, its lint, and our preferences."""

from __future__ import annotations

import re
from pathlib import Path

from . import rules
from .report import Report
from .source import SCRIPT_TAG, files, read_text, strip_comments

ASSET_TAG = re.compile(r"<(script|link)\b([^>]*)>", re.I)
URL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][\w-]*\b[^>]*\son[a-z]+\s*=", re.I)
# Platform lint errors (freshworks.dev/docs/guides/submission-guidelines/app-validation):
# no-eval and no-alert. Our text search cannot tell which files lint skips (e.g. vendored
# libraries), so these warn and fail only in --strict mode.
LINT = {
    r"\beval\s*\(": "eval() is a platform lint error (no-eval)",
    r"\bnew\s+Function\s*\(": "new Function() is a platform lint error (no-eval)",
    r"(?:(?<![\w.$])window\.|(?<![\w.$]))alert\s*\(": "alert() is a platform lint error (no-alert)",
}
# Project preferences, errors only in --strict mode.
PREFERENCES = {
    r"\bconsole\s*\.": "no console output (review guidelines: use notifications)",
    r"\bdebugger\b": "no debugger statements",
}


def check_pages(root: Path, location_pages: list[str], report: Report) -> None:
    pages = files(root, "app", ".html", ".htm")
    install = root / "config" / "iparams.html"
    if install.is_file():
        pages.append(install)
    entry = {root / "app" / p for p in location_pages} | {install}
    for page in pages:
        rel = page.relative_to(root).as_posix()
        text = read_text(page)
        if page in entry and "{{{appclient}}}" not in text:
            report.error(rel, "must load {{{appclient}}}, or app.initialized() never resolves")
        _check_assets(page, rel, text, report)
        for attrs, body in SCRIPT_TAG.findall(text):
            if body.strip() and "src" not in attrs.lower():
                report.prefer(rel, "no inline scripts")
        if INLINE_HANDLER.search(text):
            report.prefer(rel, "no inline event handlers (onclick=...)")


def _check_assets(page: Path, rel: str, text: str, report: Report) -> None:
    for tag, attrs in ASSET_TAG.findall(text):
        for url in URL_ATTR.findall(attrs):
            lower = url.lower()
            if lower.startswith("http:"):
                report.error(rel, f"insecure source {url}: the product page is https")
            elif "unpkg.com" in lower:
                report.error(rel, f"{url}: unpkg is a platform lint error; use jsDelivr or cdnjs")
            elif lower.startswith(("https:", "//")):
                if tag.lower() == "script" and not url.startswith(rules.CRAYONS_PREFIX):
                    report.prefer(rel, f"no CDN scripts other than Crayons ({url})")
            elif not lower.startswith(("{{{", "#", "data:")):
                local = re.split(r"[?#]", url, maxsplit=1)[0]
                if not (page.parent / local).exists():
                    report.error(rel, f"{url} does not exist")


def check_scripts(root: Path, secure: set[str], report: Report) -> None:
    front = files(root, "app", ".js")
    config = files(root, "config", ".js")
    for script in [*front, *config, *files(root, "server", ".js")]:
        rel = script.relative_to(root).as_posix()
        text = strip_comments(read_text(script))
        for pattern, message in LINT.items():
            if re.search(pattern, text):
                report.lint(rel, message)
        if script in front or script in config:
            for pattern, message in PREFERENCES.items():
                if re.search(pattern, text):
                    report.prefer(rel, message)
        if script in front:
            for name in sorted(secure):
                if re.search(rf"iparams\.get\(\s*['\"]{re.escape(name)}['\"]", text):
                    report.warn(rel, f"reads secure iparam {name}; the front end gets undefined")
