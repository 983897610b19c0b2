"""Shared by the public and hidden gradients tests: hints, strategies, autograd oracles, sympy checks, diagnosis.

Every expected value is computed here from its definition with PyTorch's autograd (float64), or, for the
L1 minimiser, by brute-force minimisation of the objective; the sympy answers are compared after putting
concrete functions in for sigma'. No answer is written out anywhere.
"""
from __future__ import annotations

import numpy as np
import sympy
import torch
from hypothesis import strategies as st

from autograder.checks import Mismatch, assert_close, expands_to_zero, fail, hint_text, sympy_equivalent
from autograder.diagnose import confirmed

EXERCISE = "gradients"

HINTS = {
    "skip_identity_missing": "with a skip connection h^(l) = h^(l-1) + sigma(w h^(l-1) + b), the first term h^(l-1) "
                             "also depends on h^(l-1): its derivative (the identity term) is missing. That term is "
                             "what keeps the product over many layers from vanishing.",
    "chain_rule_inner": "chain rule: sigma is applied to w h + b, so the derivative of that inner function with "
                        "respect to h is a factor too; it is missing.",
    "wrong_variable": "the derivative is with respect to the layer's input h = h^(l-1), not its weight w.",
    "no_hessian_scaling": "the quadratic term is H_ii/2 (w_i - w*_i)^2, so setting the subgradient to zero gives "
                          "H_ii (w_i - w*_i) + alpha sign(w_i) = 0: the threshold is alpha / H_ii, not alpha.",
    "threshold_inside_abs": "shrink the magnitude |w*_i| by alpha/H_ii and stop at 0; |w*_i - alpha/H_ii| is a "
                            "different thing: it grows again once w*_i falls below alpha/H_ii, so small and negative "
                            "weights come out wrong.",
    "relu_prime_zero": "ReLU'(0) is 0 here (as in PyTorch): a layer whose pre-activation w h + b is exactly 0 passes "
                       "no gradient through its ReLU. Your numbers match ReLU'(x) = 1 for x >= 0; use x > 0.",
    "no_threshold_clamp": "when |w*_i| <= alpha / H_ii the minimiser is exactly 0: shrinking w*_i by alpha/H_ii "
                          "without stopping at 0 overshoots past 0 to the other sign. Clamp the shrunk magnitude at 0 "
                          "(np.maximum(|w*_i| - alpha/H_ii, 0)).",
    "hessian_multiplied": "setting the subgradient H_ii (w_i - w*_i) + alpha sign(w_i) to 0 gives the threshold "
                          "alpha / H_ii: your numbers match alpha * H_ii.",
    "tanh_prime_of_z": "tanh'(z) = 1 - tanh(z)^2, the derivative written with the layer's OUTPUT a = tanh(z); "
                       "backprop_step receives the pre-activation z, so use 1 - np.tanh(z)**2, not 1 - z**2.",
    "sign0_wrong": "at w_i = 0 use sign(0) = 0 (np.sign does this): w/|w| gives nan there, and a test such as "
                   "w >= 0 gives +1.",
    "fake_sign": "d/dz log(1 - sigmoid(z)) = -sigmoid(z): the generated samples' term pushes z^K down, so its "
                 "derivative is -D(G(Z_j)) / m (and the real samples' is (1 - D(X_i)) / n).",
    "mean_missing": "L averages over each batch, so every per-sample derivative carries a factor 1/n (real) or "
                    "1/m (generated).",
    "activation_derivative_missing": "dL/dz^l = (dL/dz^{l+1} @ W^{l+1}) * tanh'(z^l), with tanh'(z) = 1 - tanh(z)^2: "
                                     "the factor from the activation is missing.",
    "weights_not_transposed": "z^{l+1} = a^l @ W^{l+1}.T, so the gradient flows back as dL/dz^{l+1} @ W^{l+1} "
                              "(shapes: (batch, d_{l+1}) @ (d_{l+1}, d_l)).",
    "d_descent": "the discriminator MAXIMISES L: its step is gradient ascent, W + lr * dL/dW.",
    "g_ascent": "the generator MINIMISES L: its step is gradient descent, V - lr * dL/dV.",
    "generator_sign": "return the gradient of L itself with respect to the generator's weights; the minus sign "
                      "belongs in the generator's update (descent), not in the gradient.",
    "symbol_names": "use exactly the symbols named in the task: w, h, b, sigma_prime (or a derivative of sigma), "
                    "and L for the number of layers.",
    "not_a_number": "answer with a number (a float or int).",
}


