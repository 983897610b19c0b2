"""Shared by the public and hidden positional-encoding tests: hints, the formula oracle,
the wrong variants that the hints name, and the sympy comparisons.

The encoding is compared with the formula of the exercise text, evaluated here in float64.
The sympy answers are compared with expressions built here from the definitions (the
matrix products are expanded by sympy, never typed as a closed form): first numerically at
random points (a quick rejection that also names a misconception), then with
``checks.sympy_equivalent`` (simplify the difference, else many random points).
"""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

from autograder.checks import (CheckTimeout, Mismatch, assert_close, expands_to_zero, hint_text, isolated, summed_out,
                               sympy_equivalent)

EXERCISE = "positional"

HINTS = {
    "sin_cos_swapped": "column 2k (even) holds the sine and column 2k + 1 (odd) the cosine: "
                       "PE(p) starts with sin(omega_0 p) = sin(p), which is 0 at p = 0.",
    "frequency_exponent": "the k-th (sin, cos) pair uses omega_k = 1 / 10000**(2k / d_model), k = 0 .. d/2 - 1: "
                          "the exponent is 2k/d_model with k the *pair* index, the same for the sine and the "
                          "cosine of a pair (the even column index 2k divided by d_model), and you divide by "
                          "the power of 10000.",
    "interleaved": "the sines and cosines are interleaved (sin, cos, sin, cos, ...): pair k sits in columns "
                   "2k and 2k + 1, not in two halves.",
    "positions_from_zero": "positions start at 0: row 0 of the encoding is PE(0) = (0, 1, 0, 1, ...).",
    "rows_are_positions": "return one row per position: the shape is (max_len, d_model).",
    "sum_of_positions": "sin(A) sin(B) + cos(A) cos(B) = cos(A - B): the dot product depends on the "
                        "offset p - q, not on p + q (the sign in cos(A +/- B) = cos A cos B -/+ sin A sin B).",
    "relative_form": "write the answer so that it visibly depends on p - q only: after substituting p = q + t "
                     "and expanding the arguments, q must be gone (use cos(A)cos(B) + sin(A)sin(B) = cos(A - B) "
                     "and its sine counterpart to rewrite the products).",
    "pair_count": "there is one frequency per (sin, cos) pair, so d/2 of them: k runs from 0 to d/2 - 1 "
                  "(sympy.Sum includes both limits).",
    "rotation_sign": "expand x_p^T M x_q term by term: the b terms give b*(cos(wp) sin(wq) - sin(wp) cos(wq)), "
                     "and sin(A)cos(B) - cos(A)sin(B) = sin(A - B), so that bracket is sin(w(q - p)) = "
                     "-sin(w(p - q)). (Using M^T = [[a, b], [-b, a]] instead of M flips that sign too.)",
    "no_scaling": "the score is scaled: s_pq = x_p^T M x_q / sqrt(d_k).",
    "not_simplified": "the question asks for the simplified value: sin(x)**2 + cos(x)**2 = 1 for every x, so "
                      "no symbol is left (sympy.simplify or sympy.trigsimp does it).",
    "frequency_symbol": "in <PE(p), PE(q)> every (sin, cos) pair has its own frequency omega_k = "
                        "1 / 10000**(2k/d), written with the summation index k and d; the symbol omega is the "
                        "single frequency of the other parts.",
    "symbol_names": "build the answer from the symbols defined at the top of the module (p, q, omega, k, d, a, "
                    "b, d_k); other names are other variables to the grader.",
    "symbol_assumptions": "use the module's symbols themselves (p, q = sympy.symbols('p q', real=True), ...): a "
                          "symbol with the same name but other assumptions is a different symbol to sympy.",
}

# The symbols of the exercise (same names and assumptions as in the module).
p, q = sympy.symbols("p q", real=True)
omega = sympy.Symbol("omega", positive=True)
k = sympy.Symbol("k", integer=True, nonnegative=True)
d = sympy.Symbol("d", integer=True, positive=True, even=True)
a, b = sympy.symbols("a b", real=True)
d_k = sympy.Symbol("d_k", positive=True)
OURS = {s.name: s for s in (p, q, omega, k, d, a, b, d_k)}

# float32 encodings: the angle omega_k * p carries a relative error of a few float32 ulps (from
# omega_k and from the product), i.e. an absolute error below ~1e-7 * max_len in each entry
# (measured: 6.7e-6 for max_len = d_model = 128 with the usual exp/log float32 recipe). max_len
# stays <= 128 in every test, so atol = 1e-4 has a margin of 10 and still tells every catalogued
# mistake (all of them are off by more than 1e-2 somewhere).
ENCODING_TOL = dict(rtol=1.3e-6, atol=1e-4)


