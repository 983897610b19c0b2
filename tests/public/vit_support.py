"""Shared by the public and hidden vit tests: hints, oracles, probes and checks.

The grader never reads the student's parameters by name except through the attributes the task fixes
(``patch_embed``, ``cls_token``, ``pos_embedding``, ``layers``, ``norm``, ``head``). Everything else is
checked by behaviour, in the worker, next to the student's code:

* patches: ``F.unfold`` is the oracle (its column order is the task's order);
* PatchEmbedding: the affine map is read off the student's module with one-pixel images, then must
  reproduce every token of random images (so: one map for all patches, patch n -> token n);
* PreLNLayer: with every parameter zeroed except the LayerNorms' a pre-LN layer is the identity (a
  post-LN one returns LN(x)), and one bias set on top moves the output by that bias (the attention's
  output bias, the MLP's last bias: each sublayer is added to the residual stream) or not at all;
  perturbing one token of one image shows which outputs it reaches;
* ViT: the forward pass is recomposed from the student's own submodules; hooks on the last layer
  change the final states of the tokens;
* training: a small model built here (with dropout, so that train and eval mode differ) is handed to
  ``evaluate`` / ``train_vit`` with DataLoader, optimiser, backward and the loss instrumented;
* parameter counts: torch's own modules (``nn.Linear``, ``nn.TransformerEncoderLayer(norm_first=True)``,
  ``nn.LayerNorm``) built on the meta device.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from torch import nn

from autograder import seam
from autograder.checks import Mismatch, TOLERANCES, assert_close, exceeds, png_pixels

EXERCISE = "vit"
RTOL32, ATOL32 = TOLERANCES["float32"]

HINTS = {
    "patch_channels_last": "each patch is flattened channels last (rows, columns, channels); the task's order is "
                           "channels first, then rows, then columns: permute the (B, C, H/p, p, W/p, p) view to "
                           "(B, H/p, W/p, C, p, p) before the last reshape.",
    "patch_transposed": "inside each patch the columns come before the rows (the patch is transposed): flatten "
                        "as (channel, row, column), entry c*p*p + r*p + s for pixel (c, i*p + r, j*p + s).",
    "patch_column_major": "the patches are numbered column by column; patch n = i * (W / p) + j goes row by row "
                          "(all the patches of the top strip first).",
    "reshape_without_permute": "the image was reshaped straight to (B, N, C*p*p): a reshape keeps the memory "
                               "order (whole pixel rows), so a 'patch' here is a run of consecutive pixels, not a "
                               "p x p square; view it as (B, C, H/p, p, W/p, p) and permute the axes first.",
    "post_ln": "this is a post-LN layer: the residual stream itself is normalised (LN(x + sublayer(x))). In a "
               "pre-LN layer only the sublayers' inputs are normalised: h = x + attn(ln1(x)), "
               "out = h + mlp(ln2(h)).",
    "batch_first": "the attention mixes the images of the batch (token t of every image attends to token t of "
                   "the other images) instead of the tokens of one image: nn.MultiheadAttention expects "
                   "(T, B, D) unless it is built with batch_first=True.",
    "pos_embedding_missing": "the positional embedding is not added: the layers cannot tell where a patch was "
                             "(z = cat([cls, patch tokens], dim=1) + pos_embedding).",
    "mean_pooling": "the logits come from the mean over the tokens, not from the class token: take "
                    "head(norm(z)[:, 0]).",
    "no_final_norm": "the final LayerNorm is not applied before the head: logits = head(norm(z)[:, 0]).",
    "softmax_before_ce": "the loss receives probabilities (a softmax of the logits); nn.CrossEntropyLoss applies "
                         "log-softmax itself, so give it the raw logits.",
    "eval_mode_missing": "the model ran in train mode during evaluation (dropout active): call model.eval() "
                         "before evaluating.",
    "no_grad_missing": "the evaluation ran with gradients enabled: wrap it in torch.no_grad().",
    "train_mode_not_restored": "only the first epoch trained in train mode: evaluate() switches the model to eval "
                               "mode, so call model.train() at the start of every epoch.",
    "train_mode_missing": "the model was trained in eval mode (dropout off): call model.train() at the start of "
                          "every epoch.",
    "step_before_backward": "optimizer.step() is called before loss.backward(): each step then uses the previous "
                            "mini-batch's gradients. Order: zero_grad(), loss.backward(), optimizer.step().",
    "zero_grad_missing": "the gradients are never zeroed between steps, so they accumulate over mini-batches: "
                         "call optimizer.zero_grad() before every loss.backward().",
    "use_dataloader": "iterate over the mini-batches with DataLoader(TensorDataset(x_train, y_train), "
                      "batch_size=batch_size, shuffle=True, generator=...), as the task asks.",
    "hyperparameters_ignored": "train_vit must use the epochs, batch_size and lr it is given, not fixed values or "
                               "the library defaults.",
    "shuffle_seed": "the DataLoader's shuffling is not seeded with `seed`: pass "
                    "generator=torch.Generator().manual_seed(seed) to it.",
    "accuracy_as_count": "the accuracy returned is the number of correct examples; return the fraction "
                         "correct / N, in [0, 1].",
    "loss_mean_of_batches": "the loss is the plain mean of the per-batch mean losses, so the last (smaller) batch "
                            "counts as much as a full one; weight every batch by its size (sum the losses with "
                            "reduction='sum', then divide by N).",
    "pos_embedding_shape": "pos_embedding must hold one vector per position of the sequence, the class token's "
                           "included: shape (1, N + 1, dim).",
    "qkv_without_bias": "the query, key and value projections have no bias here; the task's attention has all "
                        "four projections with biases (as nn.MultiheadAttention).",
    "plot": "save a figure with the training and the validation loss per epoch (two lines) to the path given "
            "(fig.savefig(path) with the Agg backend).",
}

# ============================================================================= data and configurations
SEED_CONFIG = dict(image_size=28, patch_size=7, in_channels=1, n_classes=10, dim=64, depth=6, heads=8, mlp_dim=128)
# the end-to-end configuration: 16 patches of 2x2 pixels of the 8x8 digits
E2E_CONFIG = dict(image_size=8, patch_size=2, in_channels=1, n_classes=10, dim=32, depth=2, heads=4, mlp_dim=64)


def describe_config(config: dict) -> str:
    return "ViT(" + ", ".join(f"{k}={v}" for k, v in config.items()) + ")"


@st.composite
def vit_configs(draw, max_depth=3):
    p = draw(st.integers(1, 7), label="patch_size")
    side = p * draw(st.integers(1, 4), label="patches per side")
    heads = draw(st.sampled_from([1, 2, 4, 8]), label="heads")
    return dict(image_size=side, patch_size=p, in_channels=draw(st.integers(1, 3), label="in_channels"),
                n_classes=draw(st.integers(2, 12), label="n_classes"),
                dim=heads * draw(st.integers(1, 6), label="head size"), depth=draw(st.integers(1, max_depth),
                                                                                    label="depth"),
                heads=heads, mlp_dim=draw(st.integers(1, 40), label="mlp_dim"))


def digits_data(seed: int = 0):
    """digits_split(seed), loaded in the grader's process (the worker must not import autograder modules)."""
    from autograder.datasets import digits_split

    return tuple(digits_split(seed))


