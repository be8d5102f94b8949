"""The app's own scripts: fdk's lint, secure iparams read in the front end, bodies with
placeholders, and this project's preferences.

The scripts are the .js files under app/, config/ and server/ (fdk lints app/ and server/,
FDK-LINT; config/assets/ is linted here too, as Freshworks' 2026 settings-page samples silence
fdk's no-unused-vars there) and the inline scripts of the pages, which fdk does not lint but
whose secure reads and bodies fail the same way.
"""

from __future__ import annotations

from pathlib import Path

from . import rules
from .js import Script, arguments_of, read
from .lint import lint_script
from .report import Report
from .source import files, inline_scripts, read_text

PLACEHOLDER_MARK = "<%"


def _lint(rel: str, text: str, report: Report) -> None:
    for finding in lint_script(text):
        level = rules.LINT_RULES[finding.rule]
        where = f"{rel}:{finding.line}"
        message = f"{finding.message} ({finding.rule}, an fdk lint {level})"
        if level == "error":
            report.lint(where, message)
        else:
            report.warn(where, message)


def _preferences(rel: str, script: Script, report: Report) -> None:
    """This project's own rules (errors only with --strict)."""
    for k, token in enumerate(script.tokens):
        if token.kind != "name" or script.member(k):
            continue
        if token.text == "console" and script.is_punct(k + 1, "."):
            report.prefer(f"{rel}:{token.line}", "no console output (use notifications)")
        elif token.text == "new" and script.is_name(k + 1, "Function"):
            report.prefer(f"{rel}:{token.line}", "no new Function() (eval by another name)")


def _literal(script: Script, start: int, end: int) -> str | None:
    """The text of a string literal (or a template without substitutions) spanning a range."""
    if end - start != 1 or script.tokens[start].kind not in ("str", "template"):
        return None
    text = script.tokens[start].text
    if text.startswith("`") and (not text.endswith("`") or "${" in text):
        return None
    return text[1:-1]


def _iparams_get(script: Script, k: int) -> bool:
    """Whether token ``k`` is `get` in `<...>.iparams.get(`."""
    return (
        script.is_name(k, "get")
        and script.is_punct(k + 1, "(")
        and script.member(k)
        and script.is_name(k - 2, "iparams")
    )


def _keys(script: Script, brace: int) -> list[tuple[str, int]]:
    """The top-level keys of an object pattern `{ a, b: c, ...d }`."""
    found: list[tuple[str, int]] = []
    for start, _ in arguments_of(script, brace) if script.is_punct(brace, "{") else []:
        token = script.tokens[start]
        if token.kind in ("name", "str"):
            found.append((token.text.strip("'\""), start))
    return found


def _property_reads(script: Script, name: str, start: int, end: int) -> list[tuple[str, int]]:
    """`name.key`, `name?.key` and `name['key']` in tokens ``start..end``."""
    found: list[tuple[str, int]] = []
    for k in range(start, end):
        if not script.is_name(k) or script.tokens[k].text != name or script.member(k):
            continue
        if script.is_punct(k + 1, ".") or script.is_punct(k + 1, "?."):
            if script.is_name(k + 2):
                found.append((script.tokens[k + 2].text, k + 2))
        elif script.is_punct(k + 1, "[") and (key := _literal(script, k + 2, k + 3)) is not None:
            found.append((key, k + 2))
    return found


