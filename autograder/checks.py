"""What grading tests compare with: one place for tolerances, comparisons, answer keys and hints.

Every failure raised here is a :class:`Mismatch` whose text is written for a student:
what was compared, expected vs got (unless the expected value is secret), and a hint
when the wrong answer matches a known misconception.
"""
from __future__ import annotations

import hashlib
import json
import math
import numbers
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .wire import short

# rtol and atol, always together, keyed by dtype name.
TOLERANCES: dict[str, tuple[float, float]] = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "float": (1e-9, 1e-12),   # Python floats and exact answers given as floats
}


class Mismatch(AssertionError):
    """A graded comparison failed; ``str()`` is the student's feedback."""


def hint_text(hint: str | None, hints: Mapping[str, str] | None = None) -> str:
    if not hint:
        return ""
    body = (hints or {}).get(hint, hint)
    return f"\nHint: {body}"


def call_repr(func: str, *args: Any, **kwargs: Any) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{func}({', '.join(parts)})"


def fail(what: str, got: Any, expected: Any = None, *, reveal: bool = True, source: str = "",
         hint: str | None = None, hints: Mapping[str, str] | None = None, detail: str = "") -> None:
    lines = [what]
    if reveal:
        lines.append(f"  expected: {expected!r}" + (f"   ({source})" if source else ""))
    lines.append(f"  got:      {got!r}")
    if detail:
        lines.append(detail)
    raise Mismatch("\n".join(lines) + hint_text(hint, hints))


# ---------------------------------------------------------------- integers and tuples
def is_integer(value: Any) -> bool:
    """A true integer: int or a numpy integer, never bool or a float."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def as_int_tuple(value: Any) -> tuple[int, ...] | None:
    """``value`` as a tuple of ints when it is a list/tuple of true integers, else None."""
    if isinstance(value, (list, tuple)) and all(is_integer(v) for v in value):
        return tuple(int(v) for v in value)
    return None


# ---------------------------------------------------------------- arrays and tensors
def _to_numpy(value: Any):
    import numpy as np

    if type(value).__module__.startswith("torch"):
        value = value.detach().cpu()
        if str(value.dtype) == "torch.bfloat16":
            value = value.float()
        return value.numpy(), str(value.dtype).removeprefix("torch.")
    arr = np.asarray(value)
    name = arr.dtype.name if arr.dtype.kind == "f" else "float"
    return arr, name


def _relabel(sentence: str, labels: tuple[str, str]) -> str:
    """An explanation said of two of the student's own results: neither one is "expected"."""
    import re

    mine, theirs = labels
    sentence = sentence.replace("the expected values in the expected order", f"the values of {theirs} in the same order")
    sentence = re.sub(r"the expected (one|values|value|result)\b", lambda m: f"the {m.group(1)} of {theirs}"
                      .replace("the one of", "the output of"), sentence)
    sentence = sentence.replace("the expected (", f"that of {theirs} (").replace("your output", f"the output of {mine}")
    return sentence


def observed(got: Any, expected: Any, rtol: float, atol: float, axes=None, sizes=None,
             labels: tuple[str, str] | None = None) -> str:
    """The structural explanation of a difference (see :mod:`autograder.diagnose`) as a feedback line."""
    from .diagnose import explain

    try:
        found = explain(got, expected, rtol=rtol, atol=atol, axes=axes, sizes=sizes)
    except Exception:   # an explanation is a courtesy; it never turns a failure into a crash
        found = None
    if found and labels:
        found = _relabel(found, labels)
    return f"\n  observed: {found}" if found else ""


