"""fdk's lint (rules.LINT_RULES), as far as a reading of the scripts can check it without false
alarms.

Each rule follows ESLint's, with fdk's options (FDK-LINT): no-unused-vars and no-empty-function
skip minified files; eslint comments in the code turn rules off (`eslint-disable`,
`-line`, `-next-line`, `/* eslint rule: off */`), as fdk lets them. Where a construct is
unusual a rule says nothing rather than guess: a `return` is judged only when it is a statement
of its own block, a loop's direction only for `i < n; i--` shapes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from . import rules
from .js import NOT_METHODS, Function, Script, read, split_commas
from .jstokens import OPENERS, Token
from .unused import Finding, unused_vars, uses

GLOBAL_OBJECTS = ("window", "globalThis", "self")
ALERTS = ("alert", "confirm", "prompt")
JUMPS = ("return", "throw", "break", "continue")
# After a jump these are not unreachable code: hoisted declarations, the next case, an end.
NOT_CODE = ("function", "var", "case", "default", ";", "}")
COMPARISONS = {"<": 1, "<=": 1, ">": -1, ">=": -1}
DIRECTIVE = re.compile(
    r"^\s*(eslint-disable-next-line|eslint-disable-line|eslint-disable|eslint-enable|eslint)"
    r"(?=\s|$)(.*)$",
    re.S,
)
COMMENTS = re.compile(r"/\*[\S\s]*?\*/|//(.+|\n)")


def minified(src: str) -> bool:
    """FDK-LINT's test: fewer than 20% of the lines (comments removed) are indented."""
    count = len(src.split("\n"))
    lines = COMMENTS.sub("", src).split("\n")[: count - 1]
    indented = sum(1 for line in lines if re.match(r"\s+", line))
    return indented / (len(lines) + 1) * 100 < rules.MINIFIED_INDENT_PERCENT


def _describe(fn: Function) -> str:
    if fn.kind == "method":
        return f"method '{fn.name}'"
    if fn.kind == "arrow":
        return "arrow function"
    return f"function '{fn.name}'" if fn.name else "function"


def _global_call(script: Script, k: int, names: tuple[str, ...]) -> bool:
    """A call of ``names`` as a global: `eval(`, or `window.eval(`."""
    token = script.tokens[k]
    if token.kind != "name" or token.text not in names or not script.is_punct(k + 1, "("):
        return False
    if not script.member(k):
        return True
    return script.is_name(k - 2, *GLOBAL_OBJECTS) and not script.member(k - 2)


def _declared(script: Script) -> set[str]:
    """Names the script declares itself (a function `confirm` is no alert)."""
    names = {f.name for f in script.functions if f.name_at is not None and f.name}
    names |= {p.name for f in script.functions for p in f.param_list if p.name}
    for k, token in enumerate(script.tokens):
        declares = token.kind == "name" and token.text in ("var", "let", "const", "class")
        if declares and script.is_name(k + 1):
            names.add(script.tokens[k + 1].text)
    return names


def _token_rules(script: Script) -> list[Finding]:
    found: list[Finding] = []
    declared = _declared(script)
    for k, token in enumerate(script.tokens):
        if token.kind == "name" and not script.member(k):
            if token.text == "debugger":
                found.append(Finding("no-debugger", token.line, "Unexpected 'debugger' statement"))
            elif token.text == "new" and script.is_name(k + 1, "Symbol", "BigInt"):
                name = script.tokens[k + 1].text
                message = f"'{name}' cannot be called as a constructor"
                found.append(Finding("no-new-native-nonconstructor", token.line, message))
        if _global_call(script, k, ("eval",)):
            found.append(Finding("no-eval", token.line, "eval can be harmful"))
        elif _global_call(script, k, ALERTS) and token.text not in declared:
            found.append(Finding("no-alert", token.line, f"Unexpected {token.text}"))
        elif (
            token.kind == "punct"
            and token.text in ("==", "!=")
            and (script.is_name(k - 1, "null") or script.is_name(k + 1, "null"))
        ):
            found.append(Finding("no-eq-null", token.line, "Use '===' to compare with null"))
    return found


