"""``calc.evaluate``: arithmetic the model cannot get wrong, evaluated by walking the syntax tree.

No ``eval``: only numbers, + - * / // % **, unary signs, parentheses, a few constants and math
functions are understood; everything else is refused. Sizes are bounded so no expression can eat the
CPU or memory (exponents, integer sizes, factorials, expression length).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Annotated, Any, cast

from llm_resolver import hookimpl

MAX_LENGTH = 500
MAX_EXPONENT = 10_000
MAX_INT_BITS = 10_000  # about 3000 digits: under Python's 4300-digit limit for int → str
MAX_FACTORIAL = 1_000
MAX_DEPTH = 50
MAX_ROUND_DIGITS = 100

Number = int | float


class CalcError(ValueError):
    """The expression is not something the calculator evaluates; the message says what to change."""


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}


def _factorial(n: Number) -> int:
    if not float(n).is_integer() or not 0 <= n <= MAX_FACTORIAL:
        raise CalcError(f"factorial takes a whole number from 0 to {MAX_FACTORIAL}, got {n}")
    return math.factorial(int(n))


def _log(x: Number, base: Number = math.e) -> float:
    return math.log(x, base)


def _round(x: Number, ndigits: int | None = None) -> Number:
    if ndigits is not None and (not isinstance(ndigits, int) or abs(ndigits) > MAX_ROUND_DIGITS):
        raise CalcError(f"round() takes a whole number of digits up to ±{MAX_ROUND_DIGITS}")
    return round(x, ndigits)


_FUNCTIONS: dict[str, Callable[..., Number]] = {
    "abs": abs,
    "round": _round,
    "min": min,
    "max": max,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": _log,
    "log10": math.log10,
    "log2": math.log2,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "atan2": math.atan2,
    "hypot": math.hypot,
    "floor": math.floor,
    "ceil": math.ceil,
    "factorial": _factorial,
}


def evaluate(
    expression: Annotated[str, "an arithmetic expression, e.g. (2 + 3) * sqrt(16) / 7"],
) -> int | float:
    """Evaluate an arithmetic expression exactly and return its value.

    Understands numbers, + - * / // % ** (power), parentheses, the constants pi, e and tau, and the
    functions abs, round, min, max, sqrt, exp, log (with an optional base), log10, log2, sin, cos,
    tan, asin, acos, atan, atan2, hypot, floor, ceil and factorial. Angles are in radians.
    """
    if len(expression) > MAX_LENGTH:
        raise CalcError(f"the expression is {len(expression)} characters; the limit is {MAX_LENGTH}")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise CalcError(f"cannot parse {expression!r}: {exc.msg}") from None
    try:
        return _eval(tree.body, 0)
    except ZeroDivisionError:
        raise CalcError("division by zero") from None
    except OverflowError:
        raise CalcError("the result is too large for a floating-point number") from None
    except (ValueError, TypeError) as exc:
        if isinstance(exc, CalcError):
            raise
        raise CalcError(f"math error: {exc}") from None


def _eval(node: ast.AST, depth: int) -> Number:
    if depth > MAX_DEPTH:
        raise CalcError(f"the expression nests deeper than {MAX_DEPTH} levels")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise CalcError(f"only numbers are allowed, not {node.value!r}")
        return _checked(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left, depth + 1), _eval(node.right, depth + 1)
        if isinstance(node.op, ast.Pow):
            _check_power(left, right)
        return _checked(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _checked(_UNARY[type(node.op)](_eval(node.operand, depth + 1)))
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        raise CalcError(f"unknown name {node.id!r}; known constants: {', '.join(_CONSTANTS)}")
    if isinstance(node, ast.Call):
        return _call(node, depth)
    raise CalcError(f"{type(node).__name__} is not allowed; use numbers, operators and functions only")


def _call(node: ast.Call, depth: int) -> Number:
    if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
        shown = ast.unparse(node.func)
        raise CalcError(f"unknown function {shown!r}; known: {', '.join(sorted(_FUNCTIONS))}")
    if node.keywords:
        raise CalcError(f"{node.func.id}() takes positional arguments only")
    args = [_eval(arg, depth + 1) for arg in node.args]
    try:
        result = _FUNCTIONS[node.func.id](*args)
    except TypeError as exc:
        raise CalcError(f"{node.func.id}(): {exc}") from None
    return _checked(result)


def _check_power(base: Number, exponent: Number) -> None:
    if abs(exponent) > MAX_EXPONENT:
        raise CalcError(f"exponents are limited to ±{MAX_EXPONENT}, got {exponent}")
    exact = isinstance(base, int) and isinstance(exponent, int) and exponent > 0
    if exact and int(base).bit_length() * exponent > MAX_INT_BITS:
        raise CalcError(f"the power would have more than {MAX_INT_BITS} bits")


def _checked(value: Any) -> Number:
    if isinstance(value, complex):
        raise CalcError("the result is a complex number; only real results are supported")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise CalcError(f"the result has more than {MAX_INT_BITS} bits")
    if isinstance(value, float) and math.isnan(value):
        raise CalcError("the result is not a number (NaN)")
    return cast(Number, value)


@hookimpl
def register_tools(register: Callable[..., None]) -> None:
    register(evaluate)
