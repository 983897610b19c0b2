"""The plain-data boundary between student code and the grader.

Every value that crosses from student code to a test goes through ``encode``
(in the process that ran the student code) and ``decode`` (in the grader).
The wire format is JSON with a few tagged objects; decoding never executes
anything: no pickle, no ``eval``, no ``sympify`` of strings. Only values of an
exact, known type are encoded as data (a ``bool`` subclass, a tensor subclass or
an object with a lying ``__eq__`` is not); anything else stays with the code
that made it and crosses as a *handle* the grader can call back into.

Tags (``"$t"`` key):
  tuple, dict, float (non-finite), fraction, complex, ndarray, npscalar,
  tensor, sympy, matrix, handle, error.
"""
from __future__ import annotations

import base64
import fractions
import math
from typing import Any, Callable

MAX_DEPTH = 64
# What decoding builds is bounded (a value past a bound is refused with a named message, never built):
MAX_NODES = 2_000_000        # JSON values in one reply (lists, dicts, numbers, strings)
MAX_BYTES = 256 * 2**20      # bytes of array and tensor data in one reply
SYMPY_NODES = 5_000          # nodes of one sympy expression (a matrix: of each entry)
SYMPY_DEPTH = 100            # nesting of one sympy expression
SYMPY_DIGITS = 300           # digits of an Integer, and of a Rational's numerator and denominator
SYMPY_PRECISION = 2_000      # bits of a Float
SYMPY_EXPONENT = 1_000       # |n| of an integer exponent: numbers ** n
SYMPY_EXPONENT_SYMBOLIC = 64  # |n| of an integer exponent of an expression with symbols ** n
SYMPY_RESULT_DIGITS = 10_000  # digits a number-only power may have once evaluated
SYMPY_NAME = 100             # characters of a symbol's or function's name

# numpy / torch / sympy are imported lazily: a module that uses none of them
# should not pay for their import in the worker.


class WireError(ValueError):
    """A value could not be encoded or decoded."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# ---------------------------------------------------------------- sympy trees
# Whitelisted sympy node types, by name. Decoding builds only these.
_SYMPY_FUNCS = (
    "Add Mul Pow exp log sqrt sin cos tan cot sec csc tanh sinh cosh coth sech csch asin acos atan atan2 "
    "acot asec acsc asinh acosh atanh acoth Abs sign re im arg conjugate floor ceiling frac Mod Max Min "
    "Piecewise ExprCondPair Eq Ne Lt Le Gt Ge And Or Not Heaviside DiracDelta erf gamma factorial binomial "
    "Derivative Sum Product Limit Integral Tuple Function Lambda"
).split()


def _sympy_node(expr) -> Any:
    import sympy

    if isinstance(expr, sympy.Symbol) and type(expr) in (sympy.Symbol, sympy.Dummy):
        assumptions = {k: v for k, v in sorted(expr.assumptions0.items()) if v is not None}
        return ["Symbol", expr.name, assumptions]
    if isinstance(expr, sympy.Integer):
        return ["Integer", str(int(expr))]
    if isinstance(expr, sympy.Rational):
        return ["Rational", str(expr.p), str(expr.q)]
    if isinstance(expr, sympy.Float):
        return ["Float", str(expr), expr._prec]
    for const in ("pi", "E", "I", "oo", "zoo", "nan", "EulerGamma"):
        if expr == getattr(sympy, const) and type(expr) is type(getattr(sympy, const)):
            return ["Const", const]
    if expr == -sympy.oo:
        return ["Const", "-oo"]
    if isinstance(expr, sympy.logic.boolalg.BooleanAtom):
        return ["Const", "true" if bool(expr) else "false"]
    name = type(expr).__name__
    if isinstance(expr, sympy.core.function.AppliedUndef):
        return ["Undef", name, [_sympy_node(a) for a in expr.args]]
    if name not in _SYMPY_FUNCS:
        raise WireError(f"sympy node {name} is not supported in answers")
    return [name, [_sympy_node(a) for a in expr.args]]


def short(value, n: int = 60) -> str:
    """``str(value)`` cut to ``n`` characters, for messages about a student's expression."""
    text = str(value)
    return text if len(text) <= n else text[: n - 3] + "..."


