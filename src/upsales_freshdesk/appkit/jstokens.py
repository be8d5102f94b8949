"""The tokens of an app's JavaScript: names, numbers, strings, template literals, regular
expressions and punctuation, with their lines, and the comments apart.

Template literals are cut at their substitutions, whose code is tokenized like any other; a `/`
begins a regular expression where an expression may begin, as in the language.
"""

from __future__ import annotations

from dataclasses import dataclass

PUNCTUATORS = sorted(
    """>>>= ... === !== **= <<= >>= >>> &&= ||= ??= => == != <= >= && || ?? ?. ++ -- += -= *=
    /= %= &= |= ^= ** << >> { } ( ) [ ] ; , < > + - * / % & | ^ ! ~ ? : = . @ #""".split(),
    key=len,
    reverse=True,
)
OPENERS = {"(": ")", "[": "]", "{": "}"}
# After these words an expression starts, so a `/` there begins a regular expression.
BEFORE_EXPRESSION = set(
    "return typeof instanceof in of new delete void throw case do else yield await".split()
)


@dataclass(frozen=True)
class Token:
    kind: str  # name, num, str, template, regex, punct
    text: str
    pos: int
    line: int
    nl: bool  # a line break comes before it


@dataclass(frozen=True)
class Comment:
    text: str  # without the // or /* */ marks
    pos: int
    end: int
    line: int
    end_line: int


def _string_end(src: str, i: int) -> int:
    quote, j = src[i], i + 1
    while j < len(src):
        if src[j] == "\\":
            j += 2
            continue
        if src[j] == quote or src[j] == "\n":
            return j + 1
        j += 1
    return len(src)


def _template_end(src: str, i: int) -> tuple[int, bool]:
    """From inside a template literal: the end of this part, and whether a `${` ends it."""
    j = i
    while j < len(src):
        if src[j] == "\\":
            j += 2
            continue
        if src[j] == "`":
            return j + 1, False
        if src.startswith("${", j):
            return j + 2, True
        j += 1
    return len(src), False


def _regex_end(src: str, i: int) -> int | None:
    j, in_class = i + 1, False
    while j < len(src):
        ch = src[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "\n":
            return None
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            j += 1
            while j < len(src) and (src[j].isalnum() or src[j] == "_"):
                j += 1
            return j
        j += 1
    return None


def _regex_allowed(previous: Token | None) -> bool:
    if previous is None:
        return True
    if previous.kind in ("num", "str", "regex"):
        return False
    if previous.kind == "template":
        return previous.text.endswith("${")
    if previous.kind == "name":
        return previous.text in BEFORE_EXPRESSION
    return previous.text not in (")", "]", "++", "--")


def _word_end(src: str, i: int) -> int:
    j = i
    while j < len(src) and (src[j].isalnum() or src[j] in "_$\\" or ord(src[j]) > 127):
        j += 1
    return j


def _number_end(src: str, i: int) -> int:
    j = i
    hex_like = src.startswith(("0x", "0X"), i)
    while j < len(src):
        ch = src[j]
        exponent = ch in "+-" and not hex_like and src[j - 1] in "eE"
        if not (ch.isalnum() or ch in "._" or exponent):
            break
        j += 1
    return j


def tokenize(src: str) -> tuple[list[Token], list[Comment]]:
    tokens: list[Token] = []
    comments: list[Comment] = []
    braces: list[str] = []  # "{" for a block or object, "${" for a template substitution
    i, line, nl = 0, 1, False

    def add(kind: str, end: int) -> None:
        nonlocal i, line, nl
        text = src[i:end]
        tokens.append(Token(kind, text, i, line, nl))
        line += text.count("\n")
        nl = False
        i = end

    while i < len(src):
        ch = src[i]
        if ch == "\n":
            line, nl, i = line + 1, True, i + 1
        elif ch.isspace() or ch == "\ufeff":
            i += 1
        elif src.startswith("//", i) or src.startswith("/*", i):
            block = src[i + 1] == "*"
            end = src.find("*/", i + 2) if block else src.find("\n", i)
            end = len(src) if end < 0 else end + (2 if block else 0)
            text = src[i + 2 : end - (2 if block else 0)]
            comments.append(Comment(text, i, end, line, line + text.count("\n")))
            nl = nl or "\n" in text
            line += text.count("\n")
            i = end
        elif ch in "'\"":
            add("str", _string_end(src, i))
        elif ch == "`" or (ch == "}" and braces and braces[-1] == "${"):
            if ch == "}":
                braces.pop()
            end, opens = _template_end(src, i + 1)
            if opens:
                braces.append("${")
            add("template", end)
        elif ch.isalpha() or ch in "_$\\" or ord(ch) > 127:
            add("name", _word_end(src, i))
        elif ch.isdigit() or (ch == "." and src[i + 1 : i + 2].isdigit()):
            add("num", _number_end(src, i))
        elif (
            ch == "/"
            and _regex_allowed(tokens[-1] if tokens else None)
            and ((regex_end := _regex_end(src, i)) is not None)
        ):
            add("regex", regex_end)
        else:
            text = next((p for p in PUNCTUATORS if src.startswith(p, i)), ch)
            if text == "?." and src[i + 2 : i + 3].isdigit():
                text = "?"
            if text == "{":
                braces.append("{")
            elif text == "}" and braces:
                braces.pop()
            add("punct", i + len(text))
    return tokens, comments