# ---------------------------------------------------------------- Part A: the formula oracle
def _encoding(max_len: int, d_model: int, *, exponent=None, sin_first=True, start=0, halves=False) -> np.ndarray:
    """The encoding from the formula (float64); keyword arguments give the catalogued wrong variants.

    ``exponent(kk, col, d_model)`` -> the power of 10000 that omega divides by, for pair kk in column col.
    """
    exponent = exponent or (lambda kk, col, dm: 2 * kk / dm)
    pos = np.arange(start, start + max_len, dtype=np.float64)[:, None]
    pe = np.zeros((max_len, d_model))
    half = d_model // 2
    for col in range(d_model):
        kk = col // 2 if not halves else col % half
        is_sin = (col % 2 == 0) if not halves else (col < half)
        w = 10000.0 ** (-exponent(kk, col, d_model))
        use_sin = is_sin if sin_first else not is_sin
        pe[:, col] = (np.sin if use_sin else np.cos)(pos[:, 0] * w)
    return pe


def formula_encoding(max_len: int, d_model: int) -> np.ndarray:
    return _encoding(max_len, d_model)


_WRONG_EXPONENTS = [lambda kk, col, dm: kk / dm,          # i/d instead of 2i/d
                    lambda kk, col, dm: kk,               # the exponent is i itself
                    lambda kk, col, dm: col / dm,         # the column index: cos columns get (2k+1)/d
                    lambda kk, col, dm: 2 * col / dm,     # 2 * column index / d
                    lambda kk, col, dm: -2 * kk / dm]     # multiplies by the power instead of dividing

# Each catalogued misconception as the formula with one change: (hint id, function of max_len, d_model).
ENCODING_VARIANTS = (
    [("sin_cos_swapped", lambda n, dm: _encoding(n, dm, sin_first=False))]
    + [("frequency_exponent", lambda n, dm, e=e: _encoding(n, dm, exponent=e)) for e in _WRONG_EXPONENTS]
    + [("interleaved", lambda n, dm: _encoding(n, dm, halves=True)),
       ("interleaved", lambda n, dm: _encoding(n, dm, halves=True, sin_first=False)),   # (cos | sin) halves
       ("positions_from_zero", lambda n, dm: _encoding(n, dm, start=1)),
       ("rows_are_positions", lambda n, dm: _encoding(n, dm).T)])

# Sizes a diagnosis is confirmed on: every variant differs from the formula there.
ENCODING_PROBES = [(7, 10), (3, 6)]


def encoding_variants(max_len: int, d_model: int) -> list[tuple[str, np.ndarray]]:
    """What the catalogued misconceptions return."""
    return [(hint, fn(max_len, d_model)) for hint, fn in ENCODING_VARIANTS]


def as_array(value):
    if type(value).__module__.startswith("torch"):
        return value.detach().cpu().double().numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _close(a, b) -> bool:
    a, b = as_array(a), as_array(b)
    if a is None or b is None or a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(a, b, equal_nan=True, **ENCODING_TOL))


def encoding_hint(got, max_len: int, d_model: int, rerun=None) -> str | None:
    """The one catalogued misconception that reproduces ``got`` at (max_len, d_model) and, when ``rerun`` (the
    student's function) is given, the student's output at every probe size where a candidate differs from the
    formula (a probe can single one out of several); else None (none or several left, or the student's code
    raises on a probe): the comparison's own lines then say what differs."""
    expected = formula_encoding(max_len, d_model)
    alive = [(h, fn) for h, fn in ENCODING_VARIANTS
             if (lambda w: _close(got, w) and not _close(expected, w))(fn(max_len, d_model))]
    if rerun is not None:
        for index, size in enumerate(ENCODING_PROBES):
            if not alive:
                break
            right = formula_encoding(*size)
            outs = [(h, fn, fn(*size)) for h, fn in alive]
            if all(_close(w, right) for _, _, w in outs):
                continue   # this probe cannot tell the candidates from the right answer
            ok, mine = student_on_probe(rerun, index, size)
            if not ok:
                return None
            alive = [(h, fn) for h, fn, w in outs if _close(w, mine)]
    ids = {h for h, _ in alive}
    return ids.pop() if len(ids) == 1 else None


def student_on_probe(rerun, index: int, args):
    """(ok, the student's output) for probe ``index`` (see autograder.diagnose.rerun_once)."""
    from autograder.diagnose import rerun_once

    return rerun_once(rerun, index, args)