# ---------------------------------------------------------------- Part A: sympy
def _is_sigma_derivative(e) -> bool:
    return (isinstance(e, sympy.Derivative) and len(e.variables) == 1 and getattr(e.expr.func, "__name__", "") == "sigma"
            and e.expr.args == (e.variables[0],))


def sigma_prime_form(expr):
    """``expr`` with every derivative of sigma written as sigma_prime(argument). Also runs as a probe next to
    the student's code, for answers that hold a ``Subs`` (which cannot cross to the grader)."""
    if not isinstance(expr, sympy.Basic):
        return expr
    sp = sympy.Function("sigma_prime")
    expr = expr.replace(lambda e: isinstance(e, sympy.Subs) and len(e.variables) == 1 and _is_sigma_derivative(e.expr),
                        lambda e: sp(e.point[0]))
    return expr.replace(_is_sigma_derivative, lambda e: sp(e.variables[0]))


sigma_prime_form.describes = "your answer, rewritten with sigma_prime"


def fetch_symbolic(sub, name: str):
    """Call the student's answer function; bring a derivative of sigma back as sigma_prime."""
    from autograder.seam import Handle

    got = getattr(sub, name)()
    if isinstance(got, Handle):
        got = sub.run_probe(sigma_prime_form, got)
    return sigma_prime_form(got)


W, H, B = sympy.symbols("w h b", real=True)
L_SYM = sympy.Symbol("L", integer=True, positive=True)
SIGMA_PRIME = sympy.Function("sigma_prime")
_X = sympy.Dummy("x")
# Concrete functions put in for sigma' (and for sigma, should an answer still contain it).
CONCRETE = [sympy.Lambda(_X, _X ** 2 + 1), sympy.Lambda(_X, sympy.exp(_X)), sympy.Lambda(_X, 1 / (1 + _X ** 2))]


def layer_expected(skip: bool):
    """dh/dh of a layer computed here: sigma' enters as the derivative of a concrete sigma."""
    return (1 if skip else 0) + W * SIGMA_PRIME(W * H + B)


def layer_variants(skip: bool) -> list[tuple[str, sympy.Expr]]:
    s = SIGMA_PRIME(W * H + B)
    if skip:
        return [("skip_identity_missing", W * s), ("chain_rule_inner", 1 + s), ("wrong_variable", 1 + H * s)]
    return [("chain_rule_inner", s), ("wrong_variable", H * s)]


def _concrete(expr, f):
    sigma = sympy.Function("sigma")
    return expr.replace(SIGMA_PRIME, f).replace(sigma, f) if isinstance(expr, sympy.Basic) else expr


def _realified(expr):
    ours = {s.name: s for s in (W, H, B, L_SYM)}
    return expr.xreplace({s: ours[s.name] for s in expr.free_symbols if s.name in ours})


def _equivalent(a, b) -> bool:
    """a == b: the difference expands to 0 (fast, and enough for the right answers), else
    checks.sympy_equivalent (simplify, else agreement at random points of every symbol of either side)."""
    return expands_to_zero(a - b) or sympy_equivalent(a, b, samples=12)


def same_expression(a, b) -> bool:
    return all(_equivalent(_concrete(a, f), _concrete(b, f)) for f in CONCRETE)


def expect_layer_derivative(got, skip: bool, what: str) -> None:
    if isinstance(got, (int, float)):
        got = sympy.sympify(got)
    if not isinstance(got, sympy.Basic):
        fail(what, got, reveal=False, detail="  (expected a sympy expression)")
    names = {s.name for s in got.free_symbols}
    funcs = {f.func.__name__ for f in got.atoms(sympy.core.function.AppliedUndef)}
    if not names <= {"w", "h", "b"} or not funcs <= {"sigma", "sigma_prime"}:
        raise Mismatch(f"{what}\n  got: {got}\n  uses {sorted((names - {'w', 'h', 'b'}) | (funcs - {'sigma', 'sigma_prime'}))}"
                       + hint_text("symbol_names", HINTS))
    got = _realified(got)
    expected = layer_expected(skip)
    if not same_expression(got, expected):
        hint = next((h for h, v in layer_variants(skip) if same_expression(got, v)), None)
        raise Mismatch(f"{what} is not the expected derivative\n  got: {got}" + hint_text(hint, HINTS))


