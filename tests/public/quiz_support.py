"""Shared by the public and hidden quiz tests: hints, answer probes, validation, and the small torch
experiments shown as evidence when an answer is wrong.

The answer keys (tests/keys/quiz.json) hold only hashes: of each question's set of true labels, and of
the wrong sets that catalogued misconceptions give (with a hint id). The experiments below print
measured facts (how many predictions changed, gradient norms, ...); they never print which labels
are true.
"""
from __future__ import annotations

import math

from autograder.checks import Mismatch, digest

EXERCISE = "quiz"
PARTS = [f"answer_{q}" for q in "abcdefgh"]
LABELS = ("i", "ii", "iii", "iv")

HINTS = {
    # misconceptions (matched through the hashed wrong answers of selftests/mutants/quiz/*.py)
    "homogeneous": "without biases, conv/linear layers are linear and ReLU and max pooling satisfy f(c x) = c f(x) "
                   "for c > 0: a positive scale of the weights or of the input scales the logits and keeps every "
                   "argmax. Training, on the other hand, sees different losses and gradients.",
    "vanishing_vs_exploding": "ReLU and skip connections are cures for VANISHING gradients: they make gradients "
                              "larger, not smaller. Against exploding gradients you need something that caps or "
                              "renormalises their size.",
    "scaled_logits": "scaling all scores by 3 keeps each argmax, and when the true class is strictly on top each "
                     "cross-entropy term log(sum_j exp(s_j - s_y)) has s_j - s_y < 0 for j != y, which "
                     "multiplying by 3 makes more negative: the loss goes down.",
    "zero_init_symmetry": "zero initialisation is symmetric, but the gradient of row k of W is "
                          "sum_n (p_nk - y_nk) x_n: it differs from class to class and from feature to feature.",
    "l1_permutation": "flipping both images applies the same permutation to their pixels; a sum of |a_p - b_p| "
                      "over all pixels does not depend on the order of the pixels.",
    "softmax_scale": "softmax is invariant to ADDING a constant to every entry, not to multiplying by one: "
                     "c > 1 sharpens the distribution, c = 0 makes it uniform.",
    "zero_image_bias": "a zero image makes every weighted sum zero, but not the biases: the logits are then a "
                       "function of the biases, not all equal in general.",
    "inverted_dropout": "inverted dropout rescales the kept units by 1 / (1 - p) DURING TRAINING, so that at test "
                        "time it can be the identity: nothing is dropped or scaled.",
    "momentum_state": "momentum keeps one velocity number per parameter (the running sum of gradients), and that "
                      "velocity is what carries the update across bumps and flat regions.",
    "early_stopping_peak": "early stopping is a regulariser (it lowers variance), and it stops at the best "
                           "validation point: the PEAK of validation accuracy, i.e. the trough of validation loss.",
    "hyperparameter_vs_parameter": "only parameters of the model get gradients: batch norm's gamma and beta are "
                                   "layer parameters, Adam's beta_1 and beta_2 are hyperparameters of the optimiser "
                                   "that you set by hand.",
    "backprop_cost": "backpropagation visits each edge of the computational graph once, in reverse, doing a "
                     "constant amount of work per weight, like the forward pass: its cost grows linearly with the "
                     "number of parameters, not with its square.",
    "normalisation_leak": "normalisation statistics are part of training: compute the mean and standard deviation "
                          "on the training split only, then apply them unchanged to validation and test data. Using "
                          "the whole data set leaks information about the held-out data into training.",
    "flip_labels": "an augmentation must keep the label true: a flipped 'b' reads as 'd' (or 'p', 'q'), and most "
                   "flipped letters are no letter at all, so flipping corrupts handwritten-letter data.",
    "shift_not_scale": "positive homogeneity covers scaling, not shifting: subtracting a channel mean moves every "
                       "input by a constant, which a bias-free ReLU network does not turn into a common factor of "
                       "the logits, so predictions can change (see how many stayed the same above).",
    "early_stopping_variance": "stopping early keeps the weights closer to their initialisation, which restricts "
                               "the model: early stopping is a regulariser, and regularisers LOWER variance (at "
                               "some cost in bias).",
}