def _log10_bound(expr) -> float:
    """An upper bound on log10(|value|) of a number-only expression built with evaluate=False (what
    evaluating it could produce), or inf when it cannot be bounded (a function, a symbol)."""
    import sympy

    if expr.is_Integer or expr.is_Rational:
        p, q = (int(expr), 1) if expr.is_Integer else (expr.p, expr.q)
        return math.log10(max(abs(p), abs(q), 1))
    if expr.is_Float:
        mag = abs(float(sympy.Float(expr, 15))) if expr != 0 else 0.0
        return math.log10(mag) if 1.0 < mag < math.inf else (0.0 if mag <= 1.0 else math.inf)
    if expr in (sympy.pi, sympy.E, sympy.I, sympy.EulerGamma):
        return 1.0
    if isinstance(expr, sympy.Add):
        return max(_log10_bound(a) for a in expr.args) + math.log10(len(expr.args))
    if isinstance(expr, sympy.Mul):
        return sum(max(_log10_bound(a), 0.0) for a in expr.args)
    if isinstance(expr, sympy.Pow):
        base, exponent = (max(_log10_bound(a), 0.0) for a in expr.args)
        if base == 0.0:
            return 0.0
        return math.inf if exponent > 300 else base * 10 ** exponent
    if isinstance(expr, (sympy.factorial, sympy.gamma, sympy.binomial)):
        # evaluated at once for whole numbers: n! has about n log10(n) digits
        n = max(_log10_bound(a) for a in expr.args)
        return math.inf if n > 300 else 10 ** n * max(n, 1.0)
    if isinstance(expr, sympy.Function) or isinstance(expr, sympy.Basic) and expr.args:
        # exp, sin, ... of a number stay unevaluated (no big integers); their arguments are bounded
        # where they are built
        return 0.0
    return math.inf


class _SympyBudget:
    def __init__(self):
        self.nodes = 0


def _digits_ok(text: str, what: str) -> int:
    digits = text.lstrip("-+")
    if len(digits) > SYMPY_DIGITS:
        raise WireError(f"an answer holds {what} of more than {SYMPY_DIGITS} digits; the grader does not build it")
    return int(text)


def _sympy_from(node, depth: int, budget: _SympyBudget | None = None):
    import sympy

    budget = budget or _SympyBudget()
    budget.nodes += 1
    if budget.nodes > SYMPY_NODES:
        raise WireError(f"a sympy expression has more than {SYMPY_NODES} parts; the grader does not build it")
    if depth > SYMPY_DEPTH:
        raise WireError(f"a sympy expression is nested more than {SYMPY_DEPTH} deep; the grader does not build it")
    if not isinstance(node, list) or not node or not isinstance(node[0], str):
        raise WireError("malformed sympy node")
    kind = node[0]
    if kind == "Symbol":
        _, name, assumptions = node
        if not isinstance(name, str) or not isinstance(assumptions, dict) or len(name) > SYMPY_NAME:
            raise WireError("malformed symbol")
        clean = {str(k): bool(v) for k, v in assumptions.items() if isinstance(v, bool)}
        return sympy.Symbol(name, **clean)
    if kind == "Integer":
        return sympy.Integer(_digits_ok(str(node[1]), "an integer"))
    if kind == "Rational":
        return sympy.Rational(_digits_ok(str(node[1]), "a numerator"), _digits_ok(str(node[2]), "a denominator"))
    if kind == "Float":
        precision = int(node[2])
        if not 1 <= precision <= SYMPY_PRECISION or len(str(node[1])) > SYMPY_PRECISION:
            raise WireError(f"an answer holds a Float of precision {precision} bits (at most {SYMPY_PRECISION} are "
                            "read); the grader does not build it")
        return sympy.Float(str(node[1]), precision=precision)
    if kind == "Const":
        table = {"pi": sympy.pi, "E": sympy.E, "I": sympy.I, "oo": sympy.oo, "-oo": -sympy.oo,
                 "zoo": sympy.zoo, "nan": sympy.nan, "EulerGamma": sympy.EulerGamma,
                 "true": sympy.true, "false": sympy.false}
        if node[1] not in table:
            raise WireError(f"unknown sympy constant {node[1]!r}")
        return table[node[1]]
    if kind == "Undef":
        if not isinstance(node[1], str) or len(node[1]) > SYMPY_NAME:
            raise WireError("malformed function name")
        return sympy.Function(str(node[1]))(*[_sympy_from(a, depth + 1, budget) for a in node[2]])
    if kind not in _SYMPY_FUNCS:
        raise WireError(f"sympy node {kind!r} is not allowed")
    args = [_sympy_from(a, depth + 1, budget) for a in node[1]]
    cls = getattr(sympy, kind)
    if kind == "Pow" and len(args) == 2 and not args[1].free_symbols:
        limit = SYMPY_EXPONENT_SYMBOLIC if args[0].free_symbols else SYMPY_EXPONENT
        if _log10_bound(args[1]) > math.log10(limit):
            raise WireError(f"an answer raises to a power that may exceed {limit} in size (it is built from "
                            f"{short(args[1])}); the grader does not build it")
    if kind in ("factorial", "gamma", "binomial") and all(not a.free_symbols for a in args):
        if _log10_bound(cls(*args, evaluate=False)) > SYMPY_RESULT_DIGITS:
            raise WireError(f"an answer holds {kind} of a number too large to evaluate; the grader does not build it")
    if kind in ("Add", "Mul", "Pow"):
        built = cls(*args, evaluate=False)
        if kind == "Pow" and not built.free_symbols and _log10_bound(built) > SYMPY_RESULT_DIGITS:
            raise WireError(f"an answer holds a number that may have more than {SYMPY_RESULT_DIGITS} digits once "
                            f"evaluated ({short(built)}); the grader does not build it")
        return built
    return cls(*args)