# ---------------------------------------------------------------- Part A: autograd on width-1 networks
def autograd_input_gradient(ws, bs, h0: float, skip: bool) -> float:
    """dh^(L)/dh^(0) of the width-1 ReLU network, by autograd in float64."""
    h0_t = torch.tensor(float(h0), dtype=torch.float64, requires_grad=True)
    h = h0_t
    for w, b in zip(ws, bs):
        h = (h if skip else 0) + torch.relu(w * h + b)
    (grad,) = torch.autograd.grad(h, h0_t, allow_unused=True)
    return 0.0 if grad is None else float(grad)


def _input_gradient_variant(kind: str, ws, bs, h0, skip) -> float:
    """The chain-rule product with one misconception: the per-layer factor without the identity term, without w,
    or with ReLU'(0) = 1."""
    h, prod = h0, 1.0
    for w, b in zip(ws, bs):
        pre = w * h + b
        on = float(pre >= 0) if kind == "relu_prime_zero" else float(pre > 0)
        if kind == "skip_identity_missing":
            prod *= w * on
        elif kind == "chain_rule_inner":
            prod *= (1.0 if skip else 0.0) + on
        else:
            prod *= (1.0 if skip else 0.0) + w * on
        h = (h if skip else 0.0) + max(pre, 0.0)
    return prod


INPUT_GRADIENT_VARIANTS = {kind: (lambda net, kind=kind: _input_gradient_variant(kind, **net))
                           for kind in ("skip_identity_missing", "chain_rule_inner", "relu_prime_zero")}
# Networks on which each misconception gives its own number (a pre-activation exactly 0 in the last two).
INPUT_GRADIENT_PROBES = [dict(ws=[0.5, -1.0, 2.0], bs=[0.25, 0.5, -0.125], h0=1.0, skip=False),
                         dict(ws=[0.5, -1.0, 2.0], bs=[0.25, 0.5, -0.125], h0=1.0, skip=True),
                         dict(ws=[1.5, 0.5, 2.0], bs=[0.25, -0.5, 0.125], h0=0.5, skip=False),
                         dict(ws=[2.0, 0.5], bs=[-1.0, 0.25], h0=0.5, skip=True),
                         # ReLU'(0) = 1 gives 3 here; dropping the biases gives 6 (layer 2 switches on)
                         dict(ws=[2.0, 1.0], bs=[-1.0, -0.75], h0=0.5, skip=True)]


def _same_number(a, b) -> bool:
    return _close(a, b)


def input_gradient_diagnosis(sub, net: dict):
    """A zero-argument function: the misconception confirmed on ``net`` and the probe networks, or None."""
    return lambda: unique_hint(confirmed(lambda n: sub.input_gradient(**n), lambda n: autograd_input_gradient(**n),
                                         INPUT_GRADIENT_VARIANTS, net, INPUT_GRADIENT_PROBES, same=_same_number))


def unique_hint(found) -> str | None:
    ids = list(dict.fromkeys(h.split("#")[0] for h in found))
    return ids[0] if len(ids) == 1 else None


def seed_network_gradient(n_layers: int, skip: bool) -> float:
    """The problem's network: every layer w = 0.1, b = 0, ReLU; input h^(0) = 0.1."""
    return autograd_input_gradient([0.1] * n_layers, [0.0] * n_layers, 0.1, skip)


def eighths(lo: float, hi: float):
    return st.integers(int(8 * lo), int(8 * hi)).map(lambda k: k / 8)


@st.composite
def width_one_networks(draw, max_layers: int = 5):
    n = draw(st.integers(1, max_layers), label="L")
    return dict(ws=draw(st.lists(eighths(-2, 2), min_size=n, max_size=n), label="ws"),
                bs=draw(st.lists(eighths(-1, 1), min_size=n, max_size=n), label="bs"),
                h0=draw(eighths(-2, 2), label="h0"), skip=draw(st.booleans(), label="skip"))


