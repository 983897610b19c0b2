"""Why two arrays differ, in plain words: the structural explanations every comparison tries.

When a graded array or tensor differs from the expected one, :func:`explain` tries the common
structural explanations on that failing case and returns a sentence for the first one that fits
(or None: nothing is claimed when nothing fits). Each explanation is *verified*: the transformed
expected value is computed and compared with the student's, with the comparison's tolerance.

Kinds, in the order they are tried:

==============  ===============================================================================
``nonfinite``   NaN or inf where the expected value is finite (how many, and the first index)
``permuted``    the expected value with its axes permuted (same shape or not): "transposed in
                its last two axes"
``reshaped``    the expected values in the same order, in another shape; an axis of size 1
                missing or extra
``item``        the result for one batch item (or one index of another axis) only, or repeated
                for every index
``flipped``     flipped along one axis or two
``rolled``      rolled (last wraps to first) by one along an axis
``shifted``     shifted by one along an axis, the vacated end differing
``sign``        the expected value with its sign flipped
``scaled``      times a constant, named when it is 2, 1/2, sqrt(d), d, 1/sqrt(d) or 1/d, d the
                size of the last axis (``sizes`` adds named sizes such as d_k or n_heads)
``offset``      plus a constant, or plus one value per index of an axis (like a bias)
``shape``       when no value-level explanation fits a shape mismatch: the shape is a
                permutation of the expected one
``constant``    every value 0, or every value the same number
``truncated``   the expected values truncated or rounded to whole numbers
``where``       where the differing values are, when confined: some indices of an axis only, an
                axis from some index on (the earlier ones match), or the border of the last two
                axes (the inside matches)
==============  ===============================================================================

The last three are symptoms: they say what was observed, not why.

Exercises add their own domain variants (a kernel flipped, softmax over the other axis, ...) as
parameterised variants of the reference: :func:`matching_variants` computes each one and keeps
those the student's output equals, never one that equals the expected value too.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Callable, Iterable, Mapping, Sequence

MAX_ELEMENTS = 2_000_000   # larger arrays are not explained (the comparison's own line still is)
MAX_PERMUTED_AXES = 5


def _numpy(value: Any):
    import numpy as np

    if type(value).__module__.startswith("torch"):
        value = value.detach().cpu()
        if not value.dtype.is_floating_point and not value.dtype.is_complex:
            value = value.double()
        return value.double().numpy()
    return np.asarray(value, dtype=np.float64)


def _axis(k: int, ndim: int, names: Sequence[str] | None) -> str:
    if names and len(names) == ndim:
        return f"the {names[k]} axis (axis {k})"
    if ndim >= 2 and k == ndim - 1:
        return f"the last axis (axis {k})"
    if ndim >= 2 and k == ndim - 2:
        return f"the second-to-last axis (axis {k})"
    return f"axis {k}"


class _Close:
    def __init__(self, rtol: float, atol: float):
        self.rtol, self.atol = rtol, atol

    def __call__(self, got, candidate) -> bool:
        import numpy as np

        if got.shape != candidate.shape:
            return False
        with np.errstate(all="ignore"):
            return bool(np.allclose(got, candidate, rtol=self.rtol, atol=self.atol, equal_nan=True))


def _permuted(g, e, close: _Close, names) -> str | None:
    import numpy as np

    if e.ndim < 2 or e.ndim > MAX_PERMUTED_AXES or sorted(g.shape) != sorted(e.shape):
        return None
    identity = tuple(range(e.ndim))
    for perm in itertools.permutations(identity):
        if perm == identity or tuple(e.shape[p] for p in perm) != g.shape:
            continue
        candidate = np.transpose(e, perm)
        if close(g, e) or not close(g, candidate):
            continue
        moved = [k for k in identity if perm[k] != k]
        if len(moved) == 2:
            a, b = moved
            if (a, b) == (e.ndim - 2, e.ndim - 1):
                return "your output equals the expected one transposed in its last two axes"
            return f"your output equals the expected one with {_axis(a, e.ndim, names)} and " \
                   f"{_axis(b, e.ndim, names)} swapped"
        return f"your output equals the expected one with its axes permuted: axis k of yours is axis perm[k] " \
               f"of the expected, perm = {perm}"
    return None


def _reshaped(g, e, close: _Close) -> str | None:
    if g.size != e.size or g.shape == e.shape:
        return None
    if close(g, e.reshape(g.shape)):
        if tuple(d for d in g.shape if d != 1) == tuple(d for d in e.shape if d != 1):
            extra = g.ndim > e.ndim
            return (f"your output has the expected values but shape {tuple(g.shape)} instead of {tuple(e.shape)}: "
                    f"an axis of size 1 is {'extra' if extra else 'missing'}")
        return (f"your output holds the expected values in the expected order, but in shape {tuple(g.shape)} "
                f"instead of {tuple(e.shape)} (a reshape or view to the wrong shape)")
    return None


def _item(g, e, close: _Close, names) -> str | None:
    import numpy as np

    # one index of an axis only
    for axis in range(e.ndim):
        if e.shape[axis] < 2 or g.shape != e.shape[:axis] + e.shape[axis + 1:]:
            continue
        for i in range(min(e.shape[axis], 8)):
            if close(g, np.take(e, i, axis=axis)):
                return (f"your output is the expected one for index {i} of {_axis(axis, e.ndim, names)} only "
                        f"(that axis, of size {e.shape[axis]}, is missing)")
    # one index repeated for all
    if g.shape != e.shape:
        return None
    for axis in range(e.ndim):
        if e.shape[axis] < 2:
            continue
        if close(np.broadcast_to(np.take(e, [0], axis=axis), e.shape), e):
            continue   # the expected values do not vary along this axis: a repeat says nothing
        for i in range(min(e.shape[axis], 8)):
            one = np.take(e, [i], axis=axis)
            if close(g, np.broadcast_to(one, e.shape)) and not close(g, e):
                return (f"your output repeats the expected result for index {i} of {_axis(axis, e.ndim, names)} "
                        f"at every index of that axis")
    return None


def _flipped(g, e, close: _Close, names) -> str | None:
    import numpy as np

    axes = [k for k in range(e.ndim) if e.shape[k] > 1]
    for k in axes:
        if close(g, np.flip(e, k)):
            return f"your output equals the expected one flipped along {_axis(k, e.ndim, names)}"
    for a, b in itertools.combinations(axes, 2):
        if close(g, np.flip(e, (a, b))):
            return f"your output equals the expected one flipped along {_axis(a, e.ndim, names)} and " \
                   f"{_axis(b, e.ndim, names)}"
    return None


def _rolled(g, e, close: _Close, names) -> str | None:
    import numpy as np

    for k in range(e.ndim):
        if e.shape[k] < 3:   # with 2 positions a roll is a flip
            continue
        if close(np.broadcast_to(np.take(e, [0], axis=k), e.shape), e):
            continue   # constant along this axis: a shift or roll cannot be told from anything else
        for step, way in ((1, "later"), (-1, "earlier")):
            if close(g, np.roll(e, step, axis=k)):
                return (f"your output equals the expected one rolled by one along {_axis(k, e.ndim, names)}: "
                        f"every value sits one position {way}, and the one at the end wraps around")
            sl_g = [slice(None)] * e.ndim
            sl_e = [slice(None)] * e.ndim
            sl_g[k], sl_e[k] = (slice(1, None), slice(None, -1)) if step == 1 else (slice(None, -1), slice(1, None))
            if close(g[tuple(sl_g)], e[tuple(sl_e)]):
                return (f"your output equals the expected one shifted by one position along "
                        f"{_axis(k, e.ndim, names)} (every value sits one position {way}; the position left "
                        f"at the end holds something else)")
    return None


def _named_constant(c: float, sizes: Mapping[str, int]) -> str:
    options = {"2": 2.0, "1/2": 0.5, "-1": -1.0}
    for name, d in sizes.items():
        if d > 1:
            options.update({f"sqrt({name})": math.sqrt(d), f"1/sqrt({name})": 1 / math.sqrt(d),
                            f"{name}": float(d), f"1/{name}": 1 / d})
    for name, value in options.items():
        if math.isclose(c, value, rel_tol=1e-4):
            return f" (= {name})"
    return ""


def _scaled(g, e, close: _Close, sizes: Mapping[str, int]) -> str | None:
    import numpy as np

    if close(g, -e):
        return "your output equals the expected one with its sign flipped (times -1)"
    if e.size < 2:   # one value is a multiple of any other: a scale explains nothing
        return None
    denom = float(np.sum(e * e))
    if denom == 0 or not np.isfinite(denom):
        return None
    c = float(np.sum(g * e)) / denom
    if not np.isfinite(c) or math.isclose(c, 1.0, rel_tol=1e-6) or abs(c) < 1e-12:
        return None
    if close(g, c * e):
        return f"your output equals the expected one times {c:.6g}{_named_constant(c, sizes)}"
    return None


def _offset(g, e, close: _Close, names) -> str | None:
    import numpy as np

    diff = g - e
    if not np.all(np.isfinite(diff)) or e.size < 2:
        return None
    def explains(fitted) -> bool:
        """The fitted offset accounts for the difference: what is left is tiny beside it (rounding noise
        that happens to pass the tolerance once averaged is not an offset)."""
        rest = float(np.max(np.abs(diff - fitted)))
        return close(g, e + fitted) and rest <= 0.01 * float(np.max(np.abs(fitted)))

    c = float(np.mean(diff))
    if abs(c) > close.atol and explains(np.full_like(diff, c)):
        return f"your output equals the expected one plus the constant {c:.6g} everywhere"
    for k in range(e.ndim):
        if e.shape[k] < 2 or e.size < 2 * e.shape[k]:   # at least two values per fitted one
            continue
        others = tuple(a for a in range(e.ndim) if a != k)
        vector = np.mean(diff, axis=others, keepdims=True)
        if np.ptp(vector) > close.atol and explains(np.broadcast_to(vector, diff.shape)):
            return (f"your output equals the expected one plus one value per index of {_axis(k, e.ndim, names)} "
                    f"(a vector added along that axis, as a bias is added)")
    return None


def _nonfinite(g, e) -> str | None:
    import numpy as np

    finite = np.isfinite(e)
    for label, bad in (("NaN", np.isnan(g)), ("inf", np.isinf(g))):
        where = bad & finite
        if where.any():
            first = tuple(int(i) for i in np.argwhere(where)[0])
            total = int(where.sum())
            return (f"your output has {label} at {total} of {where.size} positions where the expected value is "
                    f"finite (the first at index {first})")
    return None


def _constant(g, e, close: _Close) -> str | None:
    import numpy as np

    if e.size < 2 or not np.all(np.isfinite(g)) or np.ptp(g) != 0 or close(np.full_like(e, g.flat[0]), e):
        return None
    if g.flat[0] == 0:
        return "every value of your output is 0"
    return f"every value of your output is the same number, {float(g.flat[0]):.6g}"


def _truncated(g, e, close: _Close) -> str | None:
    import numpy as np

    if not np.all(np.isfinite(e)) or np.array_equal(np.trunc(e), e) or (e.ndim == 0 or e.size == 1) \
            or not np.any(np.abs(e) >= 1):
        return None   # one number, or values all below 1: a 0 or a whole number says nothing of rounding
    for name, fn in (("truncated toward zero", np.trunc), ("rounded", np.round), ("rounded down", np.floor)):
        if np.array_equal(g, fn(e)):
            return (f"your output equals the expected one with every value {name} to a whole number (an "
                    f"integer dtype, int() or a rounding somewhere)")
    return None


def _runs(indices: list[int]) -> str:
    if len(indices) == 1:
        return f"index {indices[0]}"
    return "indices " + ", ".join(str(i) for i in indices[:-1]) + f" and {indices[-1]}"


def _where(g, e, close: _Close, names) -> str | None:
    """Where the differing values are, when they are confined: to some indices of an axis, to the
    indices from some point on (the earlier ones match), or to the border of the last two axes."""
    import numpy as np

    if g.shape != e.shape or e.ndim == 0:
        return None
    bad = ~np.isclose(g, e, rtol=close.rtol, atol=close.atol, equal_nan=True)
    if not bad.any() or bad.all():
        return None
    parts = []
    for k in range(e.ndim):
        n = e.shape[k]
        if n < 2:
            continue
        rows = np.flatnonzero(np.any(bad, axis=tuple(a for a in range(e.ndim) if a != k)))
        if len(rows) == n:
            continue
        if len(rows) == n - rows[0] and rows[0] > 0 and n - rows[0] > 1:
            parts.append(f"along {_axis(k, e.ndim, names)} from index {rows[0]} on (every earlier index matches)")
        elif len(rows) <= 4:
            parts.append(f"at {_runs([int(i) for i in rows])} of {_axis(k, e.ndim, names)} only")
    if parts:
        return "the differing values are all " + "; and ".join(parts[:2])
    if e.ndim >= 2 and min(e.shape[-2:]) >= 5:
        h, w = e.shape[-2:]
        for width in (1, 2):
            inner = bad[..., width:h - width, width:w - width]
            if not inner.any():
                return (f"the differing values all lie within {width} position{'s' if width > 1 else ''} of the "
                        f"edge of the last two axes (the border); the inside matches")
    return None


def explain(got: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-6, axes: Sequence[str] | None = None,
            sizes: Mapping[str, int] | None = None) -> str | None:
    """The structural explanation that fits ``got`` on this case, as a sentence, or None.

    ``axes`` names the axes ("batch", "channel", ...); ``sizes`` names sizes a scale may be made of
    (every axis size is tried as ``d`` too).
    """
    try:
        g, e = _numpy(got), _numpy(expected)
    except Exception:   # not numeric: the comparison's own message says what it is
        return None
    if g.size > MAX_ELEMENTS or e.size > MAX_ELEMENTS or e.size == 0:
        return None
    close = _Close(rtol, atol)
    if g.shape == e.shape:
        if close(g, e):
            return None
        found = _nonfinite(g, e)
        if found:
            return found
    named = dict(sizes or {})
    if e.ndim:
        named.setdefault("d", int(e.shape[-1]))   # the size of the last axis (a feature or key size)
    steps: list[Callable[[], str | None]] = [
        lambda: _permuted(g, e, close, axes), lambda: _reshaped(g, e, close), lambda: _item(g, e, close, axes)]
    if g.shape == e.shape:
        steps += [lambda: _flipped(g, e, close, axes), lambda: _rolled(g, e, close, axes),
                  lambda: _scaled(g, e, close, named), lambda: _offset(g, e, close, axes)]
    import numpy as np

    if g.shape == e.shape:   # symptoms, tried once no structural explanation fits
        steps += [lambda: _constant(g, e, close), lambda: _truncated(g, e, close), lambda: _where(g, e, close, axes)]
    with np.errstate(all="ignore"):
        for step in steps:
            found = step()
            if found:
                return found
    if g.shape != e.shape and e.ndim >= 2 and sorted(g.shape) == sorted(e.shape):
        return (f"your output's shape {tuple(g.shape)} is a permutation of the expected {tuple(e.shape)}: "
                f"the axes come out in another order")
    return None


def matching_variants(got: Any, expected: Any, variants: Iterable[tuple[str, Callable[[], Any]]], *,
                      rtol: float = 1e-5, atol: float = 1e-6, exact: bool = False) -> list[str]:
    """The ids of the variants of the reference that ``got`` equals on this input.

    Each variant is ``(hint id, thunk)``; the thunk computes the reference with one change. A variant
    that cannot run on this input (raises), or that equals the expected value (this input cannot tell
    it apart), is never matched. ``exact`` compares integers exactly.
    """
    import numpy as np

    g = _numpy(got)
    e = _numpy(expected)
    close = (lambda a, b: a.shape == b.shape and bool(np.array_equal(a, b))) if exact else _Close(rtol, atol)
    found: list[str] = []
    for hint, make in variants:
        if hint in found:
            continue
        try:
            wrong = _numpy(make())
        except Exception:
            continue
        if wrong.size and not np.isfinite(wrong).any():   # all NaN or inf: matches any broken output alike
            continue
        if close(g, wrong) and not close(e, wrong):
            found.append(hint)
    return found


_PROBE_RUNS: dict = {}


def rerun_once(rerun: Callable[..., Any], index: int, args: Sequence[Any]) -> tuple[bool, Any]:
    """(ok, the student's output) of ``rerun(*args)`` for probe ``index``, run once per test and function:
    hypothesis replays a failing test many times while it shrinks the input, and a probe does not depend
    on that input. A time-out or crash on the probe is (False, None): no cause is then claimed."""
    from . import seam
    from .errors import GradingAbort

    key = (seam.current.nodeid, repr(rerun), index)
    if key not in _PROBE_RUNS:
        if len(_PROBE_RUNS) > 64:
            _PROBE_RUNS.clear()
        try:
            _PROBE_RUNS[key] = (True, rerun(*args))
        except (Exception, GradingAbort):
            _PROBE_RUNS[key] = (False, None)
    return _PROBE_RUNS[key]


def _same(a: Any, b: Any) -> bool:
    """Equal within tolerance; a variant that is NaN or inf everywhere never counts as reproduced."""
    import numpy as np

    try:
        if not hasattr(a, "shape"):
            return bool(a == b)
        x, y = _numpy(a), _numpy(b)
        if y.size and not np.isfinite(y).any():
            return False
        return bool(_Close(1e-5, 1e-6)(x, y))
    except Exception:
        return False


def confirmed(student: Callable[[Any], Any], reference: Callable[[Any], Any],
              variants: Mapping[str, Callable[[Any], Any]], failing: Any, probes: Iterable[Any], *,
              same: Callable[[Any, Any], bool] = _same) -> list[str]:
    """The misconceptions that explain the student's function, each confirmed on more than one input.

    A variant is a function of the input, like the reference, with one change (the misconception).
    It is a candidate when the student's output on the ``failing`` input equals it there (and the
    reference differs there). The student's function is then run on each ``probes`` input that tells the
    candidates and the reference apart; a candidate survives only where it reproduces the student's
    output on every one of them. When the student's code raises on a probe, no candidate is claimed:
    an inconsistent function gets no cause named, only its symptom.
    """
    from .errors import GradingAbort

    def value(fn, x):
        try:
            return True, fn(x)
        except Exception:
            return False, None

    def student_value(x):
        try:
            return value(student, x)
        except GradingAbort:   # a time-out or crash on a diagnostic input: no cause is claimed
            return False, None

    ok, got = student_value(failing)
    if not ok:
        return []
    ok_e, want = value(reference, failing)
    alive = [h for h, fn in variants.items()
             if (lambda r: r[0] and same(got, r[1]) and not (ok_e and same(want, r[1])))(value(fn, failing))]
    for x in probes:
        if not alive:
            break
        outs = {h: value(variants[h], x) for h in alive}
        ok_e, want = value(reference, x)
        if all(ok_h and ok_e and same(v, want) for ok_h, v in outs.values()):
            continue   # this input cannot tell them apart
        ok_s, got = student_value(x)
        if not ok_s:
            return []
        alive = [h for h in alive if outs[h][0] and same(outs[h][1], got)]
    return alive


# ---------------------------------------------------------------- exceptions in plain words
def _dims(text: str) -> str:
    return "(" + ", ".join(d.strip() for d in text.split(",") if d.strip()) + ")"


def _matmul(m) -> str:
    a, b, c, d = m.groups()
    return (f"a matrix product (@, torch.matmul, torch.mm or an nn.Linear) got a {a}x{b} and a {c}x{d} matrix; "
            f"it needs the first one's columns ({b}) to equal the second one's rows ({c}). Look for a missing "
            f"or extra transpose, operands in the wrong order, or a reshape that put the features on another axis.")


def _broadcast(m) -> str:
    a, b, dim = m.groups()
    return (f"two tensors combined element by element (+, -, *, /, torch.where, ...) have sizes {a} and {b} on "
            f"axis {dim} (counted from the right-aligned shapes); broadcasting needs them equal, or one of them "
            f"1. Print both shapes just before that line: an axis is missing, extra, or in another order.")


def _np_broadcast(m) -> str:
    return (f"two arrays combined element by element have shapes {m.group(1).strip()} that do not broadcast: "
            f"aligned from the right, each pair of sizes must be equal or contain a 1. Print both shapes just "
            f"before that line: an axis is missing, extra, or in another order.")


def _np_matmul(m) -> str:
    operand, core, size, other = m.groups()
    return (f"a matrix product (@ or np.matmul) got operands whose inner sizes differ ({size} vs {other}, "
            f"operand {operand}, core axis {core}): the first one's last axis must equal the second one's "
            f"second-to-last. Look for a missing transpose or operands in the wrong order.")


def _np_dot(m) -> str:
    return (f"np.dot got shapes ({m.group(1)}) and ({m.group(2)}), whose inner sizes differ: the first one's last "
            f"axis must equal the second one's second-to-last. Look for a missing transpose or operands in the "
            f"wrong order.")


def _dim_range(m) -> str:
    low, high, got = m.groups()
    ndim = int(high) + 1
    return (f"your code asked for axis {got} of a tensor that has only {ndim} "
            f"ax{'is' if ndim == 1 else 'es'} (valid: {low} to {high}); the tensor has fewer axes than the line "
            f"assumes (a batch or channel axis missing, or an axis already squeezed or summed away).")


def _view(m) -> str:
    return (f"a view or reshape to {_dims(m.group(1))} was asked of a tensor with {m.group(2)} values: the new "
            f"shape must hold exactly as many values as the old one. Compute the new sizes from the input's "
            f"shape instead of typing them.")


def _index(m) -> str:
    i, dim, size = m.groups()
    return (f"index {i} was used on axis {dim}, which has size {size} (valid indices 0 to {int(size) - 1}): "
            f"the index runs past the end of that axis (often a loop bound or a window position one step too "
            f"far).")


def _dtype(_m) -> str:
    return ("your code mixes tensors of different dtypes (float32 and float64, or a float and an integer) in one "
            "operation. Make new tensors and parameters with the input's dtype (dtype=x.dtype, torch.zeros_like), "
            "and do not hard-code .float() or .double().")


def _conv_channels(m) -> str:
    return (f"the convolution's weight {_dims(m.group(1))} expects {m.group(3)} input channels, but the input "
            f"{_dims(m.group(2))} has {m.group(4)}: the channel axis is axis 1 of (N, C, H, W); check the order of "
            f"the axes and of the weight's (out_channels, in_channels, kH, kW).")


def _batched(m) -> str:
    return (f"{m.group(3)} takes a {m.group(1)}D or a {m.group(2)}D tensor, and got one of shape "
            f"{_dims(m.group(4))}: an axis is missing or extra.")


_EXCEPTIONS: list[tuple[str, Callable[[Any], str]]] = [
    (r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)", _matmul),
    (r"The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton dimension (\d+)",
     _broadcast),
    (r"operands could not be broadcast together with shapes (.*)", _np_broadcast),
    (r"matmul: Input operand (\d+) has a mismatch in its core dimension (\d+).*\(size (\d+) is different from "
     r"(\d+)\)", _np_matmul),
    (r"shapes \(([^)]*)\) and \(([^)]*)\) not aligned", _np_dot),
    (r"Dimension out of range \(expected to be in range of \[(-?\d+), (-?\d+)\], but got (-?\d+)\)", _dim_range),
    (r"shape '\[([^\]]*)\]' is invalid for input of size (\d+)", _view),
    (r"cannot reshape array of size (\d+) into shape (\(.*\))",
     lambda m: f"a reshape to {m.group(2)} was asked of an array with {m.group(1)} values: the new shape must "
               f"hold exactly as many values as the old one."),
    (r"view size is not compatible with input tensor's size and stride",
     lambda m: "a .view() of a tensor whose memory is not laid out in order (after a transpose or permute): use "
               ".reshape(), or .contiguous() before .view()."),
    (r"index (-?\d+) is out of bounds for (?:dimension|axis) (\d+) with size (\d+)", _index),
    (r"Given groups=\d+, weight of size \[([^\]]*)\], expected input\[([^\]]*)\] to have (\d+) channels, but got "
     r"(\d+) channels", _conv_channels),
    (r"Expected (\d)D \(\w+\) or (\d)D \(\w+\) input to (\w+), but got input of size: \[([^\]]*)\]",
     _batched),
    (r"Sizes of tensors must match except in dimension (\d+)\. Expected size \d+ but got size \d+ for tensor "
     r"number \d+", lambda m: f"tensors joined with torch.cat differ in size on an axis other than the joined "
                              f"one (axis {m.group(1)}); all other axes must agree."),
    (r"stack expects each tensor to be equal size", lambda m: "torch.stack needs tensors of one shape, and yours "
                                                              "differ (often a slice at a border that comes out "
                                                              "shorter)."),
    (r"expected (?:scalar type \w+ but found \w+|m1 and m2 to have the same dtype|both vectors to have same dtype"
     r"|mat1 and mat2 to have the same dtype)|must have the same dtype|Input type \(.*\) and (?:weight|bias) type \(.*\) should be the same"
     r"|Found dtype \w+ but expected \w+|result type \w+ can't be cast to the desired output type", _dtype),
    (r"Trying to backward through the graph a second time",
     lambda m: "backward() ran twice through the same graph: compute the forward pass again before each "
               "backward(), or keep the graph with retain_graph=True."),
    (r"a leaf Variable that requires grad is being used in an in-place operation",
     lambda m: "a parameter (or an input that requires grad) is changed in place (+=, [...] =, .add_()): write "
               "the result into a new tensor instead, or change parameters under torch.no_grad()."),
    (r"one of the variables needed for gradient computation has been modified by an inplace operation",
     lambda m: "a tensor that autograd saved for the backward pass was changed in place afterwards (+=, [...] =, "
               "a trailing-underscore method): build a new tensor instead of overwriting it."),
    (r"element 0 of tensors does not require grad and does not have a grad_fn",
     lambda m: "backward() was called on a value that is not connected to any parameter: the graph was cut "
               "(.detach(), .data, .item(), numpy, torch.no_grad(), or torch.tensor(...) of computed values)."),
    (r"Can't call numpy\(\) on Tensor that requires grad",
     lambda m: ".numpy() of a tensor that is part of a graph: use .detach().numpy() where you need the values."),
    (r"only one element tensors can be converted to Python scalars|can only convert an array of size 1 to a Python "
     r"scalar|Tensor with \d+ elements cannot be converted to Scalar|only (?:0-dimensional|length-1|size-1) arrays "
     r"can be converted to Python scalars", lambda m: "float(), int() or .item() was applied to a tensor or array with more than one value."),
    (r"Boolean value of Tensor with more than one value is ambiguous|truth value of an array with more than one "
     r"element is ambiguous",
     lambda m: "an if, and, or or got a whole tensor or array: compare single values, or use .all(), .any(), "
               "torch.where or np.where."),
    (r"'NoneType' object (?:has no attribute|is not subscriptable|is not iterable)|unsupported operand type\(s\) "
     r"for .*'NoneType'",
     lambda m: "a value your code uses is None: a function without a return statement (or one that returns "
               "before its end without a value) gives None."),
    (r"maximum recursion depth exceeded",
     lambda m: "a function calls itself without end (a method that calls itself instead of the parent class's, "
               "e.g. self.forward inside forward)."),
]


def explain_exception(type_name: str, message: str) -> str | None:
    """What an exception raised by student code means, in the exercise's terms, or None.

    Recognises the messages torch, NumPy and Python give for the usual mistakes (shapes that do
    not fit a matrix product or broadcast, an axis that does not exist, a view of the wrong size, an
    index past the end, mixed dtypes, graphs cut or changed in place, None where a value belongs)."""
    import re

    for pattern, make in _EXCEPTIONS:
        m = re.search(pattern, message or "")
        if m:
            try:
                return make(m)
            except Exception:   # an unexpected message shape: say nothing rather than something wrong
                return None
    return None
