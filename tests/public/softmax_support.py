"""Shared by the public and hidden softmax tests: hints, strategies, torch and mpmath oracles, diagnosis.

Oracles: ``torch.softmax(z / T)`` in float64 (stable: torch subtracts the maximum itself); the limit
distributions as the same softmax at T = 1e-300 and T = 1e300 applied to ``z - max(z)`` (so nothing
overflows and every gap between distinct logits becomes astronomically large or small); the
symbolic rates against the defining expression evaluated with mpmath at 80 digits.
"""
from __future__ import annotations

import mpmath
import sympy
import torch
from hypothesis import strategies as st

from autograder.checks import Mismatch, assert_close, exceeds, fail, hint_text
from autograder.diagnose import confirmed

EXERCISE = "softmax"

HINTS = {
    "no_max_subtraction": "exp(z_i / T) overflows to inf for large z_i / T (and every exp underflows to 0 when all "
                          "z_i / T are very negative), giving inf/inf or 0/0 = nan. Subtract the row's maximum "
                          "of z / T before exponentiating: the softmax does not change, the largest exponent "
                          "becomes 0 and the sum is at least 1.",
    "temperature_multiplied": "the temperature divides the logits: softmax_T(z)_i = exp(z_i / T) / sum_j "
                              "exp(z_j / T). Multiplying by T swaps the roles of small and large T.",
    "limits_swapped": "as T -> 0+ the gaps (z_i - z_max) / T go to -oo, so the distribution concentrates on the "
                      "maxima; as T -> oo every z_i / T goes to 0, so it becomes uniform. These two look swapped.",
    "ties_one_hot": "when several logits tie for the maximum, p_i / p_k = exp(0) = 1 for any two of them at every T, "
                    "so the T -> 0+ limit shares the probability equally among all tied maxima (1/k each); a "
                    "one-hot argmax picks just one of them.",
    "ties_not_normalised": "the limit is a probability distribution: each of the k tied maxima gets 1/k, not 1.",
    "wrong_axis": "the softmax runs over the last axis (each row of logits is one distribution); leading axes "
                  "are a batch and must not be mixed.",
    "axis_order": "the numbers are right but in the wrong order: entry i is the probability of logit i, in the order "
                  "the logits are listed.",
    "dtype_changed": "return a tensor of the logits' dtype: float32 logits give float32 probabilities and float64 "
                     "logits float64 ones (build new tensors with dtype=z.dtype or torch.full_like / ones_like).",
    "global_max": "the maximum subtracted must be each row's own maximum (max over the last axis, keepdim=True). "
                  "One maximum over the whole tensor leaves the rows whose logits are all far below it with every "
                  "exp underflowing to 0, and 0/0 = nan.",
    "near_ties": "only logits EXACTLY equal to the row's maximum tie (z_i == max): comparing with a tolerance "
                 "(isclose) treats logits that differ by a tiny amount as tied, yet for T -> 0+ the gap divided by T "
                 "still goes to -oo, so the limit puts all the probability on the strictly larger one.",
    "input_modified": "softmax_T must leave the z it is given unchanged: in-place operations such as z /= T, "
                      "z -= m or z.sub_(m) change the caller's logits. Compute on new tensors (scaled = z / T).",
    "not_a_number_tuple": "answer with a tuple of numbers (sympy numbers, fractions or floats), one per logit.",
    "symbol_names": "use exactly the symbols named in the task: a, b, c, d and T.",
    "rate_still_has_T": "the answer is a limit, so T must not appear in it.",
}

FORBIDDEN = ["torch.softmax", "torch.nn.functional.softmax", "torch.Tensor.softmax", "torch.log_softmax",
             "torch.nn.functional.log_softmax", "torch.Tensor.log_softmax", "torch.special.softmax",
             "torch.special.log_softmax", "torch.logsumexp", "torch.Tensor.logsumexp", "torch.special.logsumexp"]
RULE = ("softmax_T is computed from exp, max, sum and arithmetic: no built-in softmax, log_softmax, nn.Softmax "
        "or logsumexp")


# ---------------------------------------------------------------- oracles
def torch_softmax_T(z: torch.Tensor, T: float) -> torch.Tensor:
    """softmax_T in float64 with torch's own stable softmax, cast back to z's dtype."""
    return torch.softmax(z.to(torch.float64) / T, dim=-1).to(z.dtype)


