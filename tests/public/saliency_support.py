"""Shared by the public and hidden saliency tests: hints, data, models, probes, oracles and checks.

Part A (input gradients of a 2D classifier): the grader generates the toy data set itself
(``make_toy_dataset``, two half-moons from a numpy seed) and builds the MLPs from a spec
(hidden size and seed) both in the student's process (by a probe, where the student's function
receives a real ``nn.Module``) and here, where the oracles run in float64: a functional forward
pass and central finite differences.

Part B (guided backpropagation): the grader builds small seeded CNNs with ReLUs nested inside
submodules, as in ResNet-50 (pretrained weights are not reachable here). The oracle is computed
in the probe, next to the student's call and before it, on copies of the same model in the same
float32 arithmetic, with the grader's own guided and deconvnet ReLUs.
"""
from __future__ import annotations

import copy
import math

import numpy as np
import torch
from hypothesis import strategies as st
from torch import nn

from autograder.checks import Mismatch, TOLERANCES, assert_close, exceeds, png_pixels

EXERCISE = "saliency"
RTOL32, ATOL32 = TOLERANCES["float32"]   # float32 results, compared in float64

HINTS = {
    "forward_softmax": "MLP2d.forward returns probabilities (a softmax of the scores); it must return the raw "
                       "scores of self.net: nn.CrossEntropyLoss and the grid functions apply the softmax "
                       "themselves.",
    "not_trained": "the model passed in is not trained: train it in place (not a copy), and for every "
                   "mini-batch call optimizer.zero_grad(), loss.backward() and optimizer.step(), with an "
                   "optimiser built on model.parameters().",
    "accuracy_as_count": "the value returned is the number of correctly classified points; return the fraction "
                         "correct / N, a float in [0, 1].",
    "accuracy_not_final": "the value returned is not the accuracy of the trained model on all N points (the "
                          "last mini-batch only, or measured before the last updates?): after the last epoch, "
                          "run the model on all of X without gradients and compare argmax with y.",
    "use_dataloader": "train_classifier must wrap (X, y) in a torch.utils.data.TensorDataset and iterate over "
                      "mini-batches with a torch.utils.data.DataLoader (batch_size, shuffle=True), as the task "
                      "asks, instead of slicing the tensors by hand.",
    "use_cross_entropy": "train_classifier must use nn.CrossEntropyLoss on the raw scores (it applies the "
                         "log-softmax itself).",
    "grid_indexing": "the grid is transposed: with indexing=\"xy\" rows follow the second coordinate and columns "
                     "the first (XX[i, j] = xs[j], YY[i, j] = ys[i]); this matches indexing=\"ij\", or reshaping "
                     "in the other order.",
    "class_zero": "these are the probabilities of class 0; the task asks for p(y = 1 | x), column 1 of the "
                  "softmax.",
    "no_softmax": "these are raw scores, not probabilities: apply torch.softmax(scores, dim=1) and keep column 1.",
    "sigmoid_of_score": "sigmoid(s1) is not p(y = 1 | x): with two scores, softmax gives "
                        "p1 = exp(s1) / (exp(s0) + exp(s1)) = sigmoid(s1 - s0).",
    "softmax_wrong_dim": "the softmax was taken over the grid points (dim 0); take it over the two classes (dim 1).",
    "logit_gradient": "this is the gradient of a score (s1, or s1 - s0), not of the probability "
                      "p1 = softmax(scores, dim=1)[:, 1]: apply the softmax before backpropagating.",
    "log_prob_gradient": "this is the gradient of log p1 (log_softmax); the task asks for the gradient of p1 "
                         "itself.",
    "class_zero_gradient": "this is the gradient of p0 = 1 - p1 (the opposite sign): backpropagate the "
                           "probability of class 1.",
    "gx_gy_swapped": "GX and GY are swapped: GX is the derivative with respect to the first coordinate x1 "
                     "(column 0 of grid.grad), GY with respect to x2 (column 1).",
    "plot": "save the figure to the path given (e.g. fig.savefig(path) on a matplotlib Figure with the Agg "
            "backend) after drawing the probability, the boundary, the points and the arrows.",
    "input_sign_only": "this is the ordinary ReLU derivative (gradient kept where x > 0); guided backprop also "
                       "zeroes the entries where the incoming gradient is negative: "
                       "grad_output * (x > 0) * (grad_output > 0).",
    "deconvnet": "this is the \"deconvnet\" rule (gradient kept where the incoming gradient is positive, whatever "
                 "the sign of x); guided backprop applies both masks: grad_output * (x > 0) * (grad_output > 0).",
    "strict_at_zero": "at x == 0 the ReLU derivative is 0 here: use strict comparisons (x > 0), not x >= 0.",
    "forward_not_relu": "the forward pass of GuidedReLU must be the ordinary relu(x); only the backward pass is "
                        "guided.",
    "nested_not_swapped": "ReLUs inside submodules were not replaced: model.named_children() lists only the "
                          "direct children; recurse into each child (or walk model.named_modules() and set the "
                          "new module on its parent).",
    "not_guided": "this is the plain input gradient: no ReLU was guided during the backward pass (swap them with "
                  "replace_relus before the forward pass, and check GuidedReLU.backward).",
    "model_left_modified": "the model passed in was changed by guided_backprop; work on copy.deepcopy(model) (or "
                           "put the original nn.ReLU modules back, and do not convert or retrain it).",
    "probability_not_score": "this backpropagates the softmax probability of the class; guided backprop explains "
                             "the raw score (the logit) of class class_idx.",
    "wrong_class": "this is not the gradient of the score of class class_idx alone (all scores summed, or "
                   "another class?): backpropagate scores[:, class_idx].sum().",
    "hyperparameters_ignored": "train_classifier must use the epochs, batch_size and lr it is given (DataLoader("
                               "..., batch_size=batch_size, shuffle=True), the optimiser's lr=lr, `for _ in "
                               "range(epochs)`), not fixed values or the library defaults.",
    "no_shuffle": "the DataLoader does not shuffle: pass shuffle=True, so that every epoch sees the points in a new "
                  "order.",
    "quiver_positions": "the arrows are not drawn at the gradient grid's points: give quiver the coordinates too, "
                        "quiver(QX, QY, GX, GY), with QX, QY the coarse grid rebuilt from XX's corners in the \"xy\" "
                        "layout (QX[i, j] = xs[j], QY[i, j] = ys[i]) when GX's shape differs from XX's.",
    "params_frozen": "guided_backprop switched off requires_grad on the model's parameters; the caller's model must "
                     "be left as it was (only the input needs a gradient: torch.autograd.grad(score, inputs)).",
    "input_modified": "guided_backprop changed the x passed in (its values, or requires_grad / .grad): work on "
                      "x.detach().clone().requires_grad_(True).",
}