def digits_subset(n_train: int, n_val: int, seed: int = 0):
    from autograder.datasets import digits_split

    x_tr, y_tr, x_te, y_te = digits_split(seed)
    return x_tr[:n_train], y_tr[:n_train], x_te[:n_val], y_te[:n_val]


# ============================================================================= patches
def unfold_patches(images: torch.Tensor, p: int) -> torch.Tensor:
    """The task's patch order, by F.unfold (columns: channel, row, column; blocks row-major), in float64."""
    return F.unfold(images.double(), p, stride=p).transpose(1, 2)


def patch_variants(images: torch.Tensor, p: int) -> dict[str, torch.Tensor]:
    x = images.double()
    B, C, H, W = x.shape
    v = x.reshape(B, C, H // p, p, W // p, p)
    N = (H // p) * (W // p)
    return {
        "patch_channels_last": v.permute(0, 2, 4, 3, 5, 1).reshape(B, N, C * p * p),
        "patch_transposed": v.permute(0, 2, 4, 1, 5, 3).reshape(B, N, C * p * p),
        "patch_column_major": v.permute(0, 4, 2, 1, 3, 5).reshape(B, N, C * p * p),
        "reshape_without_permute": x.reshape(B, N, C * p * p),
    }


@st.composite
def patch_cases(draw, max_side=5, max_p=4):
    p = draw(st.integers(1, max_p), label="patch_size")
    shape = (draw(st.integers(1, 3), label="B"), draw(st.integers(1, 3), label="C"),
             p * draw(st.integers(1, max_side), label="patches down"),
             p * draw(st.integers(1, max_side), label="patches across"))
    seed = draw(st.integers(0, 2**31 - 1), label="seed")
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed)), p