def limit_cold(z: torch.Tensor) -> torch.Tensor:
    """The softmax at T = 1e-300 of z - max(z): ties give exp(0), any gap of at least 1e-8 gives exp(-1e292) = 0."""
    z64 = z.to(torch.float64)
    return torch.softmax((z64 - z64.max(dim=-1, keepdim=True).values) / 1e-300, dim=-1).to(z.dtype)


def limit_hot(z: torch.Tensor) -> torch.Tensor:
    """The softmax at T = 1e300: every exponent is within 1e-296 of 0."""
    z64 = z.to(torch.float64)
    return torch.softmax((z64 - z64.max(dim=-1, keepdim=True).values) / 1e300, dim=-1).to(z.dtype)


# ---------------------------------------------------------------- diagnosis
# A hint names a cause only when the reference with that one change reproduces the student's output on the
# failing input AND on every probe input below that tells the change apart from the right answer
# (autograder.diagnose.confirmed); "id#n" is the n-th variant of one misconception.
def _f64(z):
    return torch.tensor(z, dtype=torch.float64)


# The extreme probes mix rows that overflow or underflow with ordinary rows, so that a variant's NaN sits in some
# rows only (a variant that is NaN everywhere is never taken as reproduced: any overflow would match it).
SOFTMAX_PROBES = [(_f64([[1.0, 2.0, 3.0], [0.5, -1.0, 0.25]]), 2.0),          # moderate: every variant differs
                  (_f64([[1e4, 1e4 - 0.25, 9999.0], [0.5, 1.0, -0.25]]), 1.0),  # overflow in row 0 only
                  (_f64([[-1e4, -1e4 + 0.25], [2.0, 1.0]]), 1e-2)]              # underflow in row 0 only
COLD_PROBES = [_f64([2.0, 5.0, 5.0, -1.0]), _f64([[1.0, 1.0, 1.0], [0.0, 3.0, 3.0]]),
               _f64([[1.0, 1.0 + 2.0 ** -30, 0.5], [0.0, 2.0 ** -31, -1.0]])]
HOT_PROBES = [_f64([2.0, 5.0, 5.0, -1.0]), _f64([[0.0, 1.0], [3.0, 3.0]])]


def _softmax_variant(kind: str, z: torch.Tensor, T: float) -> torch.Tensor:
    z64 = z.to(torch.float64)
    if kind == "temperature_multiplied":
        return torch.softmax(z64 * T, dim=-1)
    if kind == "wrong_axis":
        return torch.softmax(z64 / T, dim=0)
    scaled = z / T                                   # in z's own dtype, as the student's code would run
    if kind == "global_max":
        scaled = scaled - scaled.max()
    weights = torch.exp(scaled)                      # no_max_subtraction: overflows / underflows
    return weights / weights.sum(dim=-1, keepdim=True)


SOFTMAX_VARIANTS = {kind: (lambda x, kind=kind: _softmax_variant(kind, *x))
                    for kind in ("temperature_multiplied", "wrong_axis", "no_max_subtraction", "global_max")}


def _cold_variant(kind: str, z: torch.Tensor) -> torch.Tensor:
    z64 = z.to(torch.float64)
    top = z64.max(dim=-1, keepdim=True).values
    if kind == "ties_one_hot":
        return torch.nn.functional.one_hot(z64.argmax(dim=-1), z.shape[-1]).to(torch.float64)
    if kind == "limits_swapped":
        return limit_hot(z).to(torch.float64)
    if kind == "ties_not_normalised":
        return (z64 == top).to(torch.float64)
    # near_ties: "equal to the maximum" tested with a tolerance (torch/np.isclose defaults, math.isclose's)
    close = torch.isclose(z64, top) if kind == "near_ties#1" else torch.isclose(z64, top, rtol=1e-9, atol=0.0)
    close = close.to(torch.float64)
    return close / close.sum(dim=-1, keepdim=True)


COLD_VARIANTS = {kind: (lambda x, kind=kind: _cold_variant(kind, x))
                 for kind in ("ties_one_hot", "ties_not_normalised", "limits_swapped", "near_ties#1", "near_ties#2")}


def _unique(found) -> str | None:
    ids = list(dict.fromkeys(h.split("#")[0] for h in found))
    return ids[0] if len(ids) == 1 else None


def _student(fn):
    """The student's function as a one-argument callable (a tuple of arguments, or one tensor)."""
    return lambda x: fn(*x) if isinstance(x, tuple) else fn(x)