# ============================================================================= Part A: data and models
X_RANGE, Y_RANGE = (-1.5, 2.5), (-1.0, 1.5)


def make_toy_dataset(n: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The grader's copy of the exercise's given generator: two half-moons, shuffled."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t[:n0]), np.sin(t[:n0])], axis=1)
    lower = np.stack([1.0 - np.cos(t[n0:]), 0.5 - np.sin(t[n0:])], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0.0, noise, size=(n, 2))
    y = np.concatenate([np.zeros(n0), np.ones(n - n0)])
    order = rng.permutation(n)
    return torch.tensor(X[order], dtype=torch.float32), torch.tensor(y[order], dtype=torch.int64)


class GraderMLP(nn.Module):
    """The exercise's MLP2d layout (net.0, net.2, net.4), built by the grader."""

    def __init__(self, hidden: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 2))

    def forward(self, x):
        return self.net(x)


def mlp_state(spec: dict) -> dict[str, torch.Tensor]:
    """Seeded float32 weights for MLP2d(spec["hidden"]): Gaussian, gain 2 so that p1 varies over the grid."""
    g = torch.Generator().manual_seed(int(spec["seed"]))
    h = int(spec["hidden"])
    shapes = {"net.0": (h, 2), "net.2": (h, h), "net.4": (2, h)}
    state = {}
    for name, (out_f, in_f) in shapes.items():
        state[f"{name}.weight"] = torch.randn(out_f, in_f, generator=g) * (2.0 / math.sqrt(in_f))
        state[f"{name}.bias"] = torch.randn(out_f, generator=g) * 0.5
    return state


def build_mlp(spec: dict) -> nn.Module:
    model = GraderMLP(int(spec["hidden"]))
    model.load_state_dict(mlp_state(spec))
    return model.eval()


def scores64(state: dict, points: torch.Tensor) -> torch.Tensor:
    """The MLP's scores in float64 (the oracle's forward pass)."""
    h = points.double()
    for i, name in enumerate(("net.0", "net.2", "net.4")):
        h = h @ state[f"{name}.weight"].double().T + state[f"{name}.bias"].double()
        if i < 2:
            h = torch.relu(h)
    return h


def p1_64(state: dict, points: torch.Tensor) -> torch.Tensor:
    return torch.softmax(scores64(state, points), dim=1)[:, 1]


@st.composite
def mlp_specs(draw, max_hidden=16):
    return dict(hidden=draw(st.integers(2, max_hidden), label="hidden"),
                seed=draw(st.integers(0, 2**31 - 1), label="weights seed"))


@st.composite
def grid_cases(draw, max_hidden=16, max_steps=24):
    """(spec, x_range, y_range, steps); plain data, so that a failing case prints compactly."""
    spec = draw(mlp_specs(max_hidden))
    x0 = draw(st.sampled_from([-2.0, -1.5, -1.0, 0.0]), label="x_min")
    y0 = draw(st.sampled_from([-1.5, -1.0, -0.5]), label="y_min")
    x_range = (x0, x0 + draw(st.sampled_from([1.0, 2.5, 4.0]), label="x width"))
    y_range = (y0, y0 + draw(st.sampled_from([1.0, 2.5, 3.0]), label="y width"))
    return spec, x_range, y_range, draw(st.integers(2, max_steps), label="steps")


def describe_mlp(spec: dict) -> str:
    return f"an MLP2d(hidden={spec['hidden']}) with Gaussian weights from seed {spec['seed']}"


# ============================================================================= Part A: probes
def probe_mlp_forward(module, spec: dict, points: torch.Tensor) -> dict:
    """The student's MLP2d(hidden) with the grader's weights loaded by name, run on ``points``."""
    model = module.MLP2d(int(spec["hidden"]))
    state = mlp_state(spec)
    names = {name: tuple(p.shape) for name, p in model.state_dict().items()}
    expected = {name: tuple(t.shape) for name, t in state.items()}
    if names != expected:
        return {"problem": f"MLP2d({spec['hidden']}) has the parameters {names}; expected {expected} (keep "
                           "self.net as given)"}
    model.load_state_dict(state)
    model.eval()
    with torch.no_grad():
        out = model(points)
    return {"out": out}


probe_mlp_forward.describes = "MLP2d.forward"


def warm_up_optimizers() -> bool:
    """Builds an optimiser once: the first one imports torch._dynamo (seconds on a busy machine), which is
    not the student's time; a separate call keeps it out of the training call's time limit."""
    torch.optim.Adam(nn.Linear(1, 1).parameters())
    return True


def probe_train(module, hidden: int, init_seed: int, X, y, epochs: int, batch_size: int, lr: float) -> dict:
    """train_classifier on a fresh GraderMLP (nn.Linear's default initialisation under ``init_seed``);
    returns the value it returned, the initial and the final weights."""
    torch.manual_seed(init_seed)
    model = GraderMLP(hidden)
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    reported = module.train_classifier(model, X, y, epochs=epochs, batch_size=batch_size, lr=lr)
    after = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if isinstance(reported, torch.Tensor):
        reported = reported.detach().clone()
    return {"reported": reported, "before": before, "after": after}


probe_train.describes = "train_classifier"


def probe_train_usage(module, hidden: int, init_seed: int, X, y, epochs: int, batch_size: int, lr: float) -> dict:
    """train_classifier with TensorDataset, DataLoader and CrossEntropyLoss instrumented (and restored):
    how often each was built or used."""
    from torch.utils import data as tud

    from torch.optim.optimizer import register_optimizer_step_pre_hook

    counts = {"TensorDataset": 0, "DataLoader": 0, "DataLoader iterated": 0, "CrossEntropyLoss": 0,
              "steps": 0, "lr": [], "batch_size": [], "shuffle": []}
    originals = (tud.TensorDataset.__init__, tud.DataLoader.__init__, tud.DataLoader.__iter__,
                 nn.CrossEntropyLoss.forward)

    def counting(key, func):
        def wrapper(*args, **kwargs):
            counts[key] += 1
            return func(*args, **kwargs)
        return wrapper

    tud.TensorDataset.__init__ = counting("TensorDataset", originals[0])
    def loader_init(self, *args, **kwargs):
        counts["DataLoader"] += 1
        originals[1](self, *args, **kwargs)
        counts["batch_size"].append(self.batch_size)
        counts["shuffle"].append(isinstance(self.sampler, tud.RandomSampler))

    def step_hook(optimizer, args, kwargs):
        counts["steps"] += 1
        counts["lr"].append(float(optimizer.param_groups[0].get("lr", float("nan"))))

    tud.DataLoader.__init__ = loader_init
    tud.DataLoader.__iter__ = counting("DataLoader iterated", originals[2])
    nn.CrossEntropyLoss.forward = counting("CrossEntropyLoss", originals[3])
    handle = register_optimizer_step_pre_hook(step_hook)
    try:
        torch.manual_seed(init_seed)
        model = GraderMLP(hidden)
        module.train_classifier(model, X, y, epochs=epochs, batch_size=batch_size, lr=lr)
    finally:
        handle.remove()
        (tud.TensorDataset.__init__, tud.DataLoader.__init__, tud.DataLoader.__iter__,
         nn.CrossEntropyLoss.forward) = originals
    return counts