def _as64(value):
    try:
        if isinstance(value, torch.Tensor):
            return value.detach().to(torch.float64)
        return torch.as_tensor(np.asarray(value, dtype=np.float64))
    except Exception:
        return None


def _close(a, b, rtol=RTOL32, atol=ATOL32) -> bool:
    return (a is not None and b is not None and a.shape == b.shape
            and bool(torch.allclose(a.double(), b.double(), rtol=rtol, atol=atol)))


def diagnose(got, expected, variants: dict, rtol=RTOL32, atol=ATOL32) -> str | None:
    """The misconception whose result matches ``got`` where it differs from the right answer, when exactly one
    does (on an input that cannot tell two apart, none is named)."""
    if got is None:
        return None
    found = [key for key, wrong in variants.items()
             if wrong is not None and wrong.shape == got.shape and bool(torch.isfinite(wrong).all())
             and not _close(wrong, expected, rtol, atol) and _close(got, wrong, rtol, atol)]
    return found[0] if len(set(found)) == 1 else None


def check_patches(got, images: torch.Tensor, p: int, what: str, reveal: bool = True) -> None:
    expected = unfold_patches(images, p)
    g = _as64(got)
    if g is None:
        raise Mismatch(f"{what}\n  patchify did not return a tensor: {got!r}"[:1500])
    hint = None if _close(g, expected, 0, 0) else diagnose(g, expected, patch_variants(images, p), 0, 0)
    assert_close(g, expected, f"{what}\n  the patches, compared with the task's order (exact):", rtol=0, atol=0,
                 hint=hint, hints=HINTS, reveal=reveal)


# ============================================================================= PatchEmbedding
def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def probe_patch_embedding(module, p: int, C: int, dim: int, images: torch.Tensor, init_seed: int) -> dict:
    """The student's PatchEmbedding on ``images``; its affine map read off with one-pixel images in patch 0
    (in the task's order c, r, s), its bias from a blank image, and its parameter count."""
    torch.manual_seed(init_seed)
    emb = module.PatchEmbedding(p, C, dim)
    emb.eval()
    H, W = images.shape[-2:]
    with torch.no_grad():
        out = emb(images)
        blank = emb(torch.zeros(1, C, H, W))
        columns = []
        for c in range(C):
            for r in range(p):
                for s in range(p):
                    one = torch.zeros(1, C, H, W)
                    one[0, c, r, s] = 1.0
                    columns.append(emb(one)[0, 0] - blank[0, 0])
        A = torch.stack(columns, dim=1) if columns else None                # (dim, C*p*p)
    return {"out": out, "blank": blank, "A": A, "count": n_params(emb)}


probe_patch_embedding.describes = "PatchEmbedding"


# ============================================================================= PreLNLayer
def probe_layer(module, dim: int, heads: int, mlp_dim: int, x: torch.Tensor, init_seed: int, token: int) -> dict:
    """PreLNLayer(dim, heads, mlp_dim) in eval mode: its output on x, on x with token ``token`` of image 1
    changed, and its output on x once every parameter outside its nn.LayerNorm modules is zeroed; then, with
    those still zero, its output on x with one bias (1-D parameter) at a time set to random values."""
    torch.manual_seed(init_seed)
    layer = module.PreLNLayer(dim, heads, mlp_dim, 0.0)
    layer.eval()
    count = n_params(layer)
    n_norms = sum(isinstance(m, nn.LayerNorm) for m in layer.modules())
    with torch.no_grad():
        out = layer(x)
        changed = x.clone()
        if x.shape[0] > 1:
            changed[1, token] = changed[1, token] + 3.0 * torch.randn(x.shape[-1],
                                                                      generator=torch.Generator().manual_seed(1))
        out_changed = layer(changed)
        keep = {id(p) for m in layer.modules() if isinstance(m, nn.LayerNorm) for p in m.parameters()}
        for prm in layer.parameters():
            if id(prm) not in keep:
                prm.zero_()
        zeroed = layer(x)
        biases = []                       # one bias at a time set to random values, everything else still zero
        gen = torch.Generator().manual_seed(2)
        for name, prm in layer.named_parameters():
            if id(prm) in keep or prm.dim() != 1:
                continue
            value = torch.randn(prm.shape, generator=gen).to(prm.dtype)
            prm.copy_(value)
            biases.append({"name": name, "size": int(prm.numel()), "value": value, "out": layer(x)})
            prm.zero_()
    return {"out": out, "out_changed": out_changed, "zeroed": zeroed, "count": count, "n_norms": n_norms,
            "biases": biases}