# Where to look, per question: shown when a wrong answer matches no catalogued misconception. A
# pointer names no cause (it is not a "Hint:"), so it never claims a mistake the student did not make.
POINTERS = {
    "question_a": "check each statement against positive homogeneity: which changes multiply every logit by the "
                  "same positive number, and which do something else?",
    "question_b": "separate the cures for vanishing gradients from those for exploding ones (see the gradient "
                  "norms above).",
    "question_c": "statement by statement: what does the first gradient step from zero look like, what does a "
                  "flipped letter mean, what does 3W do to each softmax loss term, and what does a common "
                  "permutation of pixels do to an L1 distance?",
    "question_d": "think about biases, regularising side effects, what softmax is invariant to, and which data "
                  "normalisation statistics may be computed from.",
    "question_e": "write out what an inverted-dropout layer computes in training and in evaluation mode.",
    "question_f": "what state does momentum keep, and what is it for?",
    "question_g": "what does early stopping do to bias and variance, and where on the validation curve does it "
                  "stop?",
    "question_h": "what does backpropagation cost compared with the forward pass, what order does it need, and "
                  "which quantities are learnable parameters?",
}

# ---------------------------------------------------------------- probes (run beside the student code)
def describe_answer(value) -> dict:
    """A student's answer as plain data: its type and, for a collection, its items (strings as they
    are; anything else by its type and repr)."""
    out = {"type": type(value).__name__, "items": None, "repr": repr(value)[:300]}
    if type(value) in (set, frozenset, list, tuple):
        out["items"] = [x if type(x) is str else {"type": type(x).__name__, "repr": repr(x)[:60]}
                        for x in list(value)[:20]]
        out["size"] = len(value)
    return out


def _make_probe(part: str):
    def probe(module):
        return describe_answer(getattr(module, part)())

    probe.__name__ = probe.__qualname__ = f"probe_{part}"
    probe.describes = part
    return probe


for _part in PARTS:
    globals()[f"probe_{_part}"] = _make_probe(_part)
del _part


def probe_for(part: str):
    return globals()[f"probe_{part}"]


# ---------------------------------------------------------------- validation and keys
def normalise(described: dict, what: str) -> frozenset:
    """The answer as a frozenset of lower-case labels, or a Mismatch saying what is wrong with its form."""
    items = described["items"]
    if items is None:
        raise Mismatch(f"{what}\n  expected a set of labels such as {{'i', 'iii'}}\n  got: {described['repr']} "
                       f"(a {described['type']})")
    bad = [x for x in items if not isinstance(x, str)]
    if bad:
        raise Mismatch(f"{what}\n  every label must be a string, one of {list(LABELS)}\n  got: {described['repr']} "
                       f"(contains a {bad[0]['type']})")
    labels = [x.strip().lower() for x in items]
    unknown = [x for x in items if x.strip().lower() not in LABELS]
    if unknown:
        raise Mismatch(f"{what}\n  labels must be one of {list(LABELS)} (case does not matter)\n  got: "
                       f"{described['repr']}: {unknown[0]!r} is not a label")
    if len(set(labels)) != len(labels) or described.get("size", len(items)) != len(items):
        raise Mismatch(f"{what}\n  each label may appear only once\n  got: {described['repr']}")
    if not labels:
        raise Mismatch(f"{what}\n  every question has at least one true statement; the answer is empty")
    return frozenset(labels)


def check_answer(described: dict, keys: dict, part: str, *, evidence: bool = True) -> None:
    """Exact comparison with the hashed key; on a wrong answer: the experiments and a hint."""
    what = f"{part}()"
    answer = normalise(described, what)
    entry = keys["parts"][part]
    h = digest(EXERCISE, part, answer)
    if h == entry["answer"]:
        return
    hint = entry.get("misconceptions", {}).get(h)
    lines = [f"{what} is not the set of true statements", f"  got: {sorted(answer)}"]
    if evidence:
        demo = DEMOS.get(part)
        if demo is not None:
            lines.append("  Evidence (small experiments run now with torch; they report measurements, not the "
                         "answer):")
            lines += [f"    {line}" for line in demo()]
    raise Mismatch("\n".join(lines) + (f"\nHint: {HINTS[hint]}" if hint else
                                        f"\nWhere to look: {POINTERS[f'question_{part[-1]}']}"))


# ---------------------------------------------------------------- experiments (grader side, trusted)
def _cnn(bias: bool, seed: int = 0):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    net = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1, bias=bias), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(6, 8, 3, padding=1, bias=bias), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(8 * 4 * 4, 10, bias=bias))
    if bias:
        with torch.no_grad():
            for m in net:
                if getattr(m, "bias", None) is not None:
                    m.bias.normal_(0, 0.5)
    return net.eval()


def _images(n: int = 64, seed: int = 1):
    import torch

    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 3, 16, 16, generator=g) + 0.2 * torch.randn(n, 3, 1, 1, generator=g)


