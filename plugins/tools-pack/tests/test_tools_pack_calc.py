"""``calc.evaluate``: right answers, and refusals for everything that is not arithmetic or too big."""

from __future__ import annotations

import math
import time

import pytest
from llm_resolver_tools_pack.calc import MAX_INT_BITS, CalcError, evaluate


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("7 / 2", 3.5),
        ("7 // 2", 3),
        ("-7 % 3", 2),
        ("2 ** 10", 1024),
        ("-2 ** 2", -4),
        ("+-+3", -3),
        ("sqrt(16) + abs(-2)", 6.0),
        ("round(2.675, 2)", 2.67),
        ("max(1, 5, 3) - min(4, 2)", 3),
        ("log(8, 2)", 3.0),
        ("log10(1000) + log2(8)", 6.0),
        ("floor(2.7) + ceil(2.1)", 5),
        ("factorial(5)", 120),
        ("hypot(3, 4)", 5.0),
        ("2 * pi", math.tau),
        ("1e3 + 0.5", 1000.5),
        ("  3  ", 3),
        ("(" * 60 + "1" + ")" * 60, 1),
    ],
)
def test_arithmetic(expression: str, expected: float) -> None:
    assert evaluate(expression) == pytest.approx(expected)


def test_integers_stay_exact() -> None:
    assert evaluate("2 ** 100") == 2**100
    assert isinstance(evaluate("10 // 3"), int)
    assert len(str(evaluate("factorial(1000)"))) == 2568  # the largest results still print


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("__import__('os').system('true')", "unknown function .__import__"),
        ("().__class__", "Attribute is not allowed"),
        ("'a' * 3", "only numbers are allowed, not 'a'"),
        ("True + 1", "only numbers are allowed, not True"),
        ("x + 1", "unknown name 'x'"),
        ("[1, 2]", "List is not allowed"),
        ("1 if 2 else 3", "IfExp is not allowed"),
        ("1 < 2", "Compare is not allowed"),
        ("sqrt(x=4)", "positional arguments only"),
        ("math.sqrt(4)", "unknown function 'math.sqrt'"),
        ("1 / 0", "division by zero"),
        ("5 % 0", "division by zero"),
        ("sqrt(-1)", "math error: math domain error"),
        ("(-8) ** 0.5", "complex number"),
        ("10.0 ** 400", "too large for a floating-point number"),
        ("exp(1000)", "too large"),
        ("2 ** 100000", "exponents are limited"),
        ("9 ** 9 ** 9", "exponents are limited"),
        ("10 ** 9999", f"more than {MAX_INT_BITS} bits"),
        ("factorial(100000)", "factorial takes a whole number from 0 to 1000"),
        ("factorial(2.5)", "factorial takes a whole number"),
        ("round(5, -1000000000)", "round\\(\\) takes a whole number of digits"),
        ("1 +", "cannot parse"),
        ("sqrt()", "sqrt\\(\\): "),
        ("1" + " + 1" * 200, "the limit is 500"),
        ("(" * 240 + "1" + ")" * 240, "cannot parse .* too many nested parentheses"),
        ("-" * 120 + "1", "nests deeper than 50 levels"),
    ],
)
def test_refusals_say_what_is_wrong(expression: str, message: str) -> None:
    with pytest.raises(CalcError, match=message):
        evaluate(expression)


def test_big_numbers_are_refused_quickly() -> None:
    started = time.perf_counter()
    for expression in ("99999 ** 9999", "(10 ** 4000) * (10 ** 4000) * (10 ** 4000) * (10 ** 4000)"):
        with pytest.raises(CalcError):
            evaluate(expression)
    assert time.perf_counter() - started < 1.0


def test_the_tool_schema_describes_the_expression() -> None:
    from llm_resolver.plugins.manager import PluginManager
    from llm_resolver.tools import plugin_tools

    manager = PluginManager(env={"LLM_RESOLVER_PLUGINS": "calc"})
    manager.load_entrypoints()
    (calc,) = plugin_tools(manager).values()
    assert calc.name == "calc.evaluate"
    assert calc.wire_name == "calc_evaluate"
    assert calc.parameters["required"] == ["expression"]
    assert "arithmetic expression" in calc.parameters["properties"]["expression"]["description"]
    assert calc.description.startswith("Evaluate an arithmetic expression")
    assert calc(expression="6 * 7") == 42
