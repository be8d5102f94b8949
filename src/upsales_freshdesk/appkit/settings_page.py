"""The custom settings page (config/iparams.html): its global functions, what it stores and
declares secure, and what validate() answers the platform.

Sources: MKT-IPARAMS, CUSTOM-PAGE and MKT-CIPERR (rules.PAGE_REQUIRED, PAGE_DISPUTED), and the
2026 samples in github freshworks-developers/configuration-page-samples (iparams-html), which
define the functions at the top level of config/assets/iparams.js, where the platform calls them.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import rules
from .js import Function, Script, read
from .report import Report
from .source import block_at, files, inline_scripts, read_text

WHERE = "config/iparams.html"
SECRET_NAME = re.compile(r"api_?key|apikey|secret|token|password|passwd|private_?key", re.I)
INPUT_TAG = re.compile(r"<(?:input|fw-input|select|fw-select|textarea|fw-textarea)\b[^>]*>", re.I)
ATTR = re.compile(r"""\b(id|name|type)\s*=\s*["']([^"']*)["']""", re.I)
NAME = re.compile(r"""["'`]([A-Za-z_$][\w$.-]*)["'`]|\b([A-Za-z_$][\w$]*)\s*:""")
STRINGS = re.compile(r"""["'`]([^"'`]+)["'`]""")
NON_BOOLEAN = re.compile(r"""^(?:$|["'`]|-?\d|null\b|undefined\b|\{|\[|NaN\b)""")
GLOBAL_OBJECTS = ("window", "globalThis", "self")


def page_script(root: Path) -> str:
    """The installation page's own JavaScript: its inline scripts and config/assets/**.js."""
    page = read_text(root / "config" / "iparams.html")
    scripts = [read_text(p) for p in files(root, "config/assets", ".js")]
    return "\n;\n".join([inline_scripts(page), *scripts])


def _is_global(script: Script, fn: Function) -> bool:
    """Declared at the top level, or assigned to `window.name`: where the platform calls it."""
    if fn.kind == "method":
        return False
    if fn.parent == -1:
        return True
    at = fn.start
    return (
        script.is_punct(at - 1, "=")
        and script.is_punct(at - 3, ".")
        and script.is_name(at - 4, *GLOBAL_OBJECTS)
    )


def _find(script: Script, name: str, report: Report) -> Function | None:
    """The page's function ``name``, preferring the global one; warns when none is global."""
    named = [fn for fn in script.functions if fn.name == name]
    chosen = next((fn for fn in named if _is_global(script, fn)), None)
    if chosen is None and named:
        report.warn(
            WHERE,
            f"{name}() is defined inside another function or object; the platform calls the "
            f"page's global {name}() (configuration-page-samples define it at the top level)",
        )
        chosen = named[0]
    return chosen


def check_page(root: Path, report: Report) -> tuple[set[str] | None, set[str]]:
    """The names the page stores (None when unknown) and those it declares secure."""
    page = read_text(root / "config" / "iparams.html")
    js = page_script(root)
    script = read(js)
    fields, secret_inputs = _page_inputs(page)
    found = {name: _find(script, name, report) for name in rules.PAGE_REQUIRED}
    for name in rules.PAGE_REQUIRED:
        if found[name] is None:
            report.error(WHERE, f"a custom settings page must define {name}() (MKT-IPARAMS)")
    for name in rules.PAGE_DISPUTED:
        found[name] = _find(script, name, report)
        if found[name] is None:
            report.warn(
                WHERE,
                f"no {name}(): fdk's error text calls getConfigs, postConfigs and validate "
                "mandatory (MKT-CIPERR), the v3.0 docs describe them as optional (Edit Settings, "
                "client-side checks); the sources disagree",
            )
    post = found["postConfigs"]
    post_body = script.text(*post.body) if post is not None else ""
    declared, secure = secure_list(js)
    stored = fields | _names(post_body)
    secrets = sorted(n for n in stored if SECRET_NAME.search(n)) or sorted(secret_inputs)
    if post is not None and secrets and not declared:
        report.error(
            WHERE,
            f"postConfigs() stores the keys {secrets} without __meta.secure, so the platform "
            "keeps them as plain, readable settings (MKT-IPARAMS)",
        )
    elif secure is not None and (missing := [n for n in secrets if n not in secure]):
        report.warn(WHERE, f"{missing} look like keys but are not in __meta.secure")
    if found["validate"] is not None:
        _check_validate(script, found["validate"], report)
    defined = stored | _names(js) if post is not None else None
    return defined, secure or set()


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


def _answer(script: Script, start: int, end: int) -> str:
    """The text of an answer, without wrapping brackets; `Promise.resolve(x)` answers x."""
    while end - start > 1 and script.is_punct(start, "(") and script.match[start] == end - 1:
        start, end = start + 1, end - 1
    text = script.text(start, end)
    match = re.fullmatch(r"Promise\s*\.\s*resolve\s*\((.*)\)", text, re.S)
    return match.group(1).strip() if match else text


def _returns(script: Script, index: int) -> list[str]:
    """What the function's own return statements give; the returns of functions nested in it
    (a `.then()` callback's, say) are theirs, not its."""
    fn = script.functions[index]
    if not fn.block:
        return [_answer(script, *fn.body)]
    found: list[str] = []
    for k in range(*fn.body):
        if script.owner[k] != index or not script.is_name(k, "return") or script.member(k):
            continue
        if script.tokens[k + 1].nl:
            found.append("")  # `return` then a line break returns undefined
        else:
            found.append(_answer(script, k + 1, script.statement_end(k + 1)))
    return found


def _resolves(script: Script, index: int) -> list[str]:
    """The values passed to the resolve function of a `new Promise(...)` made in the function."""
    outer = script.functions[index]
    found: list[str] = []
    for fn in script.functions:
        start = fn.start
        inside = outer.body[0] <= start < outer.body[1]
        if not inside or not script.is_name(start - 2, "Promise") or not fn.param_list:
            continue
        resolve = fn.param_list[0].name
        if not (script.is_name(start - 3, "new") and script.is_punct(start - 1, "(") and resolve):
            continue
        for k in range(fn.body[0], fn.end):
            called = script.is_name(k) and script.is_punct(k + 1, "(") and not script.member(k)
            if called and script.tokens[k].text == resolve:
                found.append(script.text(k + 2, script.match[k + 1]))
    return found


def _check_validate(script: Script, fn: Function, report: Report) -> None:
    """validate() must return or resolve to true or false (MKT-IPARAMS; CPS iparams.js)."""
    index = script.functions.index(fn)
    results = _returns(script, index) + _resolves(script, index)
    bad = [text.strip() or "undefined" for text in results if NON_BOOLEAN.match(text.strip())]
    if not results:
        bad.append("undefined (it returns nothing)")
    if bad:
        report.error(
            WHERE,
            f"validate() must return or resolve to true or false, not {', '.join(bad)} "
            "(MKT-IPARAMS)",
        )