def _starts_statement(previous: Token, token: Token) -> bool:
    """After a line break, whether ``token`` begins a new statement (automatic semicolon)."""
    ends = previous.kind in ("name", "num", "str", "regex", "template") or previous.text in (
        ")",
        "]",
        "}",
    )
    starts = token.kind in ("name", "num", "str", "regex")
    return ends and starts and token.text not in ("in", "of", "instanceof")


def _expression_end(script: Script, start: int) -> int:
    j = start
    while j < len(script.tokens):
        token = script.tokens[j]
        if token.kind == "punct":
            if token.text in OPENERS and script.match[j] > j:
                j = script.match[j] + 1
                continue
            if token.text in (";", ")", "]", "}"):
                return j
        elif j > start and token.nl and _starts_statement(script.tokens[j - 1], token):
            return j
        j += 1
    return j


def _jump_end(script: Script, k: int) -> int:
    """Just past the return, throw, break or continue statement at ``k``."""
    j = k + 1
    if script.tokens[k].text in ("break", "continue"):
        j += script.is_name(j) and not script.tokens[j].nl  # a label
    elif j < len(script.tokens) and not (script.tokens[k].text == "return" and script.tokens[j].nl):
        j = _expression_end(script, j)
    return j + 1 if script.is_punct(j, ";") else j


def _unreachable(script: Script) -> list[Finding]:
    found: list[Finding] = []
    for k, token in enumerate(script.tokens):
        if token.kind != "name" or token.text not in JUMPS or script.member(k):
            continue
        before = script.tokens[k - 1].text if k else "{"
        block = script.opener[k]
        if before not in ("{", ";", "}") or block < 0 or not script.is_punct(block, "{"):
            continue  # not a statement of its own block (`if (x) return;`, a case)
        following = _jump_end(script, k)
        if following >= len(script.tokens) or following == script.match[block]:
            continue
        if script.tokens[following].text not in NOT_CODE:
            line = script.tokens[following].line
            found.append(Finding("no-unreachable", line, "Unreachable code"))
    return found


def _empty_functions(script: Script) -> list[Finding]:
    found: list[Finding] = []
    for fn in script.functions:
        if not fn.block or fn.body[1] - fn.body[0] != 2:
            continue
        opening, closing = script.tokens[fn.body[0]].pos, script.tokens[fn.body[1] - 1].pos
        if any(opening < comment.pos < closing for comment in script.comments):
            continue  # a comment says why it is empty: ESLint allows it
        line = script.tokens[fn.start].line
        found.append(Finding("no-empty-function", line, f"Unexpected empty {_describe(fn)}"))
    return found


def _require_await(script: Script) -> list[Finding]:
    found: list[Finding] = []
    for index, fn in enumerate(script.functions):
        start, end = fn.body
        if not fn.is_async or fn.generator or (fn.block and end - start == 2):
            continue
        if any(
            script.owner[k] == index and script.is_name(k, "await") and not script.member(k)
            for k in range(start, end)
        ):
            continue
        message = f"Async {_describe(fn)} has no 'await' expression"
        found.append(Finding("require-await", script.tokens[fn.start].line, message))
    return found


def _direction(script: Script, start: int, end: int, counter: str) -> int:
    """+1 when a for loop's update counts ``counter`` up, -1 down, 0 when it cannot tell."""
    texts = [script.tokens[k].text for k in range(start, end)]
    steps = {"++": 1, "--": -1}
    if texts in ([counter, "++"], ["++", counter], [counter, "--"], ["--", counter]):
        return steps[texts[1] if texts[0] == counter else texts[0]]
    step = len(texts) == 3 and texts[0] == counter and texts[1] in ("+=", "-=")
    if step and script.tokens[start + 2].kind == "num" and texts[2].strip("0.") != "":
        return 1 if texts[1] == "+=" else -1
    return 0