def assert_close(got: Any, expected: Any, what: str, *, rtol: float | None = None, atol: float | None = None,
                 reveal: bool = True, hint: str | None = None, hints: Mapping[str, str] | None = None,
                 axes=None, sizes=None, labels: tuple[str, str] | None = None) -> None:
    """Shape first, then values: how many differ, the worst difference and where, and the structural
    explanation that fits, if one does (``axes`` names the axes, ``sizes`` names sizes for a scale).

    ``labels`` = (name of ``got``, name of ``expected``) when both are the student's own results (two
    of their functions that must agree): neither is then called "expected"."""
    import numpy as np

    if got is None or not (hasattr(got, "shape") or isinstance(got, (list, tuple, numbers.Number))):
        fail(what, got, "an array" if not reveal else expected, reveal=reveal, hint=hint, hints=hints,
             detail="  (the value returned is not an array or number)")
    g, _ = _to_numpy(got)
    e, dtype = _to_numpy(expected)
    default_rtol, default_atol = TOLERANCES.get(dtype, TOLERANCES["float32"])
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    mine, theirs = labels or ("got", "expected")
    width = max(len(mine), len(theirs))
    if g.shape != e.shape:
        raise Mismatch(f"{what}\n  {theirs + ' shape:':<{width + 7}} {tuple(e.shape)}\n  {mine + ' shape:':<{width + 7}} "
                       f"{tuple(g.shape)}" + observed(g, e, rtol, atol, axes, sizes, labels) + hint_text(hint, hints))
    g64, e64 = g.astype(np.float64), e.astype(np.float64)
    bad = ~np.isclose(g64, e64, rtol=rtol, atol=atol, equal_nan=True)
    if bad.any():
        diff = np.where(bad, np.abs(g64 - e64), 0)
        diff = np.nan_to_num(diff, nan=np.inf)
        where = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
        lines = [what, f"  {int(bad.sum())} of {bad.size} values differ "
                       f"(allowed: |{mine} - {theirs}| <= {atol:g} + {rtol:g} * |{theirs}|)",
                 f"  worst at index {tuple(int(i) for i in where)}: {mine} {g64[where]!r}"
                 + (f", {theirs} {e64[where]!r}" if reveal else "")]
        g_type, e_type = _dtype_name(got), _dtype_name(expected)
        if g_type and e_type and g_type != e_type:
            lines.append(f"  dtype: {mine} {g_type}, {theirs} {e_type}")
        raise Mismatch("\n".join(lines) + observed(g64, e64, rtol, atol, axes, sizes, labels)
                       + hint_text(hint, hints))


def _dtype_name(value: Any) -> str:
    """"float32", "int64", ... for a tensor or array, "" for anything else."""
    dtype = getattr(value, "dtype", None)
    return str(dtype).removeprefix("torch.") if dtype is not None and hasattr(value, "shape") else ""


# ---------------------------------------------------------------- symbolic answers
class CheckTimeout(Exception):
    """A grader-side check ran out of its time or memory (see :func:`isolated`)."""


def _vm_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def isolated(fn: Callable[..., Any], *args: Any, timeout: float, memory_mb: int = 512) -> Any:
    """``fn(*args)`` in a forked child of this (trusted) process, with a time limit and ``memory_mb``
    of address space beyond what this process maps now; returns its (pickled) result.

    For sympy work on a student's expression (simplify, evaluation, ``doit``): a hang, a blow-up or
    C-level big-number work that SIGALRM cannot interrupt then costs at most ``timeout`` seconds and
    never this process's memory. Raises :class:`CheckTimeout` when the child ran out of either; an
    exception in ``fn`` is raised here as ``CheckTimeout`` too, with its text. Off Linux (a student's
    laptop), ``fn`` runs in this process.
    """
    import os
    import pickle
    import select
    import signal
    import sys
    import time

    if sys.platform != "linux" or not hasattr(os, "fork"):
        return fn(*args)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:   # the child: limits, the work, the result, and out without any cleanup
        try:
            os.close(read_fd)
            import resource
            limit = _vm_bytes() + memory_mb * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.setitimer(signal.ITIMER_REAL, max(timeout, 0.01) + 0.5)
            try:
                out = (True, fn(*args))
            except MemoryError:
                out = (False, "it needed more than the memory allowed")
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                out = (False, f"{type(exc).__name__}: {str(exc)[:300]}")
            try:
                data = pickle.dumps(out)
            except Exception:  # noqa: BLE001
                data = pickle.dumps((False, "its result could not be sent back"))
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks, deadline = [], time.monotonic() + timeout + 1.0
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_fd], [], [], left)[0]:
                raise CheckTimeout(f"it did not finish within {timeout:.1f}s")
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    if not chunks:
        raise CheckTimeout("it ran out of time or memory")
    ok, value = pickle.loads(b"".join(chunks))
    if not ok:
        raise CheckTimeout(str(value))
    return value