def diagnose_softmax(got, z: torch.Tensor, T: float, sub=None) -> str | None:
    """The confirmed misconception behind a wrong softmax_T output, or None. Without ``sub`` (the student's
    module) the probes cannot run, and no cause is named."""
    if sub is None or not isinstance(got, torch.Tensor):
        return None
    return _unique(confirmed(_student(sub.softmax_T), lambda x: torch_softmax_T(*x), SOFTMAX_VARIANTS, (z, T),
                             SOFTMAX_PROBES))


def diagnose_cold(got, z: torch.Tensor, sub=None) -> str | None:
    if sub is None or not isinstance(got, torch.Tensor):
        return None
    return _unique(confirmed(_student(sub.softmax_limit_cold), limit_cold, COLD_VARIANTS, z, COLD_PROBES))


def diagnose_hot(got, z: torch.Tensor, sub=None) -> str | None:
    if sub is None or not isinstance(got, torch.Tensor):
        return None
    return _unique(confirmed(_student(sub.softmax_limit_hot), limit_hot, {"limits_swapped": limit_cold}, z,
                             HOT_PROBES))


def expect_probs(got, expected: torch.Tensor, what: str, hint: str | None, reveal: bool = True,
                 atol: float | None = None) -> None:
    """Shape, then dtype, then values (the dtype's tolerances)."""
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype != expected.dtype:
        fail(what, f"a tensor of dtype {got.dtype}", f"dtype {expected.dtype}", reveal=True, hint="dtype_changed",
             hints=HINTS)
    assert_close(got, expected, what, reveal=reveal, hint=hint, hints=HINTS, atol=atol)


def tensor_repr(z: torch.Tensor) -> str:
    return f"torch.tensor({z.tolist()}, dtype={z.dtype})"


# ---------------------------------------------------------------- strategies
# Logits are multiples of 1/4: distinct logits differ by at least 0.25, so wherever a probability is
# large enough to matter (above the 1e-7 tolerance) the exponents are small and every correct order of
# operations (divide then subtract the max, or subtract then divide) agrees to float64 rounding.
def quarter(max_abs: float):
    return st.integers(int(-4 * max_abs), int(4 * max_abs)).map(lambda k: k / 4)


@st.composite
def logits(draw, max_abs: float = 1e4, max_n: int = 6, max_batch_dims: int = 2, max_batch: int = 3):
    """A list-of-lists shape (..., n) of logits drawn from a small pool, so ties are common."""
    n = draw(st.integers(1, max_n), label="n")
    lead = draw(st.lists(st.integers(1, max_batch), max_size=max_batch_dims), label="batch shape")
    pool = draw(st.lists(quarter(max_abs), min_size=1, max_size=4, unique=True), label="pool of logit values")
    count = n
    for size in lead:
        count *= size
    values = draw(st.lists(st.sampled_from(pool), min_size=count, max_size=count), label="logits")
    return torch.tensor(values, dtype=torch.float64).reshape(*lead, n)


@st.composite
def near_tie_logits(draw, max_n: int = 6, max_batch_dims: int = 1, max_batch: int = 3):
    """Rows with exact ties AND near ties: values ``base + k * eps`` with a few bases of up to 1e4 and eps a tiny
    step (2^-30 or 2^-44 in float64, 2^-9 or 2^-20 in float32; where a base cannot hold it, the value rounds to
    the base: an exact tie); returned in the drawn dtype."""
    dtype = draw(st.sampled_from([torch.float64, torch.float32]), label="dtype")
    eps = draw(st.sampled_from([2.0 ** -30, 2.0 ** -44] if dtype == torch.float64 else [2.0 ** -9, 2.0 ** -20]),
               label="eps")
    n = draw(st.integers(2, max_n), label="n")
    lead = draw(st.lists(st.integers(1, max_batch), max_size=max_batch_dims), label="batch shape")
    bases = draw(st.lists(quarter(1e4), min_size=1, max_size=2, unique=True), label="bases")
    count = n
    for size in lead:
        count *= size
    values = draw(st.lists(st.tuples(st.sampled_from(bases), st.integers(-2, 2)), min_size=count, max_size=count),
                  label="base and offset k of each logit")
    return torch.tensor([b + k * eps for b, k in values], dtype=torch.float64).reshape(*lead, n).to(dtype)


def probe_z_unchanged(module, z: torch.Tensor, T: float) -> dict:
    """softmax_T called on a copy of z, in the student's process: was the copy changed?"""
    given = z.clone()
    result = module.softmax_T(given, T)
    return {"changed": not torch.equal(given, z), "result": result.detach().clone() if isinstance(result, torch.Tensor)
            else result}