def expect_encoding(got, expected: np.ndarray, what: str, max_len: int, d_model: int, rerun=None,
                    reveal: bool = True) -> None:
    """Shape, then values with ENCODING_TOL; a hint only when :func:`encoding_hint` confirms one."""
    if type(got).__module__.startswith("torch") and str(got.dtype) not in ("torch.float32", "torch.float64"):
        raise Mismatch(f"{what}\n  expected a float32 or float64 tensor; got dtype {got.dtype}")
    try:
        assert_close(got, expected, what, reveal=reveal, **ENCODING_TOL)
    except Mismatch as exc:
        raise Mismatch(str(exc) + hint_text(encoding_hint(got, max_len, d_model, rerun), HINTS)) from None


def encoding_call(max_len: int, d_model: int) -> str:
    return f"positional_encoding({max_len}, {d_model})"


even_d_model = st.integers(1, 32).map(lambda n: 2 * n)


# ---------------------------------------------------------------- Part B: expressions built from the definitions
def pe_pair(pos, w=omega) -> sympy.Matrix:
    return sympy.Matrix([sympy.sin(w * pos), sympy.cos(w * pos)])


def in_offset(expr):
    """``expr`` rewritten in the offset t = p - q by substitution only (p = q + t, then expand the arguments):
    no trigonometric identity is applied, so q is gone only when the expression was written in p - q."""
    try:   # expand runs isolated: a student's expression could expand to millions of terms
        return isolated(_in_offset, sympy.sympify(expr), timeout=5.0)
    except CheckTimeout as exc:
        raise Mismatch(f"rewriting {expr} in p - q could not be checked: {exc}") from None


def _in_offset(expr):
    t = sympy.Symbol("t_offset", real=True)
    return sympy.expand(expr.subs(p, q + t))


def expected_pair_norm():
    return (pe_pair(p).T * pe_pair(p))[0, 0]


def expected_pair_dot():
    return (pe_pair(p).T * pe_pair(q))[0, 0]


def rotation_score(m: sympy.Matrix, scale=None):
    scale = 1 / sympy.sqrt(d_k) if scale is None else scale
    return (pe_pair(p).T * m * pe_pair(q))[0, 0] * scale


M_ROTATION = sympy.Matrix([[a, -b], [b, a]])


def expected_rotation_score():
    return rotation_score(M_ROTATION)


def rotation_variants():
    t = p - q
    return [("rotation_sign", (a * sympy.cos(omega * t) + b * sympy.sin(omega * t)) / sympy.sqrt(d_k)),
            ("rotation_sign", rotation_score(M_ROTATION.T)),
            ("no_scaling", rotation_score(M_ROTATION, 1)),
            ("no_scaling", (a * sympy.cos(omega * t) + b * sympy.sin(omega * t))),
            ("no_scaling", rotation_score(M_ROTATION, 1 / d_k)),
            ("sum_of_positions", (a * sympy.cos(omega * (p + q)) - b * sympy.sin(omega * (p + q))) / sympy.sqrt(d_k))]


def pair_dot_variants():
    return [("sum_of_positions", sympy.cos(omega * (p + q))),
            ("rotation_sign", sympy.sin(omega * (p - q)))]


def full_dot(pair_term, lower=0, upper=None):
    """Sum over k of a pair's dot product, omega_k = 10000**(-2k/d) unless ``pair_term`` says otherwise."""
    upper = d / 2 - 1 if upper is None else upper
    return sympy.Sum(pair_term, (k, lower, upper))


def _omega_k(exponent):
    return 1 / sympy.Integer(10000) ** exponent


def expected_full_dot():
    """sum_k PE(p)[2k] PE(q)[2k] + PE(p)[2k+1] PE(q)[2k+1], straight from the definition."""
    w = _omega_k(2 * k / d)
    return full_dot((pe_pair(p, w).T * pe_pair(q, w))[0, 0])


def full_dot_variants():
    t = p - q
    return [("frequency_exponent", full_dot(sympy.cos(_omega_k(k / d) * t))),
            ("frequency_exponent", full_dot(sympy.cos(_omega_k(k) * t))),
            ("frequency_exponent", full_dot(sympy.cos(_omega_k(-2 * k / d) * t))),
            ("frequency_exponent", full_dot(sympy.cos(_omega_k(2 * k / d) * t), 1, d / 2)),
            ("pair_count", full_dot(sympy.cos(_omega_k(2 * k / d) * t), 0, d - 1)),
            ("pair_count", full_dot(sympy.cos(_omega_k(2 * k / d) * t), 0, d / 2)),
            ("pair_count", full_dot(sympy.cos(_omega_k(k / d) * t), 0, d - 1)),
            ("sum_of_positions", full_dot(sympy.cos(_omega_k(2 * k / d) * (p + q))))]