def demo_a() -> list[str]:
    import torch

    net, x = _cnn(bias=False), _images()
    with torch.no_grad():
        base = net(x)
        scaled = _cnn(bias=False)
        for p in scaled.parameters():
            p.mul_(10)
        logits_w = scaled(x)
        logits_x = net(10 * x)
        logits_m = net(x - x.mean(dim=(0, 2, 3), keepdim=True))
    same = lambda other: int((other.argmax(1) == base.argmax(1)).sum())  # noqa: E731
    ratio = float((logits_w / base).median())
    out = [f"bias-free conv-ReLU-maxpool CNN (3 weighted layers), {len(x)} random images:",
           f"weights x10: {same(logits_w)}/{len(x)} predictions unchanged, logits scaled by {ratio:.4g}",
           f"inputs x10: {same(logits_x)}/{len(x)} predictions unchanged",
           f"per-channel mean subtracted from the inputs: {same(logits_m)}/{len(x)} predictions unchanged"]
    y = base.argmax(1).roll(1)                       # some fixed labels
    grads = []
    for factor in (1.0, 10.0):
        model = _cnn(bias=False)
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(factor)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        first = model[0].weight
        grads.append((float(loss.detach()), float(first.grad.norm() / first.detach().norm())))
    out.append(f"training view, same labels: loss {grads[0][0]:.4g} -> {grads[1][0]:.4g} and first-layer "
               f"|grad|/|weight| {grads[0][1]:.3g} -> {grads[1][1]:.3g} when the weights are x10")
    return out


def _deep_gradient(act, *, bn=False, residual=False, depth=20, width=16, gain=2.0) -> float:
    import torch
    from torch import nn

    layers = []
    for i in range(depth):
        lin = nn.Linear(width, width, bias=False)
        with torch.no_grad():
            lin.weight.copy_(torch.randn(width, width, generator=torch.Generator().manual_seed(i + 1))
                             * gain / math.sqrt(width))
        layers.append(lin)
    norms = [nn.BatchNorm1d(width) for _ in range(depth)]
    h = torch.randn(32, width, generator=torch.Generator().manual_seed(99))
    for lin, norm in zip(layers, norms):
        z = lin(h)
        z = act(norm(z) if bn else z)
        h = h + z if residual else z
    h.pow(2).mean().backward()
    return float(layers[0].weight.grad.norm())


def demo_b() -> list[str]:
    import torch

    relu = torch.relu
    plain = _deep_gradient(relu)
    clipped = torch.nn.Parameter(torch.zeros(3))
    clipped.grad = torch.tensor([3e4, -4e4, 0.0])
    torch.nn.utils.clip_grad_norm_([clipped], max_norm=1.0)
    return ["gradient norm of the first layer's weights, 20-layer MLP with large weights (gain 2):",
            f"sigmoid: {_deep_gradient(torch.sigmoid):.3g}; ReLU: {plain:.3g}",
            f"ReLU + batch norm: {_deep_gradient(relu, bn=True):.3g}",
            f"ReLU + residual connections: {_deep_gradient(relu, residual=True):.3g}",
            f"a gradient of norm 5e4 after clip_grad_norm_(max_norm=1): norm {float(clipped.grad.norm()):.3g}"]