probe_z_unchanged.describes = "softmax_T"


TEMPERATURES = st.one_of(st.sampled_from([1e-8, 1e-6, 1e-3, 0.1, 1.0, 10.0, 1e3, 1e6, 1e8]),
                         st.floats(0.05, 50.0))


# ---------------------------------------------------------------- Part C: answers
SYMBOL_NAMES = ("a", "b", "c", "d", "T")


def normalise_numbers(value):
    """A Matrix or list of numbers as a tuple of floats/ints (sympy numbers converted); anything else as is."""
    if isinstance(value, sympy.MatrixBase):
        value = list(value)
    if not isinstance(value, (list, tuple)):
        return value
    out = []
    for v in value:
        if isinstance(v, sympy.Basic):
            if v.free_symbols or not v.is_number:
                return value
            v = sympy.nsimplify(v)
            v = int(v) if v.is_Integer else float(v)
        out.append(v)
    return tuple(out)


def validate_numbers(n: int):
    def check(value):
        if not (isinstance(value, tuple) and len(value) == n
                and all(isinstance(v, (int, float)) or type(v).__name__ == "Fraction" for v in value)):
            return f"the answer is a tuple of {n} numbers (no symbols left).{hint_text('not_a_number_tuple', HINTS)}"
        return None
    return check


def rate_hot_numeric(a, b) -> mpmath.mpf:
    """T * (p_1(T) - 1/2) for z = (a, b) at T = 1e30, with 80 digits (the limit up to ~1e-60)."""
    with mpmath.workdps(80):
        T = mpmath.mpf(10) ** 30
        p1 = 1 / (1 + mpmath.exp((mpmath.mpf(b) - mpmath.mpf(a)) / T))
        return T * (p1 - mpmath.mpf(1) / 2)


def rate_cold_numeric(a, d) -> mpmath.mpf:
    """-T * log(p_2(T)) for z = (a + d, a) at T = 1e-30 * d, with 80 digits."""
    with mpmath.workdps(80):
        T = mpmath.mpf(d) / mpmath.mpf(10) ** 30
        z1, z2 = mpmath.mpf(a) + mpmath.mpf(d), mpmath.mpf(a)
        m = max(z1, z2)
        log_p2 = (z2 - m) / T - mpmath.log(mpmath.exp((z1 - m) / T) + mpmath.exp((z2 - m) / T))
        return -T * log_p2


RATE_POINTS = [dict(a=3, b=1, c=0, d=2), dict(a=-5, b=7, c=1, d=sympy.Rational(1, 3)),
               dict(a=sympy.Rational(7, 2), b=-2, c=4, d=11), dict(a=0, b=0, c=0, d=1),
               dict(a=-sympy.Rational(9, 4), b=-9, c=2, d=sympy.Rational(5, 7))]


def expect_rate(got, what: str, numeric, args: tuple[str, ...]) -> None:
    """``got`` is a sympy expression in the symbols ``args`` (by name) that equals ``numeric`` at RATE_POINTS."""
    if isinstance(got, (int, float)):
        got = sympy.sympify(got)
    if not isinstance(got, sympy.Basic):
        fail(what, got, reveal=False, detail="  (expected a sympy expression)")
    names = {s.name for s in got.free_symbols}
    if "T" in names:
        raise Mismatch(f"{what}\n  got: {got}" + hint_text("rate_still_has_T", HINTS))
    if not names <= set(SYMBOL_NAMES):
        raise Mismatch(f"{what}\n  got: {got}\n  uses the symbols {sorted(names - set(SYMBOL_NAMES))}"
                       + hint_text("symbol_names", HINTS))
    for point in RATE_POINTS:
        subs = {s: point[s.name] for s in got.free_symbols}
        try:
            value = complex(got.evalf(40, subs=subs))
        except (TypeError, ValueError):
            value = None
        want = numeric(*(point[n] for n in args))
        if value is None or exceeds(abs(value - complex(want)), 1e-9 * (1 + abs(complex(want)))):
            where = ", ".join(f"{n}={point[n]}" for n in args)
            shown = "not a number" if value is None else f"{value.real:.12g}"
            raise Mismatch(f"{what}\n  got: {got}\n  at {where} it is {shown}, "
                           f"but the limit computed numerically (80 digits) is {float(want):.12g}")


__all__ = ["Mismatch"]