# ---------------------------------------------------------------- Part B
def autograd_l1_gradient(grad_J: np.ndarray, w: np.ndarray, alpha: float) -> np.ndarray:
    """Autograd of <grad_J, w> + alpha * ||w||_1 (|x|' at 0 is 0 in PyTorch)."""
    w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    loss = (torch.tensor(grad_J, dtype=torch.float64) * w_t).sum() + alpha * w_t.abs().sum()
    loss.backward()
    return w_t.grad.numpy()


def l1_variants(grad_J, w, alpha) -> list[tuple[str, np.ndarray]]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return [("sign0_wrong", grad_J + alpha * np.where(w >= 0, 1.0, -1.0)),
                ("sign0_wrong", grad_J + alpha * np.where(w > 0, 1.0, -1.0)),
                ("sign0_wrong", grad_J + alpha * w / np.abs(w))]


def objective(w, w_star, H_diag, alpha):
    return 0.5 * H_diag * (w - w_star) ** 2 + alpha * np.abs(w)


def brute_force_minimiser(w_star: np.ndarray, H_diag: np.ndarray, alpha: float) -> np.ndarray:
    """Per coordinate: a grid of 4001 points between 0 and w*_i (the minimiser lies there), then 200 ternary-search
    steps on the convex objective between the best grid point's neighbours."""
    out = np.empty_like(w_star)
    for i, (ws, h) in enumerate(zip(w_star, H_diag)):
        grid = np.linspace(min(0.0, ws), max(0.0, ws), 4001)
        k = int(np.argmin(objective(grid, ws, h, alpha)))
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
        for _ in range(200):
            m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
            if objective(m1, ws, h, alpha) <= objective(m2, ws, h, alpha):
                hi = m2
            else:
                lo = m1
        best = min((lo, hi, grid[k]), key=lambda v: objective(v, ws, h, alpha))
        out[i] = best
    return out


def soft_threshold_variants(w_star, H_diag, alpha) -> list[tuple[str, np.ndarray]]:
    return [("no_hessian_scaling", np.sign(w_star) * np.maximum(np.abs(w_star) - alpha, 0.0)),
            ("threshold_inside_abs", np.sign(w_star) * np.maximum(np.abs(w_star - alpha / H_diag), 0.0)),
            ("no_threshold_clamp", w_star - alpha / H_diag * np.sign(w_star)),
            ("hessian_multiplied", np.sign(w_star) * np.maximum(np.abs(w_star) - alpha * H_diag, 0.0))]


SOFT_THRESHOLD_PROBES = [(np.array([3.0, -3.0, 0.5, -0.25, 1.5]), np.array([2.0, 2.0, 0.5, 8.0, 0.25]), 1.0),
                         (np.array([0.75, -2.0, 0.125, 0.0]), np.array([1.0, 3.0, 0.5, 2.0]), 0.5)]


def soft_threshold_diagnosis(sub, w_star, H_diag, alpha):
    """A zero-argument function: the misconception confirmed on this input and the probe inputs, or None."""
    def variants():
        return {f"{h}#{i}": (lambda x, i=i: soft_threshold_variants(*x)[i][1])
                for i, (h, _) in enumerate(soft_threshold_variants(w_star, H_diag, alpha))}
    return lambda: unique_hint(confirmed(lambda x: sub.soft_threshold(*x), lambda x: brute_force_minimiser(*x),
                                         variants(), (w_star, H_diag, alpha), SOFT_THRESHOLD_PROBES,
                                         same=lambda a, b: _close(a, b, rtol=1e-5, atol=1e-5)))


# Brute force from objective values pins the minimiser down to about sqrt(machine epsilon) of its scale, so
# the comparison allows 1e-6 (relative to 1 + |w*|); the misconceptions are off by alpha-sized amounts.
ST_RTOL, ST_ATOL = 1e-6, 1e-6


@st.composite
def l1_problems(draw, max_n: int = 6):
    n = draw(st.integers(1, max_n), label="n")
    w_star = draw(st.lists(eighths(-4, 4), min_size=n, max_size=n), label="w_star")
    H_diag = draw(st.lists(st.sampled_from([0.25, 0.5, 1.0, 2.0, 3.0, 8.0]), min_size=n, max_size=n), label="H_diag")
    alpha = draw(eighths(0, 3), label="alpha")
    return np.array(w_star), np.array(H_diag), float(alpha)