def demo_c() -> list[str]:
    import torch
    import torch.nn.functional as F

    g = torch.Generator().manual_seed(3)
    x = torch.randn(30, 4, generator=g)
    y = torch.randint(0, 3, (30,), generator=g)
    W = torch.zeros(3, 4, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    opt = torch.optim.SGD([W, b], lr=0.5)
    for _ in range(20):
        opt.zero_grad()
        F.cross_entropy(x @ W.T + b, y).backward()
        opt.step()
    distinct = int(torch.unique(W.detach().round(decimals=6)).numel())
    # a classifier with 100% accuracy: labels are its own predictions, scores s = W x (no separate bias)
    V = torch.randn(3, 4, generator=g)
    labels = (x @ V.T).argmax(1)
    losses = [float(F.cross_entropy(x @ (c * V).T, labels)) for c in (1.0, 3.0)]
    acc = [float(((x @ (c * V).T).argmax(1) == labels).float().mean()) for c in (1.0, 3.0)]
    train, test = torch.rand(40, 1, 8, 8, generator=g), torch.rand(10, 1, 8, 8, generator=g)
    train_y = torch.randint(0, 4, (40,), generator=g)

    def nn1(tr, te):
        return train_y[torch.cdist(te.flatten(1), tr.flatten(1), p=1).argmin(1)]

    agree = int((nn1(train, test) == nn1(train.flip(-1), test.flip(-1))).sum())
    return [f"softmax regression from all-zero W and b, 20 SGD steps on 30 random points: W has {distinct} "
            f"distinct entries out of {W.numel()}",
            f"scores s = V x with 100% accuracy: accuracy {acc[0]:.0%} -> {acc[1]:.0%}, cross-entropy "
            f"{losses[0]:.4g} -> {losses[1]:.4g} when V becomes 3V",
            f"1-nearest neighbour with L1 distance: {agree}/{len(test)} test predictions unchanged when every "
            "training and test image is flipped horizontally",
            "(no experiment for the letter augmentation: flip a 'b' or a 'p' in your head)"]


def demo_d() -> list[str]:
    import torch

    net = _cnn(bias=True)
    with torch.no_grad():
        p = torch.softmax(net(torch.zeros(1, 3, 16, 16)), dim=1)[0]
    y = torch.tensor([1.0, 2.0, 3.0])
    fmt = lambda t: "[" + ", ".join(f"{float(v):.3f}" for v in t) + "]"  # noqa: E731
    return [f"a CNN with biases on an all-zero image: class probabilities from {float(p.min()):.3f} to "
            f"{float(p.max()):.3f} (uniform would be {1 / p.numel():.3f} each)",
            f"y = [1, 2, 3]: softmax(y) = {fmt(torch.softmax(y, 0))}, softmax(2y) = {fmt(torch.softmax(2 * y, 0))}, "
            f"softmax(0y) = {fmt(torch.softmax(0 * y, 0))}, softmax(y + 5) = {fmt(torch.softmax(y + 5, 0))}"]


def demo_e() -> list[str]:
    import torch

    x = torch.arange(1.0, 7.0)
    layer = torch.nn.Dropout(p=0.25)
    layer.train()
    torch.manual_seed(0)
    train = layer(x)
    layer.eval()
    test = layer(x)
    fmt = lambda t: "[" + ", ".join(f"{float(v):.3g}" for v in t) + "]"  # noqa: E731
    return [f"nn.Dropout(p=0.25) on x = {fmt(x)}:",
            f"training mode: {fmt(train)}; evaluation mode: {fmt(test)}"]


def demo_f() -> list[str]:
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(10, 5), torch.nn.Linear(5, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.randn(4, 10)).sum().backward()
    opt.step()
    n = sum(p.numel() for p in model.parameters())
    extra = sum(s["momentum_buffer"].numel() for s in opt.state.values())
    # a 1-D loss with a shallow local minimum near x = 1 and the global one further on
    loss = lambda t: 0.1 * (t - 4) ** 2 - torch.exp(-10 * (t - 1) ** 2) * 0.3  # noqa: E731
    ends = []
    for beta in (0.0, 0.9):
        t = torch.tensor(0.0, requires_grad=True)
        step = torch.optim.SGD([t], lr=0.05, momentum=beta)
        for _ in range(300):
            step.zero_grad()
            loss(t).backward()
            step.step()
        ends.append(float(t))
    return [f"torch.optim.SGD(momentum=0.9) on a model with {n} parameters keeps {extra} extra numbers "
            f"(momentum buffers); its defaults include momentum={torch.optim.SGD([torch.zeros(1)], lr=0.1).defaults['momentum']} "
            "(a setting you choose)",
            f"on 0.1 (x - 4)^2 - 0.3 exp(-10 (x - 1)^2) from x = 0 (shallow local minimum near 1, global near 4): "
            f"plain gradient descent ends at x = {ends[0]:.3g}, with momentum 0.9 at x = {ends[1]:.3g}"]


def demo_h() -> list[str]:
    import torch

    bn = torch.nn.BatchNorm1d(3)
    params = [f"{name} (requires_grad={p.requires_grad})" for name, p in bn.named_parameters()]
    adam = torch.optim.Adam(torch.nn.Linear(2, 2).parameters())
    return [f"nn.BatchNorm1d(3) parameters: {', '.join(params)} (weight is gamma, bias is beta)",
            f"torch.optim.Adam: betas={adam.defaults['betas']!r} is a plain tuple in the optimiser's settings, "
            "not a tensor of the model"]


DEMOS = {"answer_a": demo_a, "answer_b": demo_b, "answer_c": demo_c, "answer_d": demo_d, "answer_e": demo_e,
         "answer_f": demo_f, "answer_h": demo_h}