# One answer's equivalence checks share one time-out, however many hint variants it is compared with.
_answer_deadlines: dict[Any, float] = {}
_answer_test = [""]


def _time_for(answer: Any, timeout: float) -> float:
    import time

    from . import seam

    if _answer_test[0] != seam.current.nodeid:
        _answer_deadlines.clear()
        _answer_test[0] = seam.current.nodeid
    try:
        deadline = _answer_deadlines.setdefault(answer, time.monotonic() + timeout)
    except TypeError:   # unhashable
        deadline = time.monotonic() + timeout
    return min(deadline - time.monotonic(), seam.share_left())


def sympy_equivalent(a: Any, b: Any, *, samples: int = 20, seed: int = 0, timeout: float = 5.0) -> bool:
    """True when a == b: ``simplify(a - b) == 0``, else agreement at random points (time-boxed).

    The work beyond a structural comparison runs in :func:`isolated` (time and memory limits). One
    answer ``a`` gets ``timeout`` seconds in all within a test, shared by every ``b`` it is compared
    with (the expected value and the hint variants), and never more than what is left of the
    exercise's share of the run (see ``seam.check_share``). Out of time means not shown equal.
    """
    import sympy

    a, b = sympy.sympify(a, strict=True), sympy.sympify(b, strict=True)
    if a == b:
        return True
    _import_what_simplify_imports()
    return _shown_in_time(a, timeout, lambda left: _equivalent(a, b, samples, seed, left))


# Modules sympy.simplify imports on its first call (it looks for physical units in the expression).
# Imported here, in the grader, before the first isolated child is forked: otherwise every child that
# simplifies imports them again and throws them away. Measured in an attention-transformers run: such a
# child copied ~19 MB of pages and used ~0.09 s of CPU instead of ~11 MB and ~0.02 s.
SIMPLIFY_IMPORTS = ("sympy.physics.units", "sympy.assumptions.wrapper")


def _import_what_simplify_imports() -> None:
    import importlib

    for name in SIMPLIFY_IMPORTS:
        importlib.import_module(name)


def expands_to_zero(expr: Any, *, trig: bool = False, timeout: float = 5.0) -> bool:
    """``expand(expr) == 0`` (with ``trig``: expanding the trigonometric functions of sums too), for an
    expression built from a student's answer: run in :func:`isolated`, within the answer's time-out
    (shared with :func:`sympy_equivalent` for the same expression) and the exercise's share. Out of
    time or memory means not shown zero."""
    import sympy

    expr = sympy.sympify(expr, strict=True)
    if expr == 0:
        return True
    return _shown_in_time(("expand", expr), timeout, lambda left: _expands_to_zero(expr, trig))


def _shown_in_time(answer: Any, timeout: float, work: Callable[[float], Any]) -> bool:
    """``work(seconds left)`` in :func:`isolated`, within ``answer``'s shared time-out and the exercise's
    share (its use-up is raised, as "could not be checked in time"); False when it ran out of time."""
    from . import seam

    seam.check_share("the rest of its answers could not be checked in time")
    left = _time_for(answer, timeout)
    if left <= 0:
        return False
    try:
        return bool(isolated(work, left, timeout=left))
    except CheckTimeout:
        return False