probe_train_usage.describes = "train_classifier"


def probe_grid(module, spec: dict, x_range, y_range, steps: int):
    """evaluate_on_grid on the grader's MLP (steps=None: called with the model only, so the defaults apply)."""
    if steps is None:
        return module.evaluate_on_grid(build_mlp(spec))
    return module.evaluate_on_grid(build_mlp(spec), tuple(x_range), tuple(y_range), steps)


probe_grid.describes = "evaluate_on_grid"


def probe_gradients(module, spec: dict, x_range, y_range, steps: int):
    """compute_input_gradients on the grader's MLP (steps=None: called with the model only, so the defaults
    apply)."""
    if steps is None:
        return module.compute_input_gradients(build_mlp(spec))
    return module.compute_input_gradients(build_mlp(spec), tuple(x_range), tuple(y_range), steps)


probe_gradients.describes = "compute_input_gradients"


def figure_artists(fig) -> dict:
    """What a saved matplotlib figure draws, as plain arrays: quiver arrows (positions and vectors), contour
    sets (filled or not, levels, vertices) and point markers (positions and face colours), over all its axes."""
    import matplotlib.contour as mcontour
    import matplotlib.quiver as mquiver
    from matplotlib.collections import PathCollection
    from matplotlib.colors import to_rgba_array
    from matplotlib.lines import Line2D

    out = {"quivers": [], "contours": [], "points": []}
    for ax in fig.get_axes():
        for artist in ax.get_children():
            try:
                if isinstance(artist, mquiver.Quiver):
                    def flat(values):
                        return np.ma.filled(np.ma.asarray(values, dtype=np.float64), np.nan).ravel()

                    out["quivers"].append({"X": flat(artist.X), "Y": flat(artist.Y), "U": flat(artist.U),
                                           "V": flat(artist.V)})
                elif isinstance(artist, mcontour.ContourSet):
                    verts = [np.asarray(path.vertices, dtype=np.float64) for path in artist.get_paths()
                             if len(path.vertices)]
                    out["contours"].append({"filled": bool(artist.filled),
                                            "levels": np.asarray(artist.levels, dtype=np.float64),
                                            "vertices": np.concatenate(verts) if verts else np.zeros((0, 2))})
                elif isinstance(artist, PathCollection):
                    xy = np.asarray(artist.get_offsets(), dtype=np.float64).reshape(-1, 2)
                    colours = np.asarray(artist.get_facecolors(), dtype=np.float64).reshape(-1, 4)
                    if len(colours) == 1:
                        colours = np.repeat(colours, len(xy), axis=0)
                    out["points"].append({"xy": xy, "colours": colours})
                elif isinstance(artist, Line2D) and artist.get_marker() not in (None, "None", "", " ", ","):
                    xy = np.asarray(artist.get_xydata(), dtype=np.float64).reshape(-1, 2)
                    colour = to_rgba_array(artist.get_markerfacecolor())[0]
                    out["points"].append({"xy": xy, "colours": np.repeat(colour[None], len(xy), axis=0)})
            except Exception:  # an artist that cannot be read is left out
                continue
    return out


