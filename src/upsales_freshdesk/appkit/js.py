"""A small reader of an app's JavaScript: matching brackets, functions and who owns each token.

It is not a parser. It knows what the checks need: which brackets match; where each function
starts and ends, what its parameters are and which function owns each token (the tokens are
:mod:`.jstokens`'s, where strings, templates, regular expressions and comments are not code).
Where code is unusual it leaves things out, so a check built on it reports less rather than
something untrue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .jstokens import OPENERS, Comment, Token, tokenize

# Words that begin a statement: a line starting with one ends the expression before it.
STATEMENT_WORDS = set(
    "const let var function class if for while do return switch try throw export import break "
    "continue".split()
)
# `name(...) {` with these names is a statement, not a method.
NOT_METHODS = {"if", "for", "while", "switch", "catch", "with", "function", "return", "typeof"}
METHOD_MODIFIERS = {"async", "get", "set", "static"}


@dataclass
class Param:
    name: str | None  # None for a destructuring pattern
    at: int  # token index of the name (or of the pattern's first token)


@dataclass
class Function:
    name: str | None
    name_at: int | None  # the name token of a declaration or a method
    kind: str  # function, arrow, method
    declaration: bool
    is_async: bool
    generator: bool
    start: int  # first token (async, function, the method's name, or the parameters)
    params: tuple[int, int]  # token range of the parameter list, brackets excluded
    body: tuple[int, int]  # token range of the body: with its braces when block is true
    block: bool
    parent: int = -1  # index in Script.functions, -1 at the top level
    param_list: list[Param] = field(default_factory=list)

    @property
    def end(self) -> int:
        return self.body[1]


@dataclass
class Script:
    source: str
    tokens: list[Token]
    comments: list[Comment]
    match: list[int]  # index of the matching bracket, -1 for none
    opener: list[int]  # index of the innermost open bracket around each token, -1 for none
    functions: list[Function]
    owner: list[int]  # index of the innermost function each token belongs to, -1 for none

    def text(self, start: int, end: int) -> str:
        """The source text of the tokens ``start`` to ``end`` (exclusive)."""
        if start >= end:
            return ""
        last = self.tokens[end - 1]
        return self.source[self.tokens[start].pos : last.pos + len(last.text)]

    def is_punct(self, index: int, text: str) -> bool:
        return (
            0 <= index < len(self.tokens)
            and self.tokens[index].kind == "punct"
            and (self.tokens[index].text == text)
        )

    def is_name(self, index: int, *texts: str) -> bool:
        if not 0 <= index < len(self.tokens) or self.tokens[index].kind != "name":
            return False
        return not texts or self.tokens[index].text in texts

    def member(self, index: int) -> bool:
        """Whether the token at ``index`` follows a `.` or `?.` (a property, not a variable)."""
        return self.is_punct(index - 1, ".") or self.is_punct(index - 1, "?.")

    def statement_end(self, start: int) -> int:
        """The index just past the expression or statement that begins at ``start``."""
        question = 0
        j = start
        while j < len(self.tokens):
            token = self.tokens[j]
            if j > start and token.nl and token.kind == "name" and token.text in STATEMENT_WORDS:
                break
            if token.kind == "punct":
                if token.text in OPENERS and self.match[j] > j:
                    j = self.match[j] + 1
                    continue
                if token.text in (")", "]", "}", ",", ";"):
                    break
                if token.text == "?":
                    question += 1
                elif token.text == ":":
                    if not question:
                        break
                    question -= 1
            j += 1
        return j


def _brackets(tokens: list[Token]) -> tuple[list[int], list[int]]:
    match = [-1] * len(tokens)
    opener = [-1] * len(tokens)
    stack: list[int] = []
    for k, token in enumerate(tokens):
        opener[k] = stack[-1] if stack else -1
        if token.kind != "punct":
            continue
        if token.text in OPENERS:
            stack.append(k)
        elif stack and OPENERS.get(tokens[stack[-1]].text) == token.text:
            start = stack.pop()
            match[start], match[k] = k, start
            opener[k] = stack[-1] if stack else -1
    return match, opener


def read(src: str) -> Script:
    """Tokens, brackets and functions of a script."""
    tokens, comments = tokenize(src)
    match, opener = _brackets(tokens)
    script = Script(src, tokens, comments, match, opener, [], [-1] * len(tokens))
    script.functions = _functions(script)
    around: list[int] = []  # the functions that contain the current one, innermost last
    for index, fn in enumerate(script.functions):
        while around and script.functions[around[-1]].end <= fn.start:
            around.pop()
        fn.parent = around[-1] if around else -1
        around.append(index)
        fn.param_list = params(script, fn.params)
        for k in range(fn.start, fn.end):
            script.owner[k] = index
    return script


def _assigned_name(script: Script, start: int) -> str | None:
    """The name a function expression is given by `name =`, `name:` or `obj.name =`."""
    after = script.is_punct(start - 1, "=") or script.is_punct(start - 1, ":")
    return script.tokens[start - 2].text if after and script.is_name(start - 2) else None


def _block_body(script: Script, brace: int) -> tuple[int, int] | None:
    if script.is_punct(brace, "{") and script.match[brace] > brace:
        return brace, script.match[brace] + 1
    return None


def _function_at(script: Script, i: int) -> Function | None:
    j = i + 1
    generator = script.is_punct(j, "*")
    j += generator
    name_at = j if script.is_name(j) else None
    j += name_at is not None
    if not script.is_punct(j, "(") or script.match[j] < j:
        return None
    body = _block_body(script, script.match[j] + 1)
    if body is None:
        return None
    is_async = script.is_name(i - 1, "async") and not script.member(i - 1)
    start = i - 1 if is_async else i
    previous = script.tokens[start - 1].text if start > 0 else ";"
    declaration = name_at is not None and previous in (";", "{", "}", "default", "export")
    name = script.tokens[name_at].text if name_at is not None else _assigned_name(script, start)
    return Function(
        name,
        name_at,
        "function",
        declaration,
        is_async,
        generator,
        start,
        (j + 1, script.match[j]),
        body,
        block=True,
    )


def _arrow_at(script: Script, i: int) -> Function | None:
    if script.is_punct(i - 1, ")") and script.match[i - 1] >= 0:
        start = script.match[i - 1]
        param_range = (start + 1, i - 1)
    elif script.is_name(i - 1):
        start = i - 1
        param_range = (i - 1, i)
    else:
        return None
    is_async = script.is_name(start - 1, "async") and not script.member(start - 1)
    start -= is_async
    body = _block_body(script, i + 1)
    block = body is not None
    if body is None:
        body = (i + 1, script.statement_end(i + 1))
    name = _assigned_name(script, start)
    return Function(name, None, "arrow", False, is_async, False, start, param_range, body, block)


def _method_at(script: Script, i: int) -> Function | None:
    token = script.tokens[i]
    if token.kind not in ("name", "str", "num") or token.text in NOT_METHODS:
        return None
    if not script.is_punct(i + 1, "(") or script.member(i):
        return None
    close = script.match[i + 1]
    body = _block_body(script, close + 1) if close > i else None
    if body is None:
        return None
    start = i
    generator = script.is_punct(start - 1, "*")
    start -= generator
    is_async = False
    while script.is_name(start - 1) and script.tokens[start - 1].text in METHOD_MODIFIERS:
        is_async = is_async or script.tokens[start - 1].text == "async"
        start -= 1
    if start > 0 and script.tokens[start - 1].text not in ("{", ",", ";", "}"):
        return None
    return Function(
        token.text.strip("'\""),
        i,
        "method",
        False,
        is_async,
        generator,
        start,
        (i + 2, close),
        body,
        block=True,
    )


def _functions(script: Script) -> list[Function]:
    found: list[Function] = []
    for i, token in enumerate(script.tokens):
        fn = None
        if token.kind == "name" and token.text == "function" and not script.member(i):
            fn = _function_at(script, i)
        elif token.kind == "punct" and token.text == "=>":
            fn = _arrow_at(script, i)
        elif token.kind in ("name", "str", "num"):
            fn = _method_at(script, i)
        if fn is not None:
            found.append(fn)
    return sorted(found, key=lambda f: (f.start, -f.end))


def split_commas(
    script: Script, start: int, end: int, separator: str = ","
) -> list[tuple[int, int]]:
    """The parts of ``start..end`` between separators (commas), brackets skipped."""
    parts: list[tuple[int, int]] = []
    j = part = start
    while j < end:
        token = script.tokens[j]
        if token.kind == "punct" and token.text in OPENERS and script.match[j] > j:
            j = script.match[j] + 1
            continue
        if token.kind == "punct" and token.text == separator:
            parts.append((part, j))
            part = j + 1
        j += 1
    if part < end or separator != ",":
        parts.append((part, end))
    return parts


def params(script: Script, span: tuple[int, int]) -> list[Param]:
    found: list[Param] = []
    for start, end in split_commas(script, *span):
        first = start + script.is_punct(start, "...")
        simple = script.is_name(first) and (first + 1 == end or script.is_punct(first + 1, "="))
        found.append(Param(script.tokens[first].text if simple else None, first))
    return found


def pattern_names(script: Script, start: int, end: int) -> list[int]:
    """Token indices of the names a binding pattern (`a`, `{ a, b: c }`, `[a, ...b]`) binds."""
    if start >= end:
        return []
    if script.is_name(start):
        return [start]
    if not (script.is_punct(start, "{") or script.is_punct(start, "[")):
        return []
    close = script.match[start]
    obj = script.tokens[start].text == "{"
    names: list[int] = []
    for part_start, part_end in split_commas(script, start + 1, close):
        first = part_start + script.is_punct(part_start, "...")
        target = first
        if obj:
            colon = next(
                (
                    k
                    for k in range(first, part_end)
                    if script.is_punct(k, ":") and script.opener[k] == start
                ),
                None,
            )
            target = colon + 1 if colon is not None else first
        target_end = target + 1 if script.is_name(target) else part_end
        if script.is_punct(target, "{") or script.is_punct(target, "["):
            target_end = script.match[target] + 1
        names += pattern_names(script, target, target_end)
    return names


def arguments_of(script: Script, call: int) -> list[tuple[int, int]]:
    """The argument ranges of the call whose `(` is at ``call``."""
    close = script.match[call]
    return split_commas(script, call + 1, close) if close > call else []
