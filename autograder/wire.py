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
    "Add Mul Pow exp log sqrt sin cos tan tanh sinh cosh asin acos atan Abs sign "
    "floor ceiling Max Min Piecewise ExprCondPair Eq Ne Lt Le Gt Ge And Or Not "
    "Heaviside DiracDelta Derivative Sum Product Limit Integral Tuple Function Lambda"
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


def _sympy_from(node, depth: int):
    import sympy

    if depth > MAX_DEPTH * 4:
        raise WireError("sympy expression nested too deeply")
    if not isinstance(node, list) or not node or not isinstance(node[0], str):
        raise WireError("malformed sympy node")
    kind = node[0]
    if kind == "Symbol":
        _, name, assumptions = node
        if not isinstance(name, str) or not isinstance(assumptions, dict):
            raise WireError("malformed symbol")
        clean = {str(k): bool(v) for k, v in assumptions.items() if isinstance(v, bool)}
        return sympy.Symbol(name, **clean)
    if kind == "Integer":
        return sympy.Integer(int(node[1]))
    if kind == "Rational":
        return sympy.Rational(int(node[1]), int(node[2]))
    if kind == "Float":
        return sympy.Float(str(node[1]), precision=int(node[2]))
    if kind == "Const":
        table = {"pi": sympy.pi, "E": sympy.E, "I": sympy.I, "oo": sympy.oo, "-oo": -sympy.oo,
                 "zoo": sympy.zoo, "nan": sympy.nan, "EulerGamma": sympy.EulerGamma,
                 "true": sympy.true, "false": sympy.false}
        if node[1] not in table:
            raise WireError(f"unknown sympy constant {node[1]!r}")
        return table[node[1]]
    if kind == "Undef":
        return sympy.Function(str(node[1]))(*[_sympy_from(a, depth + 1) for a in node[2]])
    if kind not in _SYMPY_FUNCS:
        raise WireError(f"sympy node {kind!r} is not allowed")
    args = [_sympy_from(a, depth + 1) for a in node[1]]
    cls = getattr(sympy, kind)
    if kind in ("Add", "Mul", "Pow"):
        return cls(*args, evaluate=False)
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
def decode(data: Any, resolve_handle: Callable[[dict], Any] | None = None, _depth: int = 0) -> Any:
    """Inverse of :func:`encode`. Builds only plain values of known types."""
    if _depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    t = type(data)
    if data is None or t in (bool, int, float, str):
        return data
    if t is list:
        return [decode(v, resolve_handle, _depth + 1) for v in data]
    if t is not dict:
        raise WireError(f"unexpected JSON value of type {t.__name__}")
    tag = data.get("$t")
    if tag == "tuple":
        return tuple(decode(v, resolve_handle, _depth + 1) for v in data["v"])
    if tag == "dict":
        return {decode(k, resolve_handle, _depth + 1): decode(v, resolve_handle, _depth + 1) for k, v in data["v"]}
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
            return torch.empty(shape, dtype=dtype, device="meta")
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

        return sympy.Matrix([[_sympy_from(x, 1) for x in row] for row in data["rows"]])
    if tag == "handle":
        if resolve_handle is None:
            raise WireError("unexpected handle")
        return resolve_handle(data)
    raise WireError(f"unknown wire tag {tag!r}")
