"""The app's pages: what the platform needs of them, and our preferences.

Their scripts are checked in :mod:`.scripts`.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import rules
from .report import Report
from .source import SCRIPT_TAG, files, read_text

ASSET_TAG = re.compile(r"<(script|link)\b([^>]*)>", re.I)
URL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][\w-]*\b[^>]*\son[a-z]+\s*=", re.I)


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
