"""Crayons for the demo, offline: a pinned copy of the npm package in place of the CDN.

The app loads Crayons from jsDelivr, as published apps do. The demo serves the same
files from ``demo/vendor/node_modules/@freshworks/crayons`` (``make demo`` installs the
pinned version with npm) and, by default, points the app's pages at that copy. The
browser tests instead keep the pages unmodified and answer the CDN's URLs from the same
copy with Playwright routes. Without the copy, the app runs with its plain controls.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: The CDN path the app's pages use (jsDelivr's path of the npm package).
CDN_RE = re.compile(r"https://cdn\.jsdelivr\.net/npm/@freshworks/crayons@[^/\"']+/")
CDN_ORIGIN = "https://cdn.jsdelivr.net"
LOCAL_PREFIX = "/_vendor/crayons/"
PACKAGE = Path("node_modules") / "@freshworks" / "crayons"


def crayons_dir() -> Path | None:
    """The installed copy: ``UFD_DEMO_CRAYONS_DIR``, or the demo's own vendor folder."""
    configured = os.environ.get("UFD_DEMO_CRAYONS_DIR")
    candidates = [Path(configured)] if configured else []
    candidates.append(Path(__file__).parent / "vendor" / PACKAGE)
    return next((c for c in candidates if (c / "dist" / "crayons").is_dir()), None)


def to_local(html: str) -> str:
    """Point the page's Crayons scripts at the local copy."""
    return CDN_RE.sub(LOCAL_PREFIX, html)


def vendor_file(root: Path | None, rel: str) -> Path | None:
    """A file of the copy, or None (outside it, or missing)."""
    if root is None:
        return None
    base = root.resolve()
    target = (base / rel).resolve()
    return target if base in target.parents and target.is_file() else None