# ---------------------------------------------------------------- sympy comparison
FULL_DOT_DS = (2, 4, 6, 8)   # the d at which a Sum answer is expanded and compared


def random_points(rng: np.random.Generator, symbols, samples: int) -> list[np.ndarray]:
    ranges = {"p": (-20, 20), "q": (-20, 20), "omega": (0.05, 3), "a": (-3, 3), "b": (-3, 3), "d_k": (0.5, 16)}
    return [rng.uniform(*ranges.get(s.name, (-3, 3)), size=samples) for s in symbols]


def numerically_equal(x, y, samples: int = 16, seed: int = 1) -> bool:
    """x == y at random points, in float64 (a fast rejection before exactly_equal; never accepts on its own)."""
    x, y = sympy.sympify(x), sympy.sympify(y)
    if x.has(sympy.Sum, sympy.Product) or y.has(sympy.Sum, sympy.Product):
        return False   # a sum over student-chosen limits is evaluated only by summed_out (bounded)
    symbols = sorted(x.free_symbols | y.free_symbols, key=lambda s: s.name)
    values = random_points(np.random.default_rng(seed), symbols, samples)
    try:
        with np.errstate(all="ignore"):
            vx, vy = (np.broadcast_to(np.asarray(sympy.lambdify(symbols, e, modules="numpy")(*values),
                                                 dtype=np.complex128), (samples,)) for e in (x, y))
    except Exception:      # something that does not evaluate to a number (an unknown function, a Sum left over)
        return False
    return bool(np.all(np.abs(vx - vy) <= 1e-8 + 1e-8 * np.abs(vy)))


def at_d(expr, dv: int, trusted: bool = False):
    """A Sum answer at a concrete even d, summed out (a finite expression in p, q). ``trusted``: an expression
    built here (the expected one or a variant), summed out directly; a student's goes through summed_out
    (bounded limits, isolated, time-boxed). Results are kept (a bounded cache): the hint variants compare the
    same expressions again and again."""
    key = (sympy.sympify(expr), dv, trusted)
    try:
        return _AT_D[key]
    except KeyError:
        pass
    except TypeError:   # unhashable: no cache
        key = None
    if trusted:
        out = sympy.sympify(expr).subs(d, dv).doit()
    else:
        out = summed_out(whole_floats(sympy.sympify(expr).subs(d, dv)), what=f"the answer at d = {dv}")
    if key is not None:
        if len(_AT_D) > 256:
            _AT_D.clear()
        _AT_D[key] = out
    return out


_AT_D: dict = {}


def whole_floats(expr):
    """``expr`` with every float that is a whole number made an Integer (same value): a limit written
    ``0.5*d - 1`` is 1.0 at d = 4, and a Sum runs between whole numbers only when they are Integers."""
    return expr.xreplace({f: sympy.Integer(int(f)) for f in expr.atoms(sympy.Float)
                          if f.is_finite and float(f).is_integer() and abs(f) < 2**53})


def exactly_equal(x, y) -> bool:
    """x == y proved by sympy: expanding the trigonometric functions of sums makes the difference 0, else
    checks.sympy_equivalent (simplify the difference, else random points of every symbol, time-boxed)."""
    try:
        if expands_to_zero(x - y, trig=True):
            return True
    except (TypeError, ValueError, AttributeError):
        pass
    return sympy_equivalent(x, y)


def same(x, y, sums: bool = False, trusted_x: bool = False) -> bool:
    """x == y numerically (at each d of FULL_DOT_DS for Sum answers); y is always one of ours."""
    if sums:
        return all(numerically_equal(at_d(x, dv, trusted_x), at_d(y, dv, True)) for dv in FULL_DOT_DS)
    return numerically_equal(x, y)


def realified(got):
    """``got`` with every symbol named like one of ours replaced by ours (assumptions included)."""
    return got.xreplace({s: OURS[s.name] for s in got.free_symbols if s.name in OURS})