# ---------------------------------------------------------------- encode
def encode(value: Any, make_handle: Callable[[Any], Any] | None = None, _depth: int = 0) -> Any:
    """Turn ``value`` into JSON-ready plain data.

    ``make_handle(obj)`` is called for objects that are not plain data; it
    returns the JSON for a handle. Without it, such objects are an error.
    """
    if _depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    t = type(value)
    if value is None or t is bool or t is int or t is str:
        return value
    if t is float:
        if math.isfinite(value):
            return value
        return {"$t": "float", "v": repr(value)}
    if t is list:
        return [encode(v, make_handle, _depth + 1) for v in value]
    if t is tuple:
        return {"$t": "tuple", "v": [encode(v, make_handle, _depth + 1) for v in value]}
    if t is dict:
        return {"$t": "dict", "v": [[encode(k, make_handle, _depth + 1), encode(v, make_handle, _depth + 1)]
                                    for k, v in value.items()]}
    if t is fractions.Fraction:
        return {"$t": "fraction", "v": [str(value.numerator), str(value.denominator)]}
    if t is complex:
        return {"$t": "complex", "v": [repr(value.real), repr(value.imag)]}
    module = t.__module__ or ""
    if module == "numpy":
        import numpy as np

        if t is np.ndarray and value.dtype != object:
            arr = np.ascontiguousarray(value)
            return {"$t": "ndarray", "dtype": arr.dtype.str, "shape": list(arr.shape), "data": _b64(arr.tobytes())}
        if isinstance(value, np.generic) and t in np.sctypeDict.values() and value.dtype != object:
            return {"$t": "npscalar", "dtype": value.dtype.str, "data": _b64(value.tobytes())}
    if module.startswith("torch"):
        import torch

        if t is torch.Tensor or t is torch.nn.Parameter:
            if value.layout != torch.strided or value.device.type not in ("cpu", "meta"):
                raise WireError("only dense CPU tensors can be returned")
            if value.device.type == "meta":
                return {"$t": "tensor", "meta": True, "dtype": str(value.dtype), "shape": list(value.shape)}
            plain = value.detach().contiguous()
            if plain.dtype == torch.bfloat16:
                data = plain.view(torch.int16).numpy().tobytes()
            else:
                data = plain.numpy().tobytes()
            return {"$t": "tensor", "dtype": str(value.dtype), "shape": list(value.shape), "data": _b64(data),
                    "requires_grad": bool(value.requires_grad)}
    if module.startswith("sympy"):
        import sympy

        if isinstance(value, (sympy.Basic, sympy.MatrixBase)):
            try:
                if isinstance(value, sympy.MatrixBase):
                    return {"$t": "matrix", "rows": [[_sympy_node(x) for x in row] for row in value.tolist()]}
                return {"$t": "sympy", "v": _sympy_node(value)}
            except WireError:
                if make_handle is None:
                    raise
    if make_handle is None:
        raise WireError(f"a value of type {t.__module__}.{t.__qualname__} cannot be sent as plain data")
    return make_handle(value)


