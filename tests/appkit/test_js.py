"""The JavaScript reader the script checks stand on: what is code, and where functions are."""

from __future__ import annotations

from upsales_freshdesk.appkit.js import read
from upsales_freshdesk.appkit.jstokens import tokenize


def kinds(src: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(src)[0]]


def test_strings_comments_and_regular_expressions_are_not_code() -> None:
    src = "const a = '/* no */'; // eval(x)\nconst b = /}\\/[/]/g.test(a) / 2; /* } */"
    tokens, comments = tokenize(src)
    assert ("regex", "/}\\/[/]/g") in [(t.kind, t.text) for t in tokens]
    assert ("punct", "/") in [(t.kind, t.text) for t in tokens]  # the division after a call
    assert [c.text.strip() for c in comments] == ["eval(x)", "}"]
    assert not any(t.text == "eval" for t in tokens)


def test_template_literals_nest_and_their_substitutions_are_code() -> None:
    src = "const t = `a ${x + `b ${y}`} c`;"
    names = [text for kind, text in kinds(src) if kind == "name"]
    assert names == ["const", "t", "x", "y"]
    assert read(src).tokens[-1].text == ";"  # the template ended where it does


def test_lines_and_line_breaks_are_kept() -> None:
    tokens, _ = tokenize("a\n/* x\ny */ b\n`c\nd` e")
    assert [(t.text.split("\n")[0], t.line, t.nl) for t in tokens] == [
        ("a", 1, False),
        ("b", 3, True),
        ("`c", 4, True),
        ("e", 5, False),
    ]


def test_functions_of_every_form_with_their_parameters() -> None:
    src = """
    function plain(a, b = () => 1) { return a; }
    const arrow = async ({ x }, ...rest) => x;
    const single = y => { return y; };
    class Page {
      constructor(client) { this.client = client; }
      async load() { await this.client.get(); }
      get value() { return 1; }
    }
    """
    script = read(src)
    found = [
        (f.kind, f.name, f.is_async, [p.name for p in f.param_list], f.block)
        for f in script.functions
    ]
    assert found == [
        ("function", "plain", False, ["a", "b"], True),
        ("arrow", "b", False, [], False),
        ("arrow", "arrow", True, [None, "rest"], False),
        ("arrow", "single", False, ["y"], True),
        ("method", "constructor", False, ["client"], True),
        ("method", "load", True, [], True),
        ("method", "value", False, [], True),
    ]
    default = script.functions[1]
    assert script.functions[default.parent].name == "plain"


def test_each_token_belongs_to_its_innermost_function() -> None:
    src = "function outer() { return p.then((r) => { return r.ok; }); }"
    script = read(src)
    returns = [k for k, t in enumerate(script.tokens) if t.text == "return"]
    assert [script.functions[script.owner[k]].name for k in returns] == ["outer", None]
    assert script.functions[1].kind == "arrow"


def test_statements_control_flow_is_not_a_method() -> None:
    script = read("if (a) { go(); } for (;;) { break; } while (b) { stop(); }")
    assert script.functions == []