probe_layer.describes = "PreLNLayer"


def probe_layer_dropout(module, dim: int, heads: int, mlp_dim: int, x: torch.Tensor, p: float) -> dict:
    """PreLNLayer(..., dropout=p): two calls in eval mode, two in train mode; and a dropout-0 layer in train mode
    against its own eval-mode output."""
    torch.manual_seed(0)
    layer = module.PreLNLayer(dim, heads, mlp_dim, p)
    with torch.no_grad():
        layer.eval()
        e1, e2 = layer(x), layer(x)
        layer.train()
        t1, t2 = layer(x), layer(x)
        torch.manual_seed(0)
        plain = module.PreLNLayer(dim, heads, mlp_dim, 0.0)
        plain.train()
        zero_train = plain(x)
        plain.eval()
        zero_eval = plain(x)
    return {"e1": e1, "e2": e2, "t1": t1, "t2": t2, "zero_train": zero_train, "zero_eval": zero_eval}


probe_layer_dropout.describes = "PreLNLayer"


# ============================================================================= parameter counts
def torch_count(config: dict) -> int:
    """The ViT's parameter count from torch's own modules, built on the meta device (no memory, no arithmetic)."""
    c = config
    with torch.device("meta"):
        n = (c["image_size"] // c["patch_size"]) ** 2
        embed = n_params(nn.Linear(c["in_channels"] * c["patch_size"] ** 2, c["dim"]))
        layer = n_params(nn.TransformerEncoderLayer(c["dim"], c["heads"], c["mlp_dim"], norm_first=True,
                                                    batch_first=True))
        tail = n_params(nn.LayerNorm(c["dim"])) + n_params(nn.Linear(c["dim"], c["n_classes"]))
    return embed + c["dim"] + (n + 1) * c["dim"] + c["depth"] * layer + tail


def torch_layer_count(dim: int, heads: int, mlp_dim: int) -> int:
    with torch.device("meta"):
        return n_params(nn.TransformerEncoderLayer(dim, heads, mlp_dim, norm_first=True, batch_first=True))


def count_variants(config: dict) -> dict[str, int]:
    """What a counting misconception gives for ``config``."""
    c, right = config, torch_count(config)
    n = (c["image_size"] // c["patch_size"]) ** 2
    return {"pos_embedding_shape": right - c["dim"], "qkv_without_bias": right - 3 * c["dim"] * c["depth"]}


def probe_vit_counts(module, configs: list[dict], with_formula: bool) -> list[dict]:
    """For each configuration: the student's ViT's parameter count, the shapes of its cls_token and
    pos_embedding, its output shape on two images, and (with_formula) vit_param_count's value."""
    out = []
    for config in configs:
        torch.manual_seed(0)
        model = module.ViT(**config)
        model.eval()
        row = {"count": n_params(model)}
        for name in ("cls_token", "pos_embedding"):
            t = getattr(model, name, None)
            row[name] = tuple(t.shape) if isinstance(t, torch.Tensor) else None
        side, C = config["image_size"], config["in_channels"]
        with torch.no_grad():
            logits = model(torch.rand(2, C, side, side, generator=torch.Generator().manual_seed(3)))
        row["out_shape"] = tuple(logits.shape) if isinstance(logits, torch.Tensor) else repr(type(logits))
        if with_formula:
            row["formula"] = module.vit_param_count(**config)
        out.append(row)
    return out


probe_vit_counts.describes = "ViT"


def check_count(got, expected: int, config: dict, what: str, reveal: bool = False) -> None:
    """An int equal to the expected count; the expected value is not shown (it is the answer)."""
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if isinstance(got, (bool, float)) or not isinstance(got, (int, np.integer)):
        if not (isinstance(got, float) and got == expected):   # nan-safe: NaN != expected
            raise Mismatch(f"{what}\n  expected an int, got {got!r}"[:1500])
    if int(got) != expected:
        variants = count_variants(config)
        found = [k for k, v in variants.items() if v == int(got) and v != expected]
        hint = f"\nHint: {HINTS[found[0]]}" if len(found) == 1 else ""
        shown = f"\n  expected: {expected}" if reveal else ""
        raise Mismatch(f"{what}\n  got {int(got)}; that is not the number of parameters{shown}{hint}")


# ============================================================================= the ViT's forward pass
def _vit_problem(model, config) -> str | None:
    missing = [n for n in ("patch_embed", "cls_token", "pos_embedding", "layers", "norm", "head")
               if not hasattr(model, n)]
    if missing:
        return f"the ViT has no attribute {', '.join(missing)} (keep the attribute names of the task)"
    n = (config["image_size"] // config["patch_size"]) ** 2
    if not isinstance(model.pos_embedding, torch.Tensor) or tuple(model.pos_embedding.shape) != (1, n + 1,
                                                                                                  config["dim"]):
        shape = tuple(model.pos_embedding.shape) if isinstance(model.pos_embedding, torch.Tensor) else None
        return f"pos_embedding has shape {shape}; expected (1, {n + 1}, {config['dim']})"
    if not isinstance(model.cls_token, torch.Tensor) or tuple(model.cls_token.shape) != (1, 1, config["dim"]):
        return f"cls_token must be a tensor of shape (1, 1, {config['dim']})"
    return None


def _randomise_embeddings(model, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model.cls_token.copy_(torch.randn(model.cls_token.shape, generator=g))
        model.pos_embedding.copy_(torch.randn(model.pos_embedding.shape, generator=g))


def probe_vit_forward(module, config: dict, images: torch.Tensor, init_seed: int) -> dict:
    """The student's ViT (eval mode; cls_token and pos_embedding set to random values here) on ``images``, and
    the task's composition of its own submodules, with the variants of known mistakes."""
    torch.manual_seed(init_seed)
    model = module.ViT(**config)
    model.eval()
    problem = _vit_problem(model, config)
    if problem:
        return {"problem": problem}
    _randomise_embeddings(model, init_seed + 1)
    with torch.no_grad():
        logits = model(images)
        tokens = model.patch_embed(images)
        seq = torch.cat([model.cls_token.expand(images.shape[0], -1, -1), tokens], dim=1)

        def run(z):
            for layer in model.layers:
                z = layer(z)
            return z

        z = run(seq + model.pos_embedding)
        z_nopos = run(seq)
        expected = model.head(model.norm(z)[:, 0])
        variants = {"pos_embedding_missing": model.head(model.norm(z_nopos)[:, 0]),
                    "mean_pooling": model.head(model.norm(z).mean(dim=1)),
                    "mean_pooling|patches": model.head(model.norm(z)[:, 1:].mean(dim=1)),
                    "mean_pooling|before_norm": model.head(model.norm(z.mean(dim=1))),
                    "no_final_norm": model.head(z[:, 0])}
    return {"logits": logits, "expected": expected, "variants": variants}


probe_vit_forward.describes = "ViT.forward"


def probe_vit_class_token(module, config: dict, images: torch.Tensor, init_seed: int) -> dict:
    """The student's ViT (eval mode) on ``images``: plainly, with the last layer's output changed at every
    position but 0 (a forward hook), with it changed at position 0 only, and with another cls_token."""
    torch.manual_seed(init_seed)
    model = module.ViT(**config)
    model.eval()
    problem = _vit_problem(model, config)
    if problem:
        return {"problem": problem}
    _randomise_embeddings(model, init_seed + 1)
    g = torch.Generator().manual_seed(init_seed + 2)
    seen = {}

    def change(positions):
        def hook(mod, args, output):
            if not isinstance(output, torch.Tensor) or output.dim() != 3:
                return None
            new = output.clone()
            new[:, positions] = new[:, positions] + 2.0 * torch.randn(new[:, positions].shape, generator=g)
            seen["z"] = new
            return new
        return hook

    last = list(model.layers)[-1]
    with torch.no_grad():
        plain = model(images)
        handle = last.register_forward_hook(change(slice(1, None)))
        try:
            others = model(images)
        finally:
            handle.remove()
        mean_variant = model.head(model.norm(seen["z"]).mean(dim=1)) if "z" in seen else None
        handle = last.register_forward_hook(change(slice(0, 1)))
        try:
            first = model(images)
        finally:
            handle.remove()
        model.cls_token.add_(torch.randn(model.cls_token.shape, generator=g))
        new_cls = model(images)
    return {"plain": plain, "others": others, "first": first, "new_cls": new_cls, "mean_variant": mean_variant,
            "hooked": "z" in seen}


probe_vit_class_token.describes = "ViT.forward"


def check_logits(got, expected, variants: dict, what: str) -> None:
    g = _as64(got)
    if g is None:
        raise Mismatch(f"{what}\n  the ViT did not return a tensor: {got!r}"[:1500])
    e = expected.double()
    vs = {k: v.double() for k, v in variants.items()}
    # float32 arithmetic on both sides, same operations: the tolerance covers summation order only
    rtol, atol = 1e-4, 1e-5 * max(1.0, float(e.abs().max()))
    hint = None
    if not _close(g, e, rtol, atol):
        found = [k.split("|")[0] for k, v in vs.items() if not _close(v, e, rtol, atol) and _close(g, v, rtol, atol)]
        hint = found[0] if len(set(found)) == 1 else None
    assert_close(g, e, f"{what}\n  the logits, compared with head(norm(z)[:, 0]) recomputed from your own "
                 "patch_embed, cls_token, pos_embedding, layers, norm and head:", rtol=rtol, atol=atol, hint=hint,
                 hints=HINTS)


# ============================================================================= training: the grader's models
class ProbeNet(nn.Module):
    """A small classifier for the 8x8 digits with dropout (so that train and eval mode differ)."""

    def __init__(self, hidden: int = 32, p: float = 0.5):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Dropout(p), nn.Linear(hidden, 10))

    def forward(self, x):
        return self.net(x)


def warm_up_optimizers() -> bool:
    """Builds an optimiser once: the first one imports torch._dynamo (seconds on a busy machine), which is not
    the student's time."""
    torch.optim.Adam(nn.Linear(1, 1).parameters())
    return True


def probe_evaluate(module, x, y, batch_size: int, init_seed: int) -> dict:
    """evaluate(model, x, y, batch_size) on a ProbeNet handed over in train mode, every forward recorded (mode,
    gradients, batch size); then the expected values, computed here in eval mode without gradients."""
    torch.manual_seed(init_seed)
    model = ProbeNet()
    model.train()
    calls = []
    model.register_forward_pre_hook(lambda m, args: calls.append(
        {"training": m.training, "grad": torch.is_grad_enabled(), "n": int(args[0].shape[0])}))
    reported = module.evaluate(model, x, y, batch_size=batch_size)
    left_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model.net(x)
        loss = float(F.cross_entropy(logits, y))
        correct = int((logits.argmax(1) == y).sum())
        batch_means = [float(F.cross_entropy(model.net(x[i:i + batch_size]), y[i:i + batch_size]))
                       for i in range(0, len(y), batch_size)]
    if isinstance(reported, tuple):
        reported = list(reported)
    if isinstance(reported, list):
        reported = [r.detach().clone() if isinstance(r, torch.Tensor) else r for r in reported]
    return {"reported": reported, "calls": calls, "left_training": left_training, "loss": loss, "correct": correct,
            "n": len(y), "batch_mean_loss": float(np.mean(batch_means))}


probe_evaluate.describes = "evaluate"


def probe_train(module, x_tr, y_tr, x_va, y_va, epochs: int, batch_size: int, lr: float, seed: int,
                init_seed: int) -> dict:
    """train_vit on a ProbeNet (handed over in eval mode) with everything instrumented (and restored after):
    the DataLoaders built and iterated, every zero_grad / backward / step in order, every forward (mode,
    gradients, training or validation rows), every nn.CrossEntropyLoss call (its input against the softmax of
    the model's last output, its value and batch size); then the final model's loss and accuracy on the
    validation rows, computed here."""
    from torch.optim.optimizer import Optimizer, register_optimizer_step_pre_hook
    from torch.utils import data as tud

    torch.manual_seed(init_seed)
    model = ProbeNet()
    model.eval()
    before = [p.detach().clone() for p in model.parameters()]
    val_rows = {r.numpy().tobytes() for r in x_va}
    events: list = []
    loaders: list = []
    losses: list = []
    last_output: dict = {}
    originals = (tud.DataLoader.__init__, tud.DataLoader.__iter__, Optimizer.zero_grad, nn.Module.zero_grad,
                 nn.CrossEntropyLoss.forward)

    def loader_init(self, *args, **kwargs):
        originals[0](self, *args, **kwargs)
        gen = getattr(self, "generator", None)
        try:
            length = len(self.dataset)
        except Exception:
            length = None
        loaders.append({"batch_size": self.batch_size, "shuffle": isinstance(self.sampler, tud.RandomSampler),
                        "generator_seed": int(gen.initial_seed()) if gen is not None else None,
                        "length": length, "iterated": 0})
        self._grader_index = len(loaders) - 1

    def loader_iter(self):
        index = getattr(self, "_grader_index", None)
        if index is not None:
            loaders[index]["iterated"] += 1
        return originals[1](self)

    def opt_zero_grad(self, *args, **kwargs):
        events.append("zero_grad")
        return originals[2](self, *args, **kwargs)

    def module_zero_grad(self, *args, **kwargs):
        if self is model:
            events.append("zero_grad")
        return originals[3](self, *args, **kwargs)

    def ce_forward(self, input, target):
        out = originals[4](self, input, target)
        prev = last_output.get("out")
        softmaxed = False
        if isinstance(prev, torch.Tensor) and isinstance(input, torch.Tensor) and prev.shape == input.shape:
            with torch.no_grad():
                sm = torch.softmax(prev.detach().double(), dim=1)
                softmaxed = bool(torch.allclose(input.detach().double(), sm, rtol=1e-5, atol=1e-7)
                                 and not torch.allclose(prev.detach().double(), sm, rtol=1e-5, atol=1e-7))
        if torch.is_grad_enabled() and not last_output.get("is_val"):     # the training mini-batches only
            losses.append({"value": float(out.detach()) if out.numel() == 1 else float("nan"),
                           "n": int(target.shape[0]), "softmaxed": softmaxed,
                           "reduction": getattr(self, "reduction", "mean")})
        return out

    def step_hook(optimizer, args, kwargs):
        events.append(("step", type(optimizer).__name__, float(optimizer.param_groups[0].get("lr", float("nan")))))

    def forward_pre(m, args):
        x = args[0]
        is_val = bool(len(x) and x[0].detach().numpy().tobytes() in val_rows)
        events.append(("forward", m.training, torch.is_grad_enabled(), is_val, int(x.shape[0])))
        last_output["is_val"] = is_val

    def forward_post(m, args, output):
        last_output["out"] = output

    def grad_hook(grad):
        if not events or events[-1] != "backward":
            events.append("backward")
        return grad

    tud.DataLoader.__init__ = loader_init
    tud.DataLoader.__iter__ = loader_iter
    Optimizer.zero_grad = opt_zero_grad
    nn.Module.zero_grad = module_zero_grad
    nn.CrossEntropyLoss.forward = ce_forward
    handles = [register_optimizer_step_pre_hook(step_hook), model.register_forward_pre_hook(forward_pre),
               model.register_forward_hook(forward_post), model.net[1].weight.register_hook(grad_hook)]
    try:
        history = module.train_vit(model, x_tr, y_tr, x_va, y_va, epochs=epochs, batch_size=batch_size, lr=lr,
                                   seed=seed)
    finally:
        for h in handles:
            h.remove()
        (tud.DataLoader.__init__, tud.DataLoader.__iter__, Optimizer.zero_grad, nn.Module.zero_grad,
         nn.CrossEntropyLoss.forward) = originals
    changed = any(not torch.equal(b, p.detach()) for b, p in zip(before, model.parameters()))
    model.eval()
    with torch.no_grad():
        logits = model.net(x_va)
        final_loss = float(F.cross_entropy(logits, y_va))
        final_accuracy = float((logits.argmax(1) == y_va).double().mean())
    if isinstance(history, dict):
        history = {str(k): [float(v) if isinstance(v, (int, float, torch.Tensor, np.floating)) else repr(v)
                            for v in vals] if isinstance(vals, (list, tuple)) else repr(vals)
                   for k, vals in history.items()}
    else:
        history = repr(history)
    return {"history": history, "events": [list(e) if isinstance(e, tuple) else e for e in events],
            "loaders": loaders, "losses": losses, "changed": changed, "final_loss": final_loss,
            "final_accuracy": final_accuracy}


probe_train.describes = "train_vit"


def probe_end_to_end(module, config: dict, init_seed: int, data: tuple, split_seed: int, epochs: int,
                     batch_size: int, lr: float, seed: int) -> dict:
    """The student's ViT(**config) (initialised under ``init_seed``) trained with the student's train_vit on
    ``data`` = digits_split(split_seed) (loaded by the grader, passed in); then its accuracy on the held-out
    digits, computed here (eval mode, no_grad)."""
    x_tr, y_tr, x_te, y_te = data
    torch.manual_seed(init_seed)
    model = module.ViT(**config)
    history = module.train_vit(model, x_tr, y_tr, x_te, y_te, epochs=epochs, batch_size=batch_size, lr=lr,
                               seed=seed)
    model.eval()
    with torch.no_grad():
        correct = int((model(x_te).argmax(1) == y_te).sum())
    accuracy = correct / len(y_te)
    reported = None
    if isinstance(history, dict) and isinstance(history.get("val_accuracy"), (list, tuple)) and \
            history["val_accuracy"]:
        last = history["val_accuracy"][-1]
        reported = float(last) if isinstance(last, (int, float, torch.Tensor, np.floating)) else None
    return {"accuracy": accuracy, "reported": reported, "n_test": len(y_te)}


probe_end_to_end.describes = "train_vit"


def probe_plot(module, history: dict) -> dict:
    """plot_history into a fresh temporary folder; the file's bytes and the y data of every line drawn
    (Figure.savefig is wrapped during the call, then restored)."""
    import os
    import shutil
    import tempfile

    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    folder = tempfile.mkdtemp(prefix="vit_plot_")
    original = Figure.savefig
    drawn: list = []

    def savefig(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        lines = []
        for ax in self.get_axes():
            for artist in ax.get_children():
                if isinstance(artist, Line2D):
                    try:
                        lines.append(np.asarray(artist.get_ydata(), dtype=np.float64).ravel())
                    except Exception:
                        continue
        drawn.append(lines)
        return result

    Figure.savefig = savefig
    try:
        path = os.path.join(folder, "vit_history.png")
        module.plot_history(history, path)
        data = None
        if os.path.isfile(path):
            with open(path, "rb") as fh:
                data = np.frombuffer(fh.read(), dtype=np.uint8).copy()
        return {"data": data, "lines": drawn[-1] if drawn else None}
    finally:
        Figure.savefig = original
        shutil.rmtree(folder, ignore_errors=True)


probe_plot.describes = "plot_history"


def check_png(data, what: str):
    """The PNG written: opens, 64 to 4096 pixels a side, not one flat colour (checks.png_pixels)."""
    return png_pixels(data, what, HINTS['plot'], min_side=64, max_side=4096)


# ============================================================================= training: checks
def check_end_to_end(out: dict, threshold: float, what: str) -> float:
    accuracy = out["accuracy"]
    seam.note(f"{what}: held-out accuracy {accuracy:.4f} on {out['n_test']} digits (at least {threshold} needed)")
    if not accuracy >= threshold:   # nan-safe: NaN fails
        raise Mismatch(f"{what}\n  the trained ViT classifies {accuracy:.4f} of the {out['n_test']} held-out digits "
                       f"correctly; at least {threshold} is needed (chance is 0.1)")
    reported = out["reported"]
    if reported is None or exceeds(abs(reported - accuracy), 0.5 / out["n_test"]):
        raise Mismatch(f"{what}\n  the last val_accuracy of the history ({reported!r}) is not the trained model's "
                       f"accuracy on the validation digits ({accuracy:.4f})")
    return accuracy
