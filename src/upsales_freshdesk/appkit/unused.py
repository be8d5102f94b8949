"""no-unused-vars as fdk runs it: variables local to a function, and unused trailing parameters.

FDK-LINT sets {vars: "local"} (top-level names are globals other scripts may use) and ESLint's
default args "after-used" (a parameter before a used one is kept for its position); SKILL adds
that a leading `_` does not exempt one. Catch parameters are not checked (ESLint's default then).
A name counts as used wherever it is read in the function, nested functions included; a name
declared again in an inner scope also counts, so a shadowed variable may go unreported, never
the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

from .js import Function, Script, pattern_names

DECLARATIONS = ("var", "let", "const")
INITIALIZER_ENDS = (",", ";", ")", "]", "}")


@dataclass(frozen=True)
class Finding:
    rule: str
    line: int
    message: str


@dataclass(frozen=True)
class Declared:
    name: str
    at: int
    assigned: bool


def _method_names(script: Script) -> set[int]:
    return {f.name_at for f in script.functions if f.kind == "method" and f.name_at is not None}


def _is_key(script: Script, k: int) -> bool:
    """An object key or pattern key (`{ k: v }`), or a label after break/continue."""
    if script.is_punct(k + 1, ":") and (script.is_punct(k - 1, "{") or script.is_punct(k - 1, ",")):
        return True
    return script.is_name(k - 1, "break", "continue")


def uses(script: Script, name: str, start: int, end: int, skip: set[int]) -> tuple[bool, bool]:
    """Whether ``name`` is read, and whether it is assigned, in tokens ``start..end``."""
    read = written = False
    for k in range(start, end):
        token = script.tokens[k]
        if token.kind != "name" or token.text != name or k in skip:
            continue
        if script.member(k) or _is_key(script, k):
            continue
        if script.is_punct(k + 1, "="):
            written = True
        else:
            read = True
            break
    return read, written


def _initializer_end(script: Script, start: int) -> int:
    j = start
    while j < len(script.tokens):
        token = script.tokens[j]
        if token.kind == "punct" and token.text in ("(", "[", "{") and script.match[j] > j:
            j = script.match[j] + 1
            continue
        if token.kind == "punct" and token.text in INITIALIZER_ENDS:
            break
        if script.is_name(j, "of", "in") and j > start:
            break
        if j > start and token.nl and token.kind == "name" and token.text in DECLARATIONS:
            break
        j += 1
    return j


def _declarators(script: Script, k: int) -> list[Declared]:
    """The names a `var`/`let`/`const` at token ``k`` declares."""
    found: list[Declared] = []
    j = k + 1
    while j < len(script.tokens):
        if script.is_name(j):
            targets, after = [j], j + 1
        elif (script.is_punct(j, "{") or script.is_punct(j, "[")) and script.match[j] > j:
            targets, after = pattern_names(script, j, script.match[j] + 1), script.match[j] + 1
        else:
            break
        assigned = script.is_punct(after, "=")
        if assigned:
            after = _initializer_end(script, after + 1)
        found += [Declared(script.tokens[t].text, t, assigned) for t in targets]
        if not script.is_punct(after, ","):
            break
        j = after + 1
    return found


def _declared_in(script: Script, index: int) -> list[Declared]:
    fn = script.functions[index]
    found: list[Declared] = []
    for k in range(fn.body[0], fn.body[1]):
        token = script.tokens[k]
        if script.owner[k] != index or token.kind != "name" or script.member(k):
            continue
        if token.text in DECLARATIONS and not script.is_punct(k + 1, ":"):
            found += _declarators(script, k)
        elif token.text == "class" and script.is_name(k + 1):
            before = script.tokens[k - 1].text if k else ";"
            if before in (";", "{", "}"):
                found.append(Declared(script.tokens[k + 1].text, k + 1, False))
    for inner in script.functions:
        if inner.parent == index and inner.declaration and inner.name_at is not None:
            found.append(Declared(inner.name or "", inner.name_at, False))
    return found


def _unused_locals(script: Script, index: int, methods: set[int]) -> list[Finding]:
    fn = script.functions[index]
    findings: list[Finding] = []
    for item in _declared_in(script, index):
        read, written = uses(script, item.name, fn.start, fn.end, methods | {item.at})
        if not read:
            what = "assigned a value" if item.assigned or written else "defined"
            line = script.tokens[item.at].line
            message = f"'{item.name}' is {what} but never used"
            findings.append(Finding("no-unused-vars", line, message))
    return findings


def _setter(script: Script, fn: Function) -> bool:
    return fn.kind == "method" and script.is_name(fn.start, "set")


def _unused_params(script: Script, index: int, methods: set[int]) -> list[Finding]:
    fn = script.functions[index]
    if _setter(script, fn):
        return []
    findings: list[Finding] = []
    for param in reversed(fn.param_list):
        if param.name is None:
            break  # a pattern: taken as used, and the parameters before it keep their place
        read, _ = uses(script, param.name, fn.params[0], fn.end, methods | {param.at})
        if read:
            break
        line = script.tokens[param.at].line
        message = f"'{param.name}' is defined but never used"
        findings.append(Finding("no-unused-vars", line, message))
    return findings


def unused_vars(script: Script) -> list[Finding]:
    methods = _method_names(script)
    findings: list[Finding] = []
    for index in range(len(script.functions)):
        findings += _unused_params(script, index, methods)
        findings += _unused_locals(script, index, methods)
    return findings
