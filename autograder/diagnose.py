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
==============  ===============================================================================

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
    c = float(np.mean(diff))
    if abs(c) > close.atol and close(g, e + c):
        return f"your output equals the expected one plus the constant {c:.6g} everywhere"
    for k in range(e.ndim):
        if e.shape[k] < 2 or e.size < 2 * e.shape[k]:   # at least two values per fitted one
            continue
        others = tuple(a for a in range(e.ndim) if a != k)
        vector = np.mean(diff, axis=others, keepdims=True)
        if np.ptp(vector) > close.atol and close(g, e + vector):
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
        if close(g, wrong) and not close(e, wrong):
            found.append(hint)
    return found


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) if not hasattr(a, "shape") else bool(_Close(1e-5, 1e-6)(_numpy(a), _numpy(b)))
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