# ---------------------------------------------------------------- Part C: GAN
def _t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def torch_mlp(Ws, a0):
    a = a0
    for l, W in enumerate(Ws):
        z = a @ W.T
        a = torch.tanh(z) if l < len(Ws) - 1 else z
    return a


def torch_L(Ws, x_real, x_fake, fake_sign: float = 1.0, mean: bool = True):
    """The log-likelihood L (fake_sign=-1 or mean=False give the misconceptions' versions)."""
    d_real = torch.sigmoid(torch_mlp(Ws, x_real))[:, 0]
    d_fake = torch.sigmoid(torch_mlp(Ws, x_fake))[:, 0]
    reduce = torch.mean if mean else torch.sum
    return reduce(torch.log(d_real)) + fake_sign * reduce(torch.log1p(-d_fake))


def autograd_last(d_real, d_fake):
    z_r = torch.logit(_t(d_real)).requires_grad_(True)
    z_f = torch.logit(_t(d_fake)).requires_grad_(True)
    L = torch.log(torch.sigmoid(z_r)).mean() + torch.log1p(-torch.sigmoid(z_f)).mean()
    L.backward()
    return z_r.grad.numpy(), z_f.grad.numpy()


def last_variants(d_real, d_fake) -> list[tuple[str, tuple]]:
    n, m = len(d_real), len(d_fake)
    return [("fake_sign", ((1 - d_real) / n, d_fake / m)), ("mean_missing", (1 - d_real, -d_fake)),
            ("fake_sign", (1 - d_real, d_fake))]


def autograd_backprop_step(delta_next, W_next, z):
    z_t = _t(z).requires_grad_(True)
    z_next = torch.tanh(z_t) @ _t(W_next).T
    (z_next * _t(delta_next)).sum().backward()
    return z_t.grad.numpy()


def backprop_variants(delta_next, W_next, z):
    out = [("activation_derivative_missing", delta_next @ W_next),
           ("tanh_prime_of_z", (delta_next @ W_next) * (1.0 - z ** 2))]
    if W_next.shape[0] == W_next.shape[1]:
        out.append(("weights_not_transposed", (delta_next @ W_next.T) * (1 - np.tanh(z) ** 2)))
    return out


def autograd_input(delta_first, W_first, batch: int):
    a0 = torch.zeros(batch, W_first.shape[1], dtype=torch.float64, requires_grad=True)
    ((a0 @ _t(W_first).T) * _t(delta_first)).sum().backward()
    return a0.grad.numpy()


def autograd_discriminator(Ws, x_real, x_fake, **kwargs) -> dict:
    Wt = [_t(W).requires_grad_(True) for W in Ws]
    xf = _t(x_fake).requires_grad_(True)
    torch_L(Wt, _t(x_real), xf, **kwargs).backward()
    return {"weights": [W.grad.numpy() for W in Wt], "fake_input": xf.grad.numpy()}


def discriminator_variants(Ws, x_real, x_fake) -> list[tuple[str, dict]]:
    return [("fake_sign", autograd_discriminator(Ws, x_real, x_fake, fake_sign=-1.0)),
            ("mean_missing", autograd_discriminator(Ws, x_real, x_fake, mean=False))]


def autograd_generator(Vs, noise, Ws, x_real=None) -> list[np.ndarray]:
    Vt = [_t(V).requires_grad_(True) for V in Vs]
    x_fake = torch_mlp(Vt, _t(noise))
    x_real = torch.zeros(1, x_fake.shape[1], dtype=torch.float64) if x_real is None else _t(x_real)
    torch_L([_t(W) for W in Ws], x_real, x_fake).backward()
    return [V.grad.numpy() for V in Vt]


def random_weights(rng, dims: list[int]) -> list[np.ndarray]:
    return [rng.normal(0, 0.9, size=(dims[i + 1], dims[i])) for i in range(len(dims) - 1)]