def _expands_to_zero(expr: Any, trig: bool) -> bool:
    import sympy

    out = sympy.expand(expr)
    if trig:
        out = sympy.expand(sympy.expand_trig(out))
    return out == 0


def _equivalent(a: Any, b: Any, samples: int, seed: int, timeout: float) -> bool:
    import random
    import signal
    import threading

    import sympy

    use_alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    class _Slow(Exception):
        pass

    def on_alarm(signum, frame):
        raise _Slow

    if use_alarm:
        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        try:
            if sympy.simplify(a - b) == 0:
                return True
        except _Slow:
            pass
        rng = random.Random(seed)
        # Every symbol of either side (a - b may have lost some, e.g. when it is a non-zero constant).
        symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
        for _ in range(samples):
            point = {s: sympy.Rational(rng.randint(1, 97), rng.randint(1, 13)) *
                     (1 if s.is_positive or s.is_nonnegative else rng.choice((1, -1))) for s in symbols}
            try:
                va, vb = complex(a.evalf(subs=point)), complex(b.evalf(subs=point))
            except (TypeError, ValueError):   # not a number there: undefined functions, a pole
                if sympy.simplify((a - b).subs(point)) != 0:
                    return False
                continue
            if not cmath_close(va, vb):
                return False
        return True
    except _Slow:
        return False
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


MAX_SUM_TERMS = 10_000


def summed_out(expr: Any, *, timeout: float = 5.0, what: str = "the answer") -> Any:
    """``expr.doit()`` for a student's Sum or Product answer, bounded: every Sum and Product in it must
    run over integer limits with at most MAX_SUM_TERMS terms (else a :class:`Mismatch` that says so),
    and the evaluation itself runs in :func:`isolated`. Never ``doit()`` on student-chosen bounds as
    they come."""
    import sympy

    expr = sympy.sympify(expr, strict=True)
    for node in expr.atoms(sympy.Sum, sympy.Product):
        for limit in node.limits:
            lo, hi = (limit[1], limit[2]) if len(limit) == 3 else (None, None)
            if lo is None or not (lo.is_Integer and hi.is_Integer):
                raise Mismatch(f"{what}\n  got: {short(node, 200)}\n  its sum or product over {limit[0]} does not run "
                               "between whole numbers here, so it cannot be summed out")
            if int(hi) - int(lo) + 1 > MAX_SUM_TERMS:
                raise Mismatch(f"{what}\n  got: {short(node, 200)}\n  its sum or product over {limit[0]} has "
                               f"{int(hi) - int(lo) + 1} terms here; the grader sums out at most {MAX_SUM_TERMS}")
    left = min(timeout, _time_for(("summed_out", expr), timeout))
    if left <= 0:
        raise Mismatch(f"{what}\n  could not be checked in time (this exercise's share of the grading time is used up)")
    try:
        return isolated(lambda e: e.doit(), expr, timeout=left)
    except CheckTimeout as exc:
        raise Mismatch(f"{what}\n  got: {short(expr, 200)}\n  summing it out failed: {exc}") from None


def png_pixels(data: Any, what: str, hint: str = "", min_side: int = 64, max_side: int = 4096):
    """The bytes of a PNG a student's code wrote (``data``: a uint8 array, or None when no file was
    written): it must open with PIL, have ``min_side`` to ``max_side`` pixels on each side and not be one
    flat colour. Returns its pixels as an (H, W, 3) uint8 array; raises Mismatch, with ``hint`` after the
    failures a missing or broken plot explains (no file, not a PNG, a flat colour)."""
    import io

    import numpy as np
    from PIL import Image

    tail = f"\nHint: {hint}" if hint else ""
    if data is None:
        raise Mismatch(f"{what}\n  no file was written at the given path{tail}")
    raw = bytes(np.asarray(data, dtype=np.uint8))
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise Mismatch(f"{what}\n  the file written is not a PNG (it starts with {raw[:8]!r}){tail}")
    try:
        with Image.open(io.BytesIO(raw)) as img:
            img.load()
            size, pixels = img.size, np.asarray(img.convert("RGB"))
    except Exception as exc:
        raise Mismatch(f"{what}\n  the PNG written cannot be opened: {type(exc).__name__}: {exc}"[:1500]) from None
    if not (min_side <= size[0] <= max_side and min_side <= size[1] <= max_side):
        raise Mismatch(f"{what}\n  the PNG is {size[0]}x{size[1]} pixels; expected between {min_side} and {max_side} "
                       "on each side")
    if pixels.reshape(-1, 3).std(axis=0).max() < 1.0:
        raise Mismatch(f"{what}\n  the PNG is a single flat colour{tail}")
    return pixels