def _result_reads(script: Script, call: int) -> list[tuple[str, int]]:
    """What is read of the value an `iparams.get()` whose `(` is at ``call`` resolves to."""
    close = script.match[call]
    start = call - 3  # `iparams` in client.iparams.get(; then back to the chain's first name
    while script.member(start) and start >= 2:
        start -= 2
    before = start - 1 if script.is_name(start - 1, "await") else start
    found: list[tuple[str, int]] = []
    if script.is_punct(before - 1, "=") and script.is_punct(before - 2, "}"):
        found += _keys(script, script.match[before - 2])  # const { a } = await ...get()
    elif script.is_punct(before - 1, "=") and script.is_name(before - 2):
        owner = script.owner[call]
        end = script.functions[owner].end if owner >= 0 else len(script.tokens)
        found += _property_reads(script, script.tokens[before - 2].text, close, end)
    wrapped = script.is_punct(close + 1, ")") and script.is_punct(close + 2, ".")
    if wrapped and script.is_name(close + 3):  # (await client.iparams.get()).a
        found.append((script.tokens[close + 3].text, close + 3))
    if script.is_name(close + 2, "then") and script.is_punct(close + 3, "("):
        callback = next((f for f in script.functions if f.start == close + 4), None)
        first = callback.param_list[0] if callback and callback.param_list else None
        if callback is not None and first is not None and first.name:
            found += _property_reads(script, first.name, callback.body[0], callback.end)
        elif callback is not None and first is not None:
            found += _keys(script, first.at)
    return found


def _secure_reads(rel: str, script: Script, secure: set[str], report: Report) -> None:
    """Secure iparams never reach the front end (INSTALL-PAGE; MKT-CIPERR; MKT-IPARAMS)."""
    for k in range(len(script.tokens)):
        if not _iparams_get(script, k):
            continue
        args = arguments_of(script, k + 1)
        named = [(key, args[0][0])] if args and (key := _literal(script, *args[0])) else []
        for name, at in named or _result_reads(script, k + 1):
            if name in secure:
                report.error(
                    f"{rel}:{script.tokens[at].line}",
                    f"reads secure iparam {name} with client.iparams.get: the front end never "
                    "gets secure iparams; they reach only request headers (installation-page "
                    "docs)",
                )


def _body_placeholders(rel: str, script: Script, report: Report) -> None:
    """A body passed to invokeTemplate is sent as it is (RMS: "Request body is passed at runtime
    and not added to the template"): placeholders in it are never substituted."""
    for k in range(len(script.tokens)):
        if not (script.is_name(k, "invokeTemplate") and script.is_punct(k + 1, "(")):
            continue
        args = arguments_of(script, k + 1)
        if len(args) < 2 or not script.is_punct(args[1][0], "{"):
            continue
        options = args[1][0]
        for start, end in arguments_of(script, options):
            key = script.tokens[start].text.strip("'\"")
            if key != "body" or script.tokens[start].kind not in ("name", "str"):
                continue
            if not script.is_punct(start + 1, ":"):
                continue
            for j in range(start + 2, end):
                token = script.tokens[j]
                if token.kind in ("str", "template") and PLACEHOLDER_MARK in token.text:
                    name = _literal(script, *args[0]) or "?"
                    report.error(
                        f"{rel}:{token.line}",
                        f"the body passed to invokeTemplate('{name}') holds a <%= %> placeholder, "
                        "which the platform never substitutes in a body (RMS); put the value in "
                        "a template field or compute it in the code",
                    )


def check_scripts(root: Path, secure: set[str], report: Report) -> None:
    front = files(root, "app", ".js")
    others = [*files(root, "config", ".js"), *files(root, "server", ".js")]
    for path in [*front, *others]:
        rel = path.relative_to(root).as_posix()
        text = read_text(path)
        script = read(text)
        _lint(rel, text, report)
        if not rel.startswith("server/"):
            _preferences(rel, script, report)
        if path in front:
            _secure_reads(rel, script, secure, report)
        _body_placeholders(rel, script, report)
    pages = files(root, "app", ".html", ".htm")
    if (root / "config" / "iparams.html").is_file():
        pages.append(root / "config" / "iparams.html")
    for page in pages:
        rel = page.relative_to(root).as_posix()
        script = read(inline_scripts(read_text(page)))
        if rel.startswith("app/"):
            _secure_reads(rel, script, secure, report)
        _body_placeholders(rel, script, report)