def expect_expression(got, expected, what: str, variants, allowed: tuple[str, ...], *, relative: bool = False,
                      sums: bool = False, simplified: bool = False) -> None:
    """A sympy answer: its symbols, then equivalence (with a hint when it matches a variant), then the form.

    ``sums``: the answer is a Sum over k with upper limit in d; it is compared at the d in FULL_DOT_DS.
    ``relative``: the answer must be written in p - q (see in_offset).
    ``simplified``: the answer is a constant, and must be given as one (no symbol left in it).
    Never shows the expected expression.
    """
    try:
        got = sympy.sympify(got, strict=True)
    except (sympy.SympifyError, TypeError):
        raise Mismatch(f"{what}\n  expected a sympy expression; got {got!r}") from None
    if not isinstance(got, sympy.Expr):
        raise Mismatch(f"{what}\n  expected a sympy expression; got {got!r} ({type(got).__name__})")
    names = {s.name for s in got.free_symbols}
    if not names <= set(allowed):
        foreign = names - set(allowed)
        if not foreign <= set(OURS):
            hint = "symbol_names"             # a name that is none of the module's symbols
        elif sums and foreign == {"omega"}:
            hint = "frequency_symbol"         # the single frequency of the other parts, not omega_k
        else:
            hint = None
        raise Mismatch(f"{what}\n  got: {got}\n  uses the symbols {sorted(foreign)}; allowed here: "
                       f"{', '.join(allowed)}" + hint_text(hint, HINTS))
    fixed = realified(got)

    def diagnose():
        """The one variant the answer equals (each of ours, compared numerically); else None."""
        try:
            found = {hint for hint, v in variants if not same(v, expected, sums, True) and same(fixed, v, sums)}
            if not found and fixed != got and same(fixed, expected, sums):
                found = {"symbol_assumptions"}
        except Mismatch:   # the answer could not be evaluated for the comparison: no cause is claimed
            return None
        return found.pop() if len(found) == 1 else None

    if sums:
        if "d" not in names:
            raise Mismatch(f"{what}\n  got: {got}\n  expected a sympy.Sum over k whose last index depends on d")
        pairs = [(at_d(got, dv), at_d(expected, dv, True), dv) for dv in FULL_DOT_DS]
    else:
        pairs = [(got, expected, None)]
    for g, e, dv in pairs:
        if not (numerically_equal(g, e) and exactly_equal(g, e)):
            at = f" (at d = {dv} it is {g})" if dv is not None else ""
            raise Mismatch(f"{what} is not the expected expression\n  got: {got}{at}" + hint_text(diagnose(), HINTS))
    if simplified and got.free_symbols:
        raise Mismatch(f"{what} has the right value but is not simplified\n  got: {got}\n  which still contains "
                       f"{', '.join(sorted(names))}" + hint_text("not_simplified", HINTS))
    if relative and q in in_offset(got).free_symbols:
        raise Mismatch(f"{what} has the right value but is not written in p - q\n  got: {got}\n"
                       f"  with p = q + t and the arguments expanded it is {in_offset(got)}, which still has q"
                       + hint_text("relative_form", HINTS))


__all__ = ["Mismatch"]


# ---------------------------------------------------------------- numeric checks at wide random points (hidden tests)
WIDE_RANGES = {"p": (-500, 500), "q": (-500, 500), "omega": (0.001, 10), "a": (-10, 10), "b": (-10, 10),
               "d_k": (0.1, 512)}


def first_disagreement(got, expected, samples: int = 50, seed: int = 0):
    """The first random point (a dict name -> value, wide ranges) where got and expected differ in float64,
    or None. Unknown symbols or expressions that do not evaluate count as a disagreement at the first point."""
    try:
        got = realified(sympy.sympify(got, strict=True))
    except (sympy.SympifyError, TypeError, AttributeError):
        return {}, complex("nan")
    expected = sympy.sympify(expected)
    symbols = sorted(got.free_symbols | expected.free_symbols, key=lambda s: s.name)
    rng = np.random.default_rng(seed)
    values = [rng.uniform(*WIDE_RANGES.get(s.name, (-3, 3)), size=samples) for s in symbols]
    try:
        with np.errstate(all="ignore"):
            vg, ve = (np.broadcast_to(np.asarray(sympy.lambdify(symbols, e, modules="numpy")(*values),
                                                 dtype=np.complex128), (samples,)) for e in (got, expected))
    except Exception:
        vg, ve = np.full(samples, np.nan), np.zeros(samples)
    # Arguments up to omega * |p - q| ~ 1e4 rad: float64 rounding of the argument is ~1e-12 absolute.
    bad = np.flatnonzero(~(np.abs(vg - ve) <= 1e-7 + 1e-7 * np.abs(ve)))
    if not bad.size:
        return None
    i = int(bad[0])
    return {s.name: float(v[i]) for s, v in zip(symbols, values)}, complex(vg[i])