def exceeds(value: Any, limit: Any) -> Any:
    """``value > limit`` where NaN exceeds every limit (``value <= limit`` is False for NaN, so a check
    written ``if abs(got - want) > tol: fail`` would let a NaN answer pass). Elementwise for arrays and
    tensors with dimensions, a bool otherwise. Every tolerance check in tests/ goes through this or the
    comparisons above (a self-test scans for hand-written ones)."""
    within = value <= limit
    if getattr(within, "ndim", 0):
        return ~within
    return not bool(within)


def cmath_close(x: complex, y: complex, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    return abs(x - y) <= atol + rtol * abs(y)


# ---------------------------------------------------------------- answer keys
def canonical(value: Any) -> str:
    """A canonical text for a by-hand answer: what gets hashed into an answer key.

    Lists and tuples are the same; sets and frozensets are the same whatever their order
    (and differ from lists); ints, integral floats and integral fractions are the same;
    other floats and fractions are compared to 9 significant digits.
    """
    def walk(v):
        if isinstance(v, bool):
            return {"bool": v}
        if is_integer(v):
            return int(v)
        if isinstance(v, (float, Fraction)) or (isinstance(v, numbers.Real) and not isinstance(v, bool)):
            f = float(v)
            if math.isfinite(f) and f == int(f) and abs(f) < 2**53:
                return int(f)
            return {"real": f"{f:.9g}"}
        if isinstance(v, str):
            return {"str": v.strip().lower()}
        if isinstance(v, (list, tuple)):
            return [walk(x) for x in v]
        if isinstance(v, (set, frozenset)):  # order-free: sorted by each element's canonical text
            return {"set": sorted((walk(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))}
        if isinstance(v, dict):
            return {"dict": sorted([json.dumps(walk(k)), walk(x)] for k, x in v.items())}
        return {"repr": type(v).__name__}
    return json.dumps(walk(value), sort_keys=True, separators=(",", ":"))


def digest(exercise: str, part: str, value: Any) -> str:
    return hashlib.sha256(f"{exercise}/{part}/{canonical(value)}".encode()).hexdigest()


def load_keys(exercise: str, root: Path) -> dict:
    path = Path(root) / "tests" / "keys" / f"{exercise}.json"
    return json.loads(path.read_text())


def check_keyed_answer(got: Any, keys: Mapping, exercise: str, part: str, what: str, *,
                       hints: Mapping[str, str], validate: Callable[[Any], str | None] | None = None) -> None:
    """Compare a by-hand answer with its hashed key; the expected value is never shown."""
    entry = keys["parts"][part]
    if validate is not None:
        problem = validate(got)
        if problem:
            raise Mismatch(f"{what}\n  got: {got!r}\n  {problem}")
    h = digest(exercise, part, got)
    if h == entry["answer"]:
        return
    hint = entry.get("misconceptions", {}).get(h)   # None when two misconceptions give this same answer
    fail(what + " is not the expected value", got, reveal=False, hint=hint, hints=hints)


def keys_for(exercise: str, parts: Mapping[str, Any], misconceptions: Iterable[tuple[str, Mapping[str, Any]]],
             generic: Iterable[str] = ("axis_order",)) -> dict:
    """Build an answer-key document: hashed answers, and hashed wrong answers -> hint id.

    A hashed wrong answer is the reproduction of its misconception, so its hint is verified. When two
    misconceptions give the same wrong answer to a part, that answer cannot name either: it is kept
    with no hint (null), unless one of them is ``generic`` (any reordering of a tuple is
    ``axis_order``): the specific one then names it."""
    generic = set(generic)
    doc: dict[str, Any] = {"exercise": exercise, "parts": {}}
    wrong = list(misconceptions)
    for part, answer in sorted(parts.items()):
        right = digest(exercise, part, answer)
        entry: dict[str, Any] = {"answer": right, "misconceptions": {}}
        for hint, values in wrong:
            if part in values:
                h = digest(exercise, part, values[part])
                if h != right:
                    known = entry["misconceptions"].get(h, hint)
                    if known == hint or known in generic:
                        entry["misconceptions"][h] = hint
                    elif hint not in generic:
                        entry["misconceptions"][h] = None
        entry["misconceptions"] = dict(sorted(entry["misconceptions"].items()))
        doc["parts"][part] = entry
    return doc


# ---------------------------------------------------------------- initialisation
def check_init(values: Mapping[str, Any], hidden_size: int, what: str, hint: str = "") -> None:
    """A recurrent layer's parameters right after construction, checked loosely: every one finite, no
    weight matrix constant, and a root mean square of at most 2/sqrt(H) (2/sqrt(fan_in) for a matrix
    with fewer columns than H), and, for 32 entries or more, a mean within 6 standard errors of zero. Uniform
    in [-1/sqrt(H), 1/sqrt(H)], orthogonal or Xavier weights and zero biases pass; torch.randn scaled up,
    torch.rand (one sign), a range shifted to one side, zeros and uninitialised memory do not. ``hint`` ends
    each failure."""
    import torch

    for name, value in values.items():
        if not isinstance(value, torch.Tensor) or not value.dtype.is_floating_point:
            raise Mismatch(f"{what}\n  {name} is not a floating-point tensor")
        v = value.detach().double()
        if not bool(torch.isfinite(v).all()):
            raise Mismatch(f"{what}\n  {name} holds NaN or inf right after construction (uninitialised memory, "
                           f"as from torch.empty, is not an initialisation)" + hint)
        if v.dim() == 2 and v.numel() > 1 and float(v.max() - v.min()) == 0:
            raise Mismatch(f"{what}\n  every entry of {name} is {float(v.flatten()[0]):.4g}: with equal weights "
                           f"all hidden units compute the same thing and stay equal in training" + hint)
        fan_in = min(hidden_size, v.shape[1]) if v.dim() == 2 else hidden_size
        limit = 2 / fan_in ** 0.5
        rms = float(v.pow(2).mean().sqrt()) if v.numel() else 0.0
        if exceeds(rms, limit):
            raise Mismatch(f"{what}\n  {name} has a root mean square of {rms:.4g}, more than {limit:.4g} "
                           f"(uniform in [-1/sqrt(H), 1/sqrt(H)] gives {1 / (3 * hidden_size) ** 0.5:.4g}; "
                           f"H = {hidden_size})" + hint)
        n = v.numel()
        if n >= 32:   # centred on zero: a symmetric range, orthogonal and Xavier weights, zero biases
            # 6 standard errors: a correct random initialisation fails it about once in 10^6 tensors
            mean, std = float(v.mean()), float(v.std())
            if abs(mean) > 6 * std / n ** 0.5 + 1e-12:
                raise Mismatch(f"{what}\n  the {n} entries of {name} average {mean:.4g} (spread {std:.4g}): they are "
                               f"not centred on zero, as a range from -1/sqrt(H) to 1/sqrt(H) is (one sign only, "
                               f"or a range shifted to one side?)" + hint)