# ---------------------------------------------------------------- decode
class _Budget:
    def __init__(self):
        self.nodes = 0
        self.bytes = 0

    def take(self, nodes: int = 1, data: int = 0) -> None:
        self.nodes += nodes
        self.bytes += data
        if self.nodes > MAX_NODES:
            raise WireError(f"the value holds more than {MAX_NODES:,} items; the grader does not read it")
        if self.bytes > MAX_BYTES:
            raise WireError(f"the value holds more than {MAX_BYTES // 2**20} MB of array data; the grader does "
                            "not read it")


def decode(data: Any, resolve_handle: Callable[[dict], Any] | None = None, _depth: int = 0,
           _budget: _Budget | None = None) -> Any:
    """Inverse of :func:`encode`. Builds only plain values of known types, within the bounds above."""
    if _depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    budget = _budget if _budget is not None else _Budget()
    budget.take()
    t = type(data)
    if data is None or t in (bool, int, float, str):
        return data
    if t is list:
        return [decode(v, resolve_handle, _depth + 1, budget) for v in data]
    if t is not dict:
        raise WireError(f"unexpected JSON value of type {t.__name__}")
    tag = data.get("$t")
    if tag == "tuple":
        return tuple(decode(v, resolve_handle, _depth + 1, budget) for v in data["v"])
    if tag == "dict":
        return {decode(k, resolve_handle, _depth + 1, budget): decode(v, resolve_handle, _depth + 1, budget) for k, v in data["v"]}
    if tag == "float":
        if data["v"] not in ("nan", "inf", "-inf"):
            raise WireError("malformed float")
        return float(data["v"])
    if tag == "fraction":
        return fractions.Fraction(int(data["v"][0]), int(data["v"][1]))
    if tag == "complex":
        return complex(float(data["v"][0]), float(data["v"][1]))
    if tag in ("ndarray", "npscalar"):
        import numpy as np

        dtype = np.dtype(str(data["dtype"]))
        if dtype.kind not in "biufc":
            raise WireError(f"array dtype {dtype} is not allowed")
        budget.take(data=len(str(data["data"])) * 3 // 4)
        raw = _unb64(data["data"])
        if tag == "npscalar":
            return np.frombuffer(raw, dtype=dtype)[0]
        shape = tuple(int(s) for s in data["shape"])
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if tag == "tensor":
        import torch

        name = str(data["dtype"])
        dtype = getattr(torch, name.removeprefix("torch."), None)
        if not isinstance(dtype, torch.dtype):
            raise WireError(f"tensor dtype {name} is not allowed")
        shape = [int(s) for s in data["shape"]]
        if data.get("meta"):
            if math.prod(max(s, 0) for s in shape) * dtype.itemsize > MAX_BYTES or len(shape) > MAX_DEPTH:
                raise WireError("a meta tensor of that size is not read")
            return torch.empty(shape, dtype=dtype, device="meta")
        budget.take(data=len(str(data["data"])) * 3 // 4)
        raw = bytearray(_unb64(data["data"]))
        if dtype == torch.bfloat16:
            flat = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16) if raw else torch.empty(0, dtype=dtype)
        else:
            flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out = flat.reshape(shape).clone()
        if data.get("requires_grad") and (out.is_floating_point() or out.is_complex()):
            out.requires_grad_(True)
        return out
    if tag == "sympy":
        return _sympy_from(data["v"], 0)
    if tag == "matrix":
        import sympy

        rows = data["rows"]
        if not isinstance(rows, list) or sum(len(r) for r in rows if isinstance(r, list)) > SYMPY_NODES:
            raise WireError(f"a matrix of more than {SYMPY_NODES} entries is not read")
        return sympy.Matrix([[_sympy_from(x, 1) for x in row] for row in rows])
    if tag == "handle":
        if resolve_handle is None:
            raise WireError("unexpected handle")
        return resolve_handle(data)
    raise WireError(f"unknown wire tag {tag!r}")