def probe_plot(module, X, y, XX, YY, P, GX, GY):
    """plot_gradient_field into a fresh temporary folder; returns the file's bytes (or None) and what the
    figure saved draws (see figure_artists; Figure.savefig is wrapped during the call, then restored)."""
    import os
    import shutil
    import tempfile

    from matplotlib.figure import Figure

    folder = tempfile.mkdtemp(prefix="saliency_plot_")
    original = Figure.savefig
    drawn = []

    def savefig(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        drawn.append(figure_artists(self))
        return result

    Figure.savefig = savefig
    try:
        path = os.path.join(folder, "gradients2d.png")
        module.plot_gradient_field(X, y, XX, YY, P, GX, GY, path)
        if not os.path.isfile(path):
            return {"data": None, "drawn": drawn[-1] if drawn else None}
        with open(path, "rb") as fh:
            return {"data": np.frombuffer(fh.read(), dtype=np.uint8).copy(), "drawn": drawn[-1] if drawn else None}
    finally:
        Figure.savefig = original
        shutil.rmtree(folder, ignore_errors=True)


probe_plot.describes = "plot_gradient_field"


# ============================================================================= Part A: oracles and checks
def oracle_grid(x_range, y_range, steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """XX, YY as the exercise fixes them (float32 linspace, indexing="xy"), as float64."""
    xs = torch.linspace(float(x_range[0]), float(x_range[1]), steps)
    ys = torch.linspace(float(y_range[0]), float(y_range[1]), steps)
    XX, YY = torch.meshgrid(xs, ys, indexing="xy")
    return XX.double(), YY.double()


def _as64(value):
    try:
        if isinstance(value, torch.Tensor):
            return value.detach().to(torch.float64)
        return torch.as_tensor(np.asarray(value, dtype=np.float64))
    except Exception:
        return None


def unpack(result, names: tuple[str, ...], what: str) -> list[torch.Tensor]:
    """A tuple of ``len(names)`` tensors, each as float64."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        raise Mismatch(f"{what}\n  expected a tuple ({', '.join(names)}) of {len(names)} tensors\n"
                       f"  got: {result!r}"[:1500])
    out = []
    for name, value in zip(names, result):
        t = _as64(value)
        if t is None:
            raise Mismatch(f"{what}\n  {name} is not a tensor: {value!r}"[:1500])
        out.append(t)
    return out


def _close(a: torch.Tensor, b: torch.Tensor, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(torch.allclose(a, b, rtol=rtol, atol=atol))


def check_xy(XX, YY, x_range, y_range, steps, what, reveal=True) -> None:
    """The grid coordinates: shape (steps, steps), layout indexing="xy"."""
    eXX, eYY = oracle_grid(x_range, y_range, steps)
    for name, got, expected, other in (("XX", XX, eXX, eYY), ("YY", YY, eYY, eXX)):
        hint = None
        if not _close(got, expected, RTOL32, ATOL32):
            ij = {"XX": eXX.T, "YY": eYY.T}[name]
            if _close(got, ij, RTOL32, ATOL32):
                hint = "grid_indexing"
        assert_close(got, expected, f"{what}: {name}", rtol=RTOL32, atol=ATOL32, hint=hint, hints=HINTS,
                     reveal=reveal)


def p_variants(state, XX, YY) -> dict[str, torch.Tensor]:
    """p1 on the grid, and what known misconceptions give instead (float64, (steps, steps))."""
    steps = XX.shape[0]
    points = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)
    s = scores64(state, points)
    shape = (steps, steps)
    expected = torch.softmax(s, 1)[:, 1].reshape(shape)
    ij_points = torch.stack([XX.T.reshape(-1), YY.T.reshape(-1)], dim=1)  # points in "ij" order
    variants = {
        "class_zero": torch.softmax(s, 1)[:, 0].reshape(shape),
        "no_softmax": s[:, 1].reshape(shape),
        "sigmoid_of_score": torch.sigmoid(s[:, 1]).reshape(shape),
        "softmax_wrong_dim": torch.softmax(s, 0)[:, 1].reshape(shape),
        "grid_indexing": p1_64(state, ij_points).reshape(shape),
    }
    return expected, variants


def diagnose(got: torch.Tensor, expected: torch.Tensor, variants: dict, rtol: float, atol: float) -> str | None:
    """The misconception whose result matches ``got`` (where it differs from the right answer), when exactly
    one does: when this input cannot tell two of them apart, none is named. Keys are hint ids, optionally with a
    "|detail" suffix when one hint covers several variants."""
    found = []
    for key, wrong in variants.items():
        if wrong.shape != got.shape or not torch.isfinite(wrong).all():
            continue
        if not _close(wrong, expected, rtol, atol) and _close(got, wrong, rtol, atol):
            found.append(key.split("|")[0])
    return found[0] if len(set(found)) == 1 else None


def check_values(got, expected, what, variants, rtol, atol, reveal=True) -> None:
    hint = None if _close(got, expected, rtol, atol) else diagnose(got, expected, variants, rtol, atol)
    assert_close(got, expected, what, rtol=rtol, atol=atol, hint=hint, hints=HINTS, reveal=reveal)


FD_STEP = 1e-6


def fd_gradients(state, XX, YY) -> dict[str, torch.Tensor]:
    """dp1/dx1 and dp1/dx2 by central differences in float64 (step 1e-6: rounding error ~1e-9, truncation
    ~1e-11), plus the one-sided differences, which differ from the central one only where a ReLU kink lies
    within one step of the point (there the derivative jumps, and either side is a fair answer)."""
    steps = XX.shape[0]
    points = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)
    base = p1_64(state, points)
    out = {}
    for axis, name in ((0, "GX"), (1, "GY")):
        e = torch.zeros(1, 2, dtype=torch.float64)
        e[0, axis] = FD_STEP
        up, down = p1_64(state, points + e), p1_64(state, points - e)
        out[name] = ((up - down) / (2 * FD_STEP)).reshape(steps, steps)
        out[name + "+"] = ((up - base) / FD_STEP).reshape(steps, steps)
        out[name + "-"] = ((base - down) / FD_STEP).reshape(steps, steps)
    return out


def gradient_tolerance(G: torch.Tensor) -> tuple[float, float]:
    """The student's gradient is backpropagated in float32 through three layers: its error is a few
    float32 ulps (1.2e-7) of the sums of |terms| along the way, which near a cancellation can be tens of
    times the gradient itself; rtol 1e-4 and an atol scaled by the largest entry leave a wide margin, and
    every known wrong variant is off by far more (a factor p1 (1 - p1) <= 1/4, a sign, a swap)."""
    scale = float(G.abs().max()) if G.numel() else 1.0
    return 1e-4, 1e-5 * max(1.0, scale)


def gradient_variants(state, XX, YY) -> dict[str, dict[str, torch.Tensor]]:
    """The analytic gradients of the wrong targets (float64 autograd), by hint id: {"GX": ..., "GY": ...}."""
    steps = XX.shape[0]
    points = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)
    ij_points = torch.stack([XX.T.reshape(-1), YY.T.reshape(-1)], dim=1)

    def grads(target, pts=points):
        pts = pts.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(target(scores64(state, pts)).sum(), pts)
        return {"GX": g[:, 0].reshape(steps, steps), "GY": g[:, 1].reshape(steps, steps)}

    right = grads(lambda s: torch.softmax(s, 1)[:, 1])
    out = {
        "logit_gradient": grads(lambda s: s[:, 1]),
        "logit_gradient|difference": grads(lambda s: s[:, 1] - s[:, 0]),
        "log_prob_gradient": grads(lambda s: torch.log_softmax(s, 1)[:, 1]),
        "class_zero_gradient": grads(lambda s: torch.softmax(s, 1)[:, 0]),
        "gx_gy_swapped": {"GX": right["GY"], "GY": right["GX"]},
        "grid_indexing": grads(lambda s: torch.softmax(s, 1)[:, 1], ij_points),
    }
    return out


def check_gradients(GX, GY, state, XX, YY, what, reveal=True) -> None:
    """GX, GY against central finite differences (one-sided ones accepted next to a ReLU kink)."""
    fd = fd_gradients(state, XX, YY)
    variants = gradient_variants(state, XX, YY)
    for name, got in (("GX", GX), ("GY", GY)):
        expected = fd[name]
        rtol, atol = gradient_tolerance(torch.stack([fd["GX"], fd["GY"]]))
        if got.shape == expected.shape:
            # next to a kink the derivative jumps: the student's one-sided value is right too
            for side in ("+", "-"):
                near = torch.isclose(got, fd[name + side], rtol=rtol, atol=atol)
                expected = torch.where(near, fd[name + side], expected)
        hint = None
        if not _close(got, expected, rtol, atol):
            hint = diagnose(got, fd[name], {k: v[name] for k, v in variants.items()}, rtol, atol)
        assert_close(got, expected, f"{what}: {name} = dp1/d{'x1' if name == 'GX' else 'x2'}, compared with "
                     "central finite differences in float64", rtol=rtol, atol=atol, hint=hint, hints=HINTS,
                     reveal=reveal)


ACCURACY_NEEDED = 0.75   # chance is 0.5 on the balanced half-moons; the reference reaches 0.93 or more in the tests


def train_case(sub, probe, data_seed, init_seed, epochs, n=200, noise=0.15, hidden=16, batch_size=32, lr=0.02):
    """Runs ``probe`` (probe_train or probe_train_usage) on the grader's toy data; (X, y, result, what)."""
    X, y = make_toy_dataset(n, noise, data_seed)
    sub.run_probe(warm_up_optimizers)
    out = sub.run_probe(probe, sub._handle(), hidden, init_seed, X, y, epochs, batch_size, lr)
    what = (f"train_classifier(MLP2d({hidden}), X, y, epochs={epochs}, batch_size={batch_size}, lr={lr}) on "
            f"make_toy_dataset(n={n}, noise={noise}, seed={data_seed}), initial weights from seed {init_seed}")
    return X, y, out, what


def check_training(X, y, out, what, reveal=True, python_float: bool = False) -> None:
    """The model changed, its accuracy (recomputed here) is clearly above chance, and the value returned is it."""
    if all(torch.equal(out["before"][k], out["after"][k]) for k in out["before"]):
        raise Mismatch(f"{what}\n  the model's weights did not change\nHint: {HINTS['not_trained']}")
    scores = scores64(out["after"], X)
    correct = scores.argmax(1) == y
    accuracy = float(correct.double().mean())
    if accuracy < ACCURACY_NEEDED:   # the weights changed: no cause is claimed for a poor training
        raise Mismatch(f"{what}\n  the trained model classifies {accuracy:.3f} of the points correctly; at least "
                       f"{ACCURACY_NEEDED} is needed (chance is 0.5)")
    reported = out["reported"]
    if python_float and isinstance(reported, torch.Tensor):
        raise Mismatch(f"{what}\n  the value returned is a tensor ({reported!r}); return the accuracy as a Python "
                       f"float (float(...) or .item())"[:1500])
    if isinstance(reported, torch.Tensor) and reported.numel() == 1:
        reported = reported.item()
    if isinstance(reported, bool) or not isinstance(reported, (int, float)):
        raise Mismatch(f"{what}\n  expected the training accuracy as a Python float in [0, 1]\n  got: {reported!r}"
                       [:1500])
    # float32 and float64 may disagree on points lying on the decision boundary
    margin = (scores[:, 1] - scores[:, 0]).abs()
    slack = int((margin < 1e-4).sum()) / len(y) + 1e-6   # + float32 rounding of the mean
    if exceeds(abs(reported - accuracy), slack):
        if abs(reported - int(correct.sum())) <= slack * len(y):
            hint = "accuracy_as_count"
        elif reported > 1:
            hint = None
        else:
            hint = "accuracy_not_final"
        shown = f"  expected: {accuracy!r} (the trained model's accuracy on all {len(y)} points)\n" if reveal else ""
        raise Mismatch(f"{what}\n  the value returned is not the final training accuracy\n{shown}"
                       f"  got:      {reported!r}" + (f"\nHint: {HINTS[hint]}" if hint else ""))


def check_png(data, what: str):
    """The PNG written: opens, 64 to 4096 pixels a side, not one flat colour (checks.png_pixels)."""
    return png_pixels(data, what, HINTS['plot'], min_side=64, max_side=4096)


# ============================================================================= Part B: models
class Block(nn.Module):
    """A residual block like ResNet's: one ReLU module (in place) used twice in forward."""

    def __init__(self, width: int):
        super().__init__()
        self.conv1 = nn.Conv2d(width, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        out = self.relu(self.conv1(x))
        return self.relu(self.conv2(out) + x)


class TinyResNet(nn.Module):
    """conv1 -> relu (top level) -> layer1 (two Blocks) -> maxpool -> head (Linear, ReLU, Linear)."""

    def __init__(self, in_channels: int, width: int, num_classes: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = nn.Sequential(Block(width), Block(width))
        self.pool = nn.AdaptiveMaxPool2d(2)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * width, 2 * width), nn.ReLU(),
                                  nn.Linear(2 * width, num_classes))

    def forward(self, x):
        return self.head(self.pool(self.layer1(self.relu(self.conv1(x)))))


def sequential_cnn(in_channels: int, width: int, num_classes: int) -> nn.Module:
    """A flat nn.Sequential: every ReLU is a direct child."""
    return nn.Sequential(nn.Conv2d(in_channels, width, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(width, width, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
                         nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(2 * width, num_classes))


def build_cnn(spec: dict) -> nn.Module:
    """The CNN of ``spec`` (arch "resnet" or "sequential", seed, in_channels, width, num_classes), in
    eval mode, with He-scaled Gaussian weights from the seed."""
    make = {"resnet": TinyResNet, "sequential": sequential_cnn}[spec["arch"]]
    model = make(int(spec["in_channels"]), int(spec["width"]), int(spec["num_classes"]))
    g = torch.Generator().manual_seed(int(spec["seed"]))
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.copy_(torch.randn(p.shape, generator=g) * math.sqrt(2.0 / p[0].numel()))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
    return model.eval()


def make_image(spec: dict, inputs: dict) -> torch.Tensor:
    """Images (batch, in_channels, height, width): standard Gaussian values from ``inputs["seed"]``."""
    g = torch.Generator().manual_seed(int(inputs["seed"]))
    return torch.randn(inputs["batch"], spec["in_channels"], inputs["height"], inputs["width"], generator=g)


@st.composite
def cnn_cases(draw, archs=("resnet", "sequential"), max_batch=2, max_width=6, max_classes=6, sides=(4, 12)):
    """(spec, inputs, class_idx) as plain data."""
    spec = dict(arch=draw(st.sampled_from(archs), label="arch"),
                seed=draw(st.integers(0, 2**31 - 1), label="model seed"),
                in_channels=draw(st.sampled_from([1, 3]), label="in channels"),
                width=draw(st.integers(2, max_width), label="width"),
                num_classes=draw(st.integers(2, max_classes), label="classes"))
    inputs = dict(batch=draw(st.integers(1, max_batch), label="batch"),
                  height=draw(st.integers(*sides), label="H"), width=draw(st.integers(*sides), label="W"),
                  seed=draw(st.integers(0, 2**31 - 1), label="image seed"))
    return spec, inputs, draw(st.integers(0, spec["num_classes"] - 1), label="class_idx")


def describe_cnn(spec: dict, x: torch.Tensor) -> str:
    arch = {"resnet": "TinyResNet (conv1 -> relu -> layer1 of two residual blocks -> pool -> head), ReLUs nested "
                      "in the blocks and the head",
            "sequential": "flat nn.Sequential CNN (every ReLU a direct child)"}[spec["arch"]]
    return (f"{arch}, seed {spec['seed']}, {spec['in_channels']} input channel(s), width {spec['width']}, "
            f"{spec['num_classes']} classes; x of shape {tuple(x.shape)} (standard Gaussian)")


# ============================================================================= Part B: the grader's ReLUs
class _GuidedOracle(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.relu(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return torch.where((x > 0) & (grad > 0), grad, torch.zeros_like(grad))


class _DeconvOracle(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.relu(x)

    @staticmethod
    def backward(ctx, grad):
        return torch.relu(grad)


class _Swapped(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn.apply(x)


def swap_relus(model: nn.Module, fn, nested: bool = True) -> nn.Module:
    """Replace the nn.ReLU modules of ``model`` (all, or only its direct children) in place."""
    for name, child in model.named_children():
        if isinstance(child, nn.ReLU):
            setattr(model, name, _Swapped(fn))
        elif nested:
            swap_relus(child, fn, nested)
    return model


def input_gradient(model: nn.Module, x: torch.Tensor, target) -> torch.Tensor:
    inputs = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(target(model(inputs)).sum(), inputs)
    return grad


def guided_expected(model: nn.Module, x: torch.Tensor, class_idx: int) -> torch.Tensor:
    """The guided gradient of the class score (on a copy of ``model``)."""
    return input_gradient(swap_relus(copy.deepcopy(model), _GuidedOracle), x, lambda s: s[:, class_idx])


def guided_variants(model: nn.Module, x: torch.Tensor, class_idx: int) -> dict[str, torch.Tensor]:
    """What known misconceptions give instead of the guided gradient (on copies of ``model``)."""
    score = lambda s: s[:, class_idx]  # noqa: E731
    guided = swap_relus(copy.deepcopy(model), _GuidedOracle)
    with torch.no_grad():
        others = [c for c in range(guided(x).shape[1]) if c != class_idx]
    variants = {
        "not_guided": input_gradient(copy.deepcopy(model), x, score),
        "deconvnet": input_gradient(swap_relus(copy.deepcopy(model), _DeconvOracle), x, score),
        "nested_not_swapped": input_gradient(swap_relus(copy.deepcopy(model), _GuidedOracle, nested=False), x,
                                             score),
        "probability_not_score": input_gradient(guided, x, lambda s: torch.softmax(s, 1)[:, class_idx]),
        "wrong_class": input_gradient(guided, x, lambda s: s.sum(1)),
    }
    for c in others[:3]:
        variants[f"wrong_class_{c}"] = input_gradient(guided, x, lambda s, c=c: s[:, c])
    return variants


def structure(model: nn.Module) -> list[tuple[str, str]]:
    return [(name, type(m).__name__) for name, m in model.named_modules(remove_duplicate=False)]


# ============================================================================= Part B: probes
def probe_guided_relu(module, x: torch.Tensor, grad_out: torch.Tensor) -> dict:
    """GuidedReLU.apply forward on a copy of ``x`` that requires grad, then backward of ``grad_out``."""
    inputs = x.clone().requires_grad_(True)
    before = inputs.detach().clone()
    out = module.GuidedReLU.apply(inputs)
    result = {"out": out.detach().clone() if isinstance(out, torch.Tensor) else out,
              "x_changed": not torch.equal(inputs.detach(), before)}
    if isinstance(out, torch.Tensor) and out.requires_grad and out.shape == grad_out.shape:
        out.backward(grad_out)
        result["grad"] = None if inputs.grad is None else inputs.grad.detach().clone()
    return result


probe_guided_relu.describes = "GuidedReLU"


def probe_replace(module, spec: dict, x: torch.Tensor) -> dict:
    """replace_relus on a model built here: what it returned, which ReLUs are left, what took their place,
    and whether the forward pass is unchanged."""
    model = build_cnn(spec)
    with torch.no_grad():
        before_out = model(x)
    relus = [name for name, m in model.named_modules(remove_duplicate=False) if isinstance(m, nn.ReLU)]
    returned = module.replace_relus(model)
    guided_cls = module.GuidedReLUModule
    left = [name for name, m in model.named_modules(remove_duplicate=False) if isinstance(m, nn.ReLU)]
    swapped = [name for name, m in model.named_modules(remove_duplicate=False) if isinstance(m, guided_cls)]
    others_before = [s for s in structure(build_cnn(spec)) if s[1] != "ReLU"]
    others_after = [s for s in structure(model) if s[0] not in relus]
    with torch.no_grad():
        after_out = model(x)
    try:
        probe = torch.tensor([-1.5, 0.0, 2.0, -0.25, 3.0])
        relu_forward_ok = bool(torch.equal(module.GuidedReLU.apply(probe.clone()).detach(), torch.relu(probe)))
    except Exception:
        relu_forward_ok = False
    return {"relu_forward_ok": relu_forward_ok, "returned_model": returned is model, "relus": relus, "left": left, "swapped": swapped,
            "others_kept": others_before == others_after, "before": before_out,
            "after": after_out.detach().clone() if isinstance(after_out, torch.Tensor) else None}


probe_replace.describes = "replace_relus"


def probe_guided(module, spec: dict, x: torch.Tensor, class_idx: int) -> dict:
    """guided_backprop on a model built here: the expected gradient first (on a copy), then the student's
    call, then whether the model passed in is still the same (structure, parameters, plain gradient). The
    misconceptions' gradients are computed (on a fresh build) only when the result is not the expected one."""
    model = build_cnn(spec)
    expected = guided_expected(model, x, class_idx)
    params = {k: v.detach().clone() for k, v in model.state_dict().items()}
    flags = {k: p.requires_grad for k, p in model.named_parameters()}
    shape = structure(model)
    x_given = x.clone()
    result = module.guided_backprop(model, x_given, class_idx)
    x_problems = []
    if not torch.equal(x_given.detach(), x):
        x_problems.append("its values changed in place")
    if x_given.requires_grad or x_given.grad is not None:
        x_problems.append("it now requires grad" + (" and has a .grad" if x_given.grad is not None else ""))
    frozen = [k for k, p in model.named_parameters() if p.requires_grad != flags.get(k)]
    if isinstance(result, torch.Tensor):
        result = result.detach().clone()
    problems = []
    if structure(model) != shape:
        changed = [f"{n}: {t}" for (n, t), (_, t0) in zip(structure(model), shape) if t != t0]
        problems.append("its modules changed (" + ", ".join(changed[:4]) + (", ..." if len(changed) > 4 else "")
                        + ")" if changed else "its list of modules changed")
    state = model.state_dict()
    if set(state) != set(params) or any(state[k].dtype != v.dtype or not torch.equal(state[k], v)
                                        for k, v in params.items()):
        problems.append("its parameters changed (values or dtype)")
    elif not problems:
        plain = input_gradient(model, x, lambda s: s[:, class_idx])
        if not torch.allclose(plain, input_gradient(build_cnn(spec), x, lambda s: s[:, class_idx]), rtol=1e-5,
                              atol=1e-6):
            problems.append("its ordinary input gradient is no longer the plain one (are its ReLUs still guided?)")
    if frozen:
        problems.append(f"requires_grad changed on {len(frozen)} of its parameters ({', '.join(frozen[:3])}"
                        f"{', ...' if len(frozen) > 3 else ''})")
    matches = (isinstance(result, torch.Tensor) and result.shape == expected.shape
               and torch.allclose(result.double(), expected.double(), *guided_tolerance(expected.double())))
    variants = {} if matches else guided_variants(build_cnn(spec), x, class_idx)
    return {"result": result, "expected": expected, "variants": variants, "problems": problems,
            "x_problems": x_problems, "frozen": bool(frozen), "guided_relu_ok": matches or guided_relu_works(module)}


def guided_relu_works(module) -> bool:
    """Whether the submission's own GuidedReLU gives relu forward and the double-masked backward on a small input
    (when it does not, a wrong guided_backprop result is its consequence, not a mistake of guided_backprop)."""
    try:
        x = torch.tensor([-1.0, 2.0, 3.0, -0.5, 0.0, 1.5])
        g = torch.tensor([1.0, -1.0, 2.0, 3.0, 1.0, 0.5])
        inputs = x.clone().requires_grad_(True)
        out = module.GuidedReLU.apply(inputs)
        out.backward(g)
        return bool(torch.equal(out.detach(), torch.relu(x)) and inputs.grad is not None
                    and torch.equal(inputs.grad, g * (x > 0) * (g > 0)))
    except Exception:
        return False


probe_guided.describes = "guided_backprop"


# ============================================================================= Part B: checks
def guided_tolerance(expected: torch.Tensor) -> tuple[float, float]:
    """The oracle runs the same float32 operations as a correct submission, so they agree to rounding of the
    backward sums (a few ulps of the largest entries); a float64 submission differs by the float32 rounding of
    the oracle itself. rtol 1e-4 with an atol scaled by the largest entry covers both; the wrong variants
    (a mask dropped, another target) differ by far more."""
    scale = float(expected.abs().max()) if expected.numel() else 0.0
    return 1e-4, 1e-5 * scale + 1e-12


def check_guided_relu(got: dict, x: torch.Tensor, grad_out: torch.Tensor, what: str, reveal: bool = True) -> None:
    x64, g64 = x.double(), grad_out.double()
    out = _as64(got.get("out"))
    if out is None:
        raise Mismatch(f"{what}\n  GuidedReLU.apply(x) did not return a tensor: {got.get('out')!r}"[:1500])
    if got.get("x_changed"):
        raise Mismatch(f"{what}\n  the forward pass modified x in place; return a new tensor "
                       "(e.g. x.clamp(min=0))")
    relu = torch.relu(x64)
    hint = "forward_not_relu" if out.shape == relu.shape and not _close(out, relu, RTOL32, ATOL32) else None
    assert_close(out, relu, f"{what}\n  forward output, compared with relu(x):", rtol=RTOL32, atol=ATOL32,
                 hint=hint, hints=HINTS, reveal=reveal)
    if "grad" not in got:
        raise Mismatch(f"{what}\n  the output does not require grad, so nothing can be backpropagated (build it "
                       "from x with torch operations inside forward)")
    grad = _as64(got["grad"])
    if grad is None:
        raise Mismatch(f"{what}\n  no gradient reached x (backward returned None?)")
    expected = g64 * (x64 > 0) * (g64 > 0)
    variants = {"input_sign_only": g64 * (x64 > 0), "deconvnet": g64 * (g64 > 0),
                "strict_at_zero": g64 * (x64 >= 0) * (g64 > 0)}
    check_values(grad, expected, f"{what}\n  gradient with respect to x for the upstream gradient grad_out, "
                 "compared with grad_out * (x > 0) * (grad_out > 0):", variants, RTOL32, ATOL32, reveal=reveal)


def check_guided(out: dict, what: str, reveal: bool = True, expected: torch.Tensor | None = None) -> None:
    """The student's gradient against the oracle from the probe (or ``expected``), then the model left as it was."""
    expected = (out["expected"] if expected is None else expected).double()
    got = _as64(out["result"])
    if got is None:
        raise Mismatch(f"{what}\n  guided_backprop did not return a tensor: {out['result']!r}"[:1500])
    rtol, atol = guided_tolerance(expected)
    if not out.get("guided_relu_ok", True) and not _close(got, expected, rtol, atol):
        # the ReLU itself is wrong (its own test says how): no cause is claimed for guided_backprop
        assert_close(got, expected, f"{what}\n  the input gradient, compared with guided backpropagation of the "
                     "class score (note: your GuidedReLU does not pass a small check of its own forward and "
                     "backward, see its test):", rtol=rtol, atol=atol, reveal=reveal)
    variants = {k.replace("wrong_class_", "wrong_class|"): v.double() for k, v in out["variants"].items()}
    hint = None if _close(got, expected, rtol, atol) else diagnose(got, expected, variants, rtol, atol)
    assert_close(got, expected, f"{what}\n  the input gradient, compared with guided backpropagation of the "
                 "class score:", rtol=rtol, atol=atol, hint=hint, hints=HINTS, reveal=reveal)


def check_model_left_alone(out: dict, what: str) -> None:
    if out["problems"]:
        only_frozen = out.get("frozen") and len(out["problems"]) == 1
        raise Mismatch(f"{what}\n  after the call, the model passed in is not as it was: "
                       + "; ".join(out["problems"])
                       + f"\nHint: {HINTS['params_frozen' if only_frozen else 'model_left_modified']}")
    if out.get("x_problems"):
        raise Mismatch(f"{what}\n  after the call, the x passed in is not as it was: " + "; ".join(out["x_problems"])
                       + f"\nHint: {HINTS['input_modified']}")


def check_drawing(drawn, X, y, XX, YY, GX, GY, what: str) -> None:
    """What the saved figure draws (see figure_artists): quiver arrows at the gradient grid's points along
    (GX, GY) (any length: only directions are compared), a contour line at level 0.5 and a filled contour inside
    the grid's box, and every data point, with the two classes in different colours."""
    if drawn is None:
        raise Mismatch(f"{what}\n  the PNG was not written with a matplotlib Figure's savefig (fig.savefig or "
                       f"plt.savefig), so what it draws cannot be checked\nHint: {HINTS['plot']}")
    XX, YY = np.asarray(XX, dtype=np.float64), np.asarray(YY, dtype=np.float64)
    GX, GY = np.asarray(GX, dtype=np.float64), np.asarray(GY, dtype=np.float64)
    x0, x1, y0, y1 = XX[0, 0], XX[0, -1], YY[0, 0], YY[-1, 0]
    near = 1e-3 * max(x1 - x0, y1 - y0)

    # arrows
    quivers = drawn["quivers"]
    if not quivers:
        raise Mismatch(f"{what}\n  the figure has no quiver arrows (ax.quiver(QX, QY, GX, GY))")
    arrows = {k: np.concatenate([np.asarray(q[k], dtype=np.float64).ravel() for q in quivers]) for k in "XYUV"}
    rows, cols = GX.shape
    QX, QY = np.meshgrid(np.linspace(x0, x1, cols), np.linspace(y0, y1, rows), indexing="xy")
    if arrows["X"].size != GX.size:
        raise Mismatch(f"{what}\n  the figure has {arrows['X'].size} quiver arrows; GX has {GX.size} entries "
                       f"({rows} x {cols}), one arrow each")
    points = np.stack([QX.ravel(), QY.ravel()], 1)
    drawn_at = np.stack([arrows["X"], arrows["Y"]], 1)
    dist = np.sqrt(((drawn_at[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    nearest = dist.argmin(1)
    if not (dist[np.arange(len(nearest)), nearest] <= near).all():
        raise Mismatch(f"{what}\n  the quiver arrows are not at the points of the {rows} x {cols} gradient grid "
                       f"spanning x1 in [{x0:g}, {x1:g}] and x2 in [{y0:g}, {y1:g}] (arrows drawn from x1 in "
                       f"[{arrows['X'].min():g}, {arrows['X'].max():g}], x2 in [{arrows['Y'].min():g}, "
                       f"{arrows['Y'].max():g}])\nHint: {HINTS['quiver_positions']}")

    def along(gx, gy) -> np.ndarray:
        """Per arrow: True where the drawn vector points along (gx, gy) at its grid point (or both are ~0)."""
        g = np.stack([gx.ravel()[nearest], gy.ravel()[nearest]], 1)
        a = np.stack([arrows["U"], arrows["V"]], 1)
        size_g, size_a = np.sqrt((g ** 2).sum(1)), np.sqrt((a ** 2).sum(1))
        small = size_g <= 1e-3 * size_g.max()
        dot, cross = (a * g).sum(1), a[:, 0] * g[:, 1] - a[:, 1] * g[:, 0]
        return small | ((dot > 0) & (np.abs(cross) <= 0.02 * size_a * size_g))  # nan-safe: NaN fails dot > 0

    ok = along(GX, GY)
    if not ok.all():
        k = int(np.flatnonzero(~ok)[0])
        i, j = divmod(int(nearest[k]), cols)
        hint = "quiver_positions" if along(GX.T, GY.T).all() and not np.allclose(GX, GX.T) else None
        raise Mismatch(f"{what}\n  {int((~ok).sum())} of the {ok.size} arrows do not point along (GX, GY) of their "
                       f"grid point; e.g. the arrow at ({arrows['X'][k]:.4g}, {arrows['Y'][k]:.4g}) is "
                       f"({arrows['U'][k]:.4g}, {arrows['V'][k]:.4g}), the gradient there (GX[{i}, {j}], "
                       f"GY[{i}, {j}]) is ({GX[i, j]:.4g}, {GY[i, j]:.4g})"
                       + (f"\nHint: {HINTS[hint]}" if hint else ""))

    # contours
    def inside(v) -> bool:
        v = np.asarray(v, dtype=np.float64).reshape(-1, 2)
        return bool(((v[:, 0] >= x0 - near) & (v[:, 0] <= x1 + near) & (v[:, 1] >= y0 - near)
                     & (v[:, 1] <= y1 + near)).all())

    contours = drawn["contours"]
    lines = [c for c in contours if not c["filled"] and np.isclose(np.asarray(c["levels"]), 0.5).any()]
    if not lines:
        raise Mismatch(f"{what}\n  the figure has no contour line at level 0.5 (ax.contour(XX, YY, P, levels=[0.5]))")
    if not all(inside(c["vertices"]) for c in lines):
        raise Mismatch(f"{what}\n  the contour line at level 0.5 lies outside the grid's box (x1 in [{x0:g}, {x1:g}], "
                       f"x2 in [{y0:g}, {y1:g}]): give contour the coordinates, contour(XX, YY, P, ...)")
    filled = [c for c in contours if c["filled"]]
    if not filled:
        raise Mismatch(f"{what}\n  the figure has no filled contour of P (ax.contourf(XX, YY, P))")
    if not all(inside(c["vertices"]) for c in filled):
        raise Mismatch(f"{what}\n  the filled contour of P lies outside the grid's box (x1 in [{x0:g}, {x1:g}], x2 in "
                       f"[{y0:g}, {y1:g}]): give contourf the coordinates, contourf(XX, YY, P, ...)")

    # data points, coloured by class
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    marks = [p for p in drawn["points"] if len(p["xy"])]
    if not marks:
        raise Mismatch(f"{what}\n  the figure has no data points (ax.scatter(X[:, 0], X[:, 1], c=y))")
    xy = np.concatenate([p["xy"] for p in marks])
    colours = np.round(np.concatenate([p["colours"] for p in marks]), 3)
    dist = np.sqrt(((X[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    hit = dist <= 1e-6 * max(1.0, float(np.abs(X).max()))  # nan-safe: NaN is no hit
    missing = int((~hit.any(1)).sum())
    if missing:
        raise Mismatch(f"{what}\n  {missing} of the {len(X)} data points are not drawn as markers "
                       f"(ax.scatter(X[:, 0], X[:, 1], c=y))")
    by_class = [{tuple(colours[m]) for k in np.flatnonzero(y == c) for m in np.flatnonzero(hit[k])} for c in (0, 1)]
    if by_class[0] == by_class[1]:
        raise Mismatch(f"{what}\n  the points of class 0 and class 1 are drawn in the same colour(s); colour them "
                       f"by class (c=y, or one scatter per class)")