def _for_direction(script: Script) -> list[Finding]:
    found: list[Finding] = []
    for k, token in enumerate(script.tokens):
        if not script.is_name(k, "for") or script.member(k) or not script.is_punct(k + 1, "("):
            continue
        parts = split_commas(script, k + 2, script.match[k + 1], ";")
        if len(parts) != 3:
            continue
        (test, _), (update, update_end) = parts[1], parts[2]
        if not script.is_name(test) or script.tokens[test + 1].text not in COMPARISONS:
            continue
        wanted = COMPARISONS[script.tokens[test + 1].text]
        if _direction(script, update, update_end, script.tokens[test].text) == -wanted:
            message = "The update clause in this loop moves the variable in the wrong direction"
            found.append(Finding("for-direction", token.line, message))
    return found


def _is_callback(script: Script, fn: Function) -> bool:
    if not (script.is_punct(fn.start - 1, "(") or script.is_punct(fn.start - 1, ",")):
        return False
    call = script.opener[fn.start]
    if call < 1 or not script.is_punct(call, "("):
        return False
    callee = script.tokens[call - 1]
    return callee.text in (")", "]") or (
        callee.kind == "name" and callee.text not in NOT_METHODS | {"await", "in", "of"}
    )


def _nested_callbacks(script: Script) -> list[Finding]:
    found: list[Finding] = []
    callbacks = [_is_callback(script, fn) for fn in script.functions]
    for index, fn in enumerate(script.functions):
        if not callbacks[index]:
            continue
        depth, parent = 1, fn.parent
        while parent >= 0:
            depth += callbacks[parent]
            parent = script.functions[parent].parent
        if depth > rules.MAX_NESTED_CALLBACKS:
            message = (
                f"Too many nested callbacks ({depth}). Maximum allowed is "
                f"{rules.MAX_NESTED_CALLBACKS}"
            )
            found.append(Finding("max-nested-callbacks", script.tokens[fn.start].line, message))
    return found


def _callback_errors(script: Script) -> list[Finding]:
    """handle-callback-err: a first parameter named like an error that is never used."""
    found: list[Finding] = []
    for fn in script.functions:
        first = fn.param_list[0] if fn.param_list else None
        if first is None or first.name is None or not re.match(rules.CALLBACK_ERROR, first.name):
            continue
        read_, _ = uses(script, first.name, fn.params[0], fn.end, {first.at})
        if not read_:
            line = script.tokens[first.at].line
            found.append(Finding("handle-callback-err", line, "Expected error to be handled"))
    return found


def _allowed(script: Script) -> Callable[[Finding], bool]:
    """Whether the script's own eslint comments leave a finding on."""
    off: list[tuple[str, int, float]] = []
    opened: dict[str, int] = {}
    for comment in script.comments:
        directive = DIRECTIVE.match(comment.text)
        if directive is None:
            continue
        kind, rest = directive.group(1), directive.group(2).split("--")[0]
        names = [name.strip() for name in rest.split(",") if name.strip()]
        if kind == "eslint":
            for pair in names:
                rule, _, level = pair.partition(":")
                if level.strip().strip("'\"") in ("off", "0"):
                    off.append((rule.strip(), 1, math.inf))
            continue
        names = names or ["*"]
        if kind == "eslint-disable-line":
            off += [(name, comment.line, comment.line) for name in names]
        elif kind == "eslint-disable-next-line":
            off += [(name, comment.end_line + 1, comment.end_line + 1) for name in names]
        elif kind == "eslint-disable":
            for name in names:
                opened.setdefault(name, comment.line)
        else:
            for name in list(opened) if names == ["*"] else names:
                if name in opened:
                    off.append((name, opened.pop(name), comment.line))
    off += [(name, start, math.inf) for name, start in opened.items()]

    def allowed(finding: Finding) -> bool:
        return not any(
            name in ("*", finding.rule) and low <= finding.line <= high for name, low, high in off
        )

    return allowed


def lint_script(src: str) -> list[Finding]:
    """fdk's lint findings for one script, in line order."""
    script = read(src)
    found = _token_rules(script) + _unreachable(script) + _for_direction(script)
    found += _require_await(script) + _nested_callbacks(script) + _callback_errors(script)
    if not minified(src):
        found += _empty_functions(script) + unused_vars(script)
    allowed = _allowed(script)
    return sorted({f for f in found if allowed(f)}, key=lambda f: (f.line, f.rule, f.message))