@st.composite
def gan_settings(draw, max_hidden_layers: int = 2, max_width: int = 4, max_batch: int = 4):
    """Layer sizes, batch sizes and a seed for the weights and data (drawn with numpy from the seed)."""
    k = draw(st.integers(1, 3), label="data dim k")
    q = draw(st.integers(1, 3), label="noise dim q")
    d_hidden = draw(st.lists(st.integers(1, max_width), max_size=max_hidden_layers), label="D hidden widths")
    g_hidden = draw(st.lists(st.integers(1, max_width), max_size=max_hidden_layers), label="G hidden widths")
    n = draw(st.integers(1, max_batch), label="n (real)")
    m = draw(st.integers(1, max_batch), label="m (generated)")
    seed = draw(st.integers(0, 2**31 - 1), label="seed")
    rng = np.random.default_rng(seed)
    return dict(Ws=random_weights(rng, [k, *d_hidden, 1]), Vs=random_weights(rng, [q, *g_hidden, k]),
                x_real=rng.normal(size=(n, k)), x_fake=rng.normal(size=(m, k)), noise=rng.normal(size=(m, q)),
                describe=f"D layer sizes {[k, *d_hidden, 1]}, G layer sizes {[q, *g_hidden, k]}, n={n}, m={m}, "
                         f"weights and data ~ numpy default_rng({seed})")


# ---------------------------------------------------------------- Part C rule: NumPy only
RULE_NUMPY = "Part C (GAN gradients and updates) uses plain NumPy: no torch and no autograd"
GAN_FUNCS = ("grad_last_preactivation", "backprop_step", "grad_wrt_input", "discriminator_backward",
             "generator_backward", "update_discriminator", "update_generator")
# Switched off while the student's function runs (tensors from arrays, and every way into autograd) ...
TORCH_CALLS = ["torch.from_numpy", "torch.tensor", "torch.as_tensor", "torch.Tensor.backward",
               "torch.autograd.backward", "torch.autograd.grad"]
# ... and looked for in the text of the Part C functions and what they reach (by the names' last part; the task's
# own helper is called ``backward``, so that name is allowed).
TORCH_NAMES = ["torch", "autograd", "jax", "from_numpy", "requires_grad"]


def rule_settings() -> dict:
    """A fixed GAN: D layer sizes [2, 3, 1], G layer sizes [2, 3, 2], n = 3, m = 2."""
    rng = np.random.default_rng(20240)
    return dict(Ws=random_weights(rng, [2, 3, 1]), Vs=random_weights(rng, [2, 3, 2]), x_real=rng.normal(size=(3, 2)),
                x_fake=rng.normal(size=(2, 2)), noise=rng.normal(size=(2, 2)),
                describe="D layer sizes [2, 3, 1], G layer sizes [2, 3, 2], n=3, m=2")


# ---------------------------------------------------------------- comparisons
def _close(a, b, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def pick_hint(got, expected, variants) -> str | None:
    return next((h for h, v in variants if not _close(v, expected) and _close(got, v)), None)


def expect_array(got, expected, what: str, variants=(), reveal: bool = True, rtol=None, atol=None,
                 diagnose=None) -> None:
    """``variants``: (hint, value) pairs checked on this input alone; ``diagnose``: a zero-argument function
    giving the confirmed hint (used instead). For a single number the structural "observed:" line is left out:
    one number equals a truncated, shifted or scaled other number by coincidence too often to name a cause."""
    try:
        assert_close(got, np.asarray(expected, dtype=np.float64), what, reveal=reveal, rtol=rtol, atol=atol)
    except Mismatch as exc:
        text = str(exc)
        if np.ndim(expected) == 0:
            text = "\n".join(line for line in text.split("\n") if not line.startswith("  observed:"))
        hint = diagnose() if diagnose is not None else pick_hint(got, expected,
                                                                  variants() if callable(variants) else variants)
        raise Mismatch(text + hint_text(hint, HINTS)) from None


def expect_list(got, expected: list, what: str, variants=(), reveal: bool = True) -> None:
    """A list of arrays: its length, then each array."""
    if not isinstance(got, (list, tuple)) or len(got) != len(expected):
        n = len(got) if isinstance(got, (list, tuple)) else type(got).__name__
        raise Mismatch(f"{what}\n  expected a list of {len(expected)} arrays, one per weight matrix; got {n}")
    vs = variants() if callable(variants) else variants
    for i, (g, e) in enumerate(zip(got, expected)):
        per = [(h, v[i]) for h, v in vs if isinstance(v, (list, tuple)) and len(v) == len(expected)]
        expect_array(g, e, f"{what}\n  entry {i} (layer {i + 1})", per, reveal=reveal)


__all__ = ["Mismatch"]
