"""Shared by the public and hidden sentiment tests: hints, data, grader models, probes and checks.

The data are the generated IMDB-layout reviews of ``autograder.datasets.reviews``, encoded here with
the grader's copy of the exercise's given ``tokenize`` / ``build_vocab`` / ``encode`` and passed to
the student's code as tensors. The expected outputs of the classifiers come from the grader's own
models built from torch built-ins (``nn.RNN``, ``nn.LSTM``, ``nn.TransformerEncoderLayer``) with the
same parameter names, loaded with the same seeded weights. The training loop is checked on a probe
model built here, inside the worker, that records how it is called (train/eval mode, gradients
enabled, the batches it sees), with the optimiser's steps, zero_grad calls, backward passes and the
inputs of the cross-entropy recorded as they happen.
"""
from __future__ import annotations

import math
import re

import numpy as np
import torch
from hypothesis import strategies as st
from torch import nn

from autograder.checks import Mismatch, TOLERANCES, assert_close, exceeds, png_pixels

EXERCISE = "sentiment"
RTOL32, ATOL32 = TOLERANCES["float32"]
PAD, UNK = 0, 1

HINTS = {
    "first_step": "the scores come from the RNN's output at step 0 (the first word), not at the review's last "
                  "real word: take outputs[b, lengths[b] - 1] for every review b.",
    "last_padded_step": "the scores come from the last column of the padded batch (outputs[:, -1], or the final "
                        "hidden state h_n of an unpacked sequence), which for every review shorter than the longest "
                        "is a padding step: take outputs[b, lengths[b] - 1] (or pack the batch with "
                        "pack_padded_sequence).",
    "cell_state": "the LSTM's scores come from its cell state c_t; classify its hidden state h_t (the outputs).",
    "pool_unmasked": "the mean is taken over all T positions, padding included: sum the encoder's outputs over "
                     "the real positions only and divide by lengths[b].",
    "attention_unmasked": "the padding positions are not masked in the attention: pass src_key_padding_mask "
                          "(True where t >= lengths[b]) to the encoder layer.",
    "no_positions": "the position embedding is not added: add self.position(torch.arange(T)) to the word "
                    "embeddings before the encoder.",
    "count_frozen": "count_parameters counts frozen parameters (requires_grad False) too: count only the "
                    "trainable ones.",
    "one_bias": "the recurrent layer is counted with one bias vector per gate; torch's nn.RNN / nn.LSTM have two "
                "(bias_ih and bias_hh).",
    "lstm_one_gate": "the LSTM is counted like the RNN: it has four gates (input, forget, cell, output), each with "
                     "its own weight_ih, weight_hh and biases, so 4 times the recurrent layer's parameters.",
    "step_before_backward": "optimizer.step() is called before loss.backward() in a mini-batch: each step then "
                            "uses the gradients of the previous batch (or none). Call zero_grad(), backward(), step() "
                            "in this order.",
    "zero_grad_missing": "optimizer.zero_grad() (or model.zero_grad()) is never called: the gradients of all "
                         "earlier batches accumulate into every step. Call it at the start of every mini-batch.",
    "train_mode": "the model is not in train mode while it trains (dropout stays off): call model.train() at the "
                  "start of every epoch (the model may come in eval mode, e.g. after accuracy()).",
    "softmax_before_loss": "the scores given to the cross-entropy are probabilities (each row sums to 1): "
                           "nn.CrossEntropyLoss applies log-softmax itself, so give it the raw scores.",
    "seed_ignored": "the order of the mini-batches does not follow seed: with the same seed it changed with "
                    "torch's global random state. Give the DataLoader generator=torch.Generator().manual_seed(seed), "
                    "built once before the first epoch.",
    "eval_mode": "the model is in train mode during evaluation (dropout still on): call model.eval() first.",
    "grad_enabled": "the evaluation runs with gradients enabled: wrap it in torch.no_grad().",
    "class_zero": "this is the probability of class 0 (negative); return softmax(scores, dim=1)[0, 1], the "
                  "probability of class 1 (positive).",
    "plot": "save the figure to the path given (fig.savefig(path) on a matplotlib Figure with the Agg backend) "
            "with the loss and the accuracy curves drawn.",
    "curve_hidden": "a curve is drawn but cannot be seen in the PNG: keep each curve inside its axes' limits (let "
                    "matplotlib choose them, or set them to hold the values) and do not let another axes cover it "
                    "(two panels side by side, fig.add_subplot(1, 2, 1) and (1, 2, 2), or one panel with "
                    "ax.twinx()).",
    "csv_split": "the CSV was not read with the csv module: reviews hold commas, quotes and line breaks inside "
                 "quoted fields (csv.DictReader or csv.reader handles them).",
}

# ============================================================================= the grader's copy of the given code
STOP_WORDS = frozenset("a an the and or but is it this to of in on for was be as at by with i his her from so too "
                       "even one".split())


def tokenize(text: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", text).lower()
    text = re.sub(r"[^a-z]+", " ", text)
    return [w for w in text.split() if w not in STOP_WORDS]


def build_vocab(texts) -> dict[str, int]:
    words = sorted({w for text in texts for w in tokenize(text)})
    return {w: i + 2 for i, w in enumerate(words)}


def encode(texts, vocab, max_len=None):
    seqs = [[vocab.get(w, UNK) for w in tokenize(t)][:max_len] or [UNK] for t in texts]
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    ids = torch.full((len(seqs), int(lengths.max()) if seqs else 0), PAD, dtype=torch.int64)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.int64)
    return ids, lengths


def corpus(n: int, lo: int, hi: int, seed: int, vocab=None):
    """(ids, lengths, labels, vocab) of ``reviews(n, lo, hi, seed)``; the vocabulary is built on these reviews
    unless one is given."""
    from autograder.datasets import reviews

    rows = reviews(n, lo, hi, seed)
    texts = [r for r, _ in rows]
    if vocab is None:
        vocab = build_vocab(texts)
    ids, lengths = encode(texts, vocab)
    labels = torch.tensor([int(s == "positive") for _, s in rows], dtype=torch.int64)
    return ids, lengths, labels, vocab


# ============================================================================= the grader's models
class GraderRecurrent(nn.Module):
    """RNNClassifier / LSTMClassifier's layout: embedding, rnn or lstm, fc."""

    def __init__(self, kind: str, vocab_size: int, embed_dim: int, hidden_size: int):
        super().__init__()
        self.kind = kind
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD)
        layer = (nn.RNN if kind == "rnn" else nn.LSTM)(embed_dim, hidden_size, batch_first=True)
        setattr(self, kind, layer)
        self.fc = nn.Linear(hidden_size, 2)

    def steps(self, ids):
        out = getattr(self, self.kind)(self.embedding(ids))
        return out[0], out[1]

    def forward(self, ids, lengths):
        outputs, _ = self.steps(ids)
        return self.fc(outputs[torch.arange(len(ids)), lengths - 1])

    def variants(self, ids, lengths) -> dict[str, torch.Tensor]:
        outputs, state = self.steps(ids)
        out = {"first_step": self.fc(outputs[:, 0]), "last_padded_step": self.fc(outputs[:, -1])}
        if self.kind == "lstm":
            # the cell state at the last real step: run each review alone up to its length
            cells = []
            for b in range(len(ids)):
                _, (_, c) = self.lstm(self.embedding(ids[b:b + 1, : int(lengths[b])]))
                cells.append(c[0, 0])
            out["cell_state"] = self.fc(torch.stack(cells))
        return out


class GraderTransformer(nn.Module):
    """TransformerClassifier's layout: embedding, position, encoder, fc."""

    def __init__(self, vocab_size, embed_dim, num_heads, ff_dim, max_len=512, dropout=0.1):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD)
        self.position = nn.Embedding(max_len, embed_dim)
        self.encoder = nn.TransformerEncoderLayer(embed_dim, num_heads, ff_dim, dropout, batch_first=True)
        self.fc = nn.Linear(embed_dim, 2)

    def run(self, ids, lengths, positions=True, mask_attention=True, mask_pool=True):
        T = ids.shape[1]
        padding = torch.arange(T)[None, :] >= lengths[:, None]
        h = self.embedding(ids) + (self.position(torch.arange(T))[None] if positions else 0.0)
        h = self.encoder(h, src_key_padding_mask=padding if mask_attention else None)
        if mask_pool:
            pooled = h.masked_fill(padding[..., None], 0.0).sum(1) / lengths[:, None].to(h.dtype)
        else:
            pooled = h.mean(1)
        return self.fc(pooled)

    def forward(self, ids, lengths):
        return self.run(ids, lengths)

    def variants(self, ids, lengths):
        return {"pool_unmasked": self.run(ids, lengths, mask_pool=False),
                "pool_unmasked|both": self.run(ids, lengths, mask_attention=False, mask_pool=False),
                "attention_unmasked": self.run(ids, lengths, mask_attention=False),
                "no_positions": self.run(ids, lengths, positions=False)}


def grader_model(kind: str, sizes: dict) -> nn.Module:
    if kind == "transformer":
        return GraderTransformer(sizes["vocab"], sizes["embed"], sizes["heads"], sizes["ff"], sizes["max_len"])
    return GraderRecurrent(kind, sizes["vocab"], sizes["embed"], sizes["hidden"])


def model_state(kind: str, sizes: dict, seed: int) -> dict[str, torch.Tensor]:
    """Seeded weights for the model: torch's default initialisation under ``seed``, biases made non-zero."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = grader_model(kind, sizes)
        state = {}
        for name, value in model.state_dict().items():
            value = value.detach().clone()
            if name.endswith("bias") or "bias_" in name:
                value = value + 0.1 * torch.randn(value.shape)
            state[name] = value
    return state


def build_grader(kind: str, sizes: dict, seed: int) -> nn.Module:
    model = grader_model(kind, sizes)
    model.load_state_dict(model_state(kind, sizes, seed))
    return model.eval()


def student_model(module, kind: str, sizes: dict) -> nn.Module:
    if kind == "rnn":
        return module.RNNClassifier(sizes["vocab"], sizes["embed"], sizes["hidden"])
    if kind == "lstm":
        return module.LSTMClassifier(sizes["vocab"], sizes["embed"], sizes["hidden"])
    return module.TransformerClassifier(sizes["vocab"], sizes["embed"], sizes["heads"], sizes["ff"], sizes["max_len"])


CLASS = {"rnn": "RNNClassifier", "lstm": "LSTMClassifier", "transformer": "TransformerClassifier"}


def describe(kind: str, sizes: dict) -> str:
    if kind == "transformer":
        return (f"TransformerClassifier(vocab_size={sizes['vocab']}, embed_dim={sizes['embed']}, "
                f"num_heads={sizes['heads']}, ff_dim={sizes['ff']}, max_len={sizes['max_len']})")
    return f"{CLASS[kind]}(vocab_size={sizes['vocab']}, embed_dim={sizes['embed']}, hidden_size={sizes['hidden']})"


@st.composite
def forward_cases(draw, kind: str, max_batch: int = 5, max_t: int = 12):
    """(sizes, weights seed, ids, lengths): a padded batch with lengths from 1 to T, the longest one T."""
    if kind == "transformer":
        heads = draw(st.sampled_from([1, 2, 4]), label="heads")
        sizes = dict(vocab=draw(st.integers(3, 40), label="vocab"), embed=heads * draw(st.integers(1, 4), label="d"),
                     heads=heads, ff=draw(st.integers(2, 24), label="ff"), max_len=draw(st.integers(max_t, 40)))
    else:
        sizes = dict(vocab=draw(st.integers(3, 40), label="vocab"), embed=draw(st.integers(1, 8), label="embed"),
                     hidden=draw(st.integers(1, 12), label="hidden"))
    B = draw(st.integers(2, max_batch), label="B")
    T = draw(st.integers(2, max_t), label="T")
    lengths = draw(st.lists(st.integers(1, T), min_size=B, max_size=B), label="lengths")
    lengths[draw(st.integers(0, B - 1))] = T
    if all(n == T for n in lengths):
        lengths[0] = 1
    seed = draw(st.integers(0, 2**16), label="seed")
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(2, sizes["vocab"], (B, T), generator=g)
    lengths = torch.tensor(lengths, dtype=torch.int64)
    ids[torch.arange(T)[None, :] >= lengths[:, None]] = PAD
    return sizes, seed, ids, lengths


# ============================================================================= probes
def probe_forward(module, kind: str, sizes: dict, seed: int, ids, lengths) -> dict:
    """The student's classifier with the grader's weights loaded by name, in eval mode, on (ids, lengths)."""
    model = student_model(module, kind, sizes)
    state = model_state(kind, sizes, seed)
    names = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    expected = {k: tuple(v.shape) for k, v in state.items()}
    if names != expected:
        missing = sorted(set(expected) - set(names))
        extra = sorted(set(names) - set(expected))
        return {"problem": f"{describe(kind, sizes)} does not have the given parameters (keep __init__ as given): "
                           f"missing {missing[:4]}, unexpected {extra[:4]}, or shapes differ"}
    model.load_state_dict(state)
    model.eval()
    with torch.no_grad():
        out = model(ids.clone(), lengths.clone())
    return {"out": out.detach().clone() if isinstance(out, torch.Tensor) else out}


probe_forward.describes = "forward"


def probe_count(module, frozen: list[str], sizes: dict) -> dict:
    """count_parameters on a grader-built LSTM classifier with some parameters frozen."""
    model = GraderRecurrent("lstm", sizes["vocab"], sizes["embed"], sizes["hidden"])
    for name, p in model.named_parameters():
        if name in frozen:
            p.requires_grad_(False)
    return {"count": module.count_parameters(model)}


probe_count.describes = "count_parameters"


def torch_count(kind: str, vocab: int, embed: int, hidden: int) -> int:
    """The parameter count of the grader's copy of the classifier, built with torch on the meta device
    (shapes only: an IMDB-sized embedding would otherwise take ~120 MB of the grading run's memory)."""
    with torch.device("meta"):
        model = GraderRecurrent(kind, vocab, embed, hidden)
    return sum(p.numel() for p in model.parameters())


def count_variants(kind: str, V: int, E: int, H: int) -> dict[str, int]:
    """What the known wrong formulas give (derived from torch-built modules, not from a formula)."""
    emb, fc = V * E, 2 * H + 2
    with torch.device("meta"):
        one = nn.RNN(E, H)
    per_gate = sum(p.numel() for p in one.parameters())
    gates = 4 if kind == "lstm" else 1
    out = {"one_bias": emb + fc + gates * (per_gate - H)}
    if kind == "lstm":
        out["lstm_one_gate"] = emb + fc + per_gate
    return out


class ProbeModel(nn.Module):
    """The grader's probe for the training loop: embedding -> dropout -> mean over the real words -> linear.
    Records, per forward call, the mode, whether gradients are enabled and the first id of every review (to
    follow the batches' order)."""

    def __init__(self, vocab: int = 12, dim: int = 6, p: float = 0.3):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.drop = nn.Dropout(p)
        self.fc = nn.Linear(dim, 2)
        self.calls: list[dict] = []

    def forward(self, ids, lengths):
        self.calls.append({"training": self.training, "grad": torch.is_grad_enabled(),
                           "rows": ids[:, :3].tolist(), "n": len(ids)})
        h = self.drop(self.embedding(ids))
        mask = (torch.arange(ids.shape[1])[None, :] < lengths[:, None]).to(h.dtype)
        return self.fc((h * mask[..., None]).sum(1) / lengths[:, None].to(h.dtype))


def probe_data(n: int, seed: int, T: int = 6, vocab: int = 12):
    """A learnable toy set: id 2 in a review means positive, id 3 negative; the other ids are noise. Each
    review starts with its index in base 10 spread over ids 2..11 in positions 1-2, so that batches can be
    followed (positions 0..2 of the rows are recorded)."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 2
    ids = torch.randint(4, vocab, (n, T), generator=g)
    ids[:, 0] = torch.where(labels == 1, 2, 3)
    ids[:, 1] = 2 + (torch.arange(n) // 10) % 10
    ids[:, 2] = 2 + torch.arange(n) % 10
    lengths = torch.randint(3, T + 1, (n,), generator=g)
    ids[torch.arange(T)[None, :] >= lengths[:, None]] = PAD
    return ids, lengths, labels


def probe_train(module, n: int, data_seed: int, init_seed: int, global_seed: int, epochs: int, lr: float,
                batch_size: int, seed: int) -> dict:
    """train_sentiment on a fresh ProbeModel (in eval mode on entry, as after accuracy()) with the optimiser's
    zero_grad / step, the backward pass and the cross-entropy's inputs recorded in order."""
    import torch.nn.functional as F
    from torch.optim.optimizer import Optimizer, register_optimizer_step_pre_hook

    ids, lengths, labels = probe_data(n, data_seed)
    torch.manual_seed(init_seed)
    model = ProbeModel()
    model.eval()
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    events: list[str] = []
    losses: list[dict] = []
    originals = (Optimizer.zero_grad, nn.Module.zero_grad, F.cross_entropy)

    def opt_zero_grad(self, *args, **kwargs):
        events.append("zero_grad")
        return originals[0](self, *args, **kwargs)

    def module_zero_grad(self, *args, **kwargs):
        events.append("zero_grad")
        return originals[1](self, *args, **kwargs)

    def cross_entropy(input, target, *args, **kwargs):
        loss = originals[2](input, target, *args, **kwargs)
        with torch.no_grad():
            x = input.detach().double()
            probs = bool(x.numel() and (x >= 0).all() and (x <= 1).all()
                         and torch.allclose(x.sum(-1), torch.ones(x.shape[:-1], dtype=torch.float64), atol=1e-5))
            mean = originals[2](input.detach(), target)   # the batch's mean loss, whatever the reduction asked
            losses.append({"loss": float(mean), "n": int(x.shape[0]), "probabilities": probs,
                           "correct": int((x.argmax(-1) == (target if target.dtype == torch.int64
                                                            else target.argmax(-1))).sum())})
        return loss

    def step_hook(optimizer, args, kwargs):
        events.append("step")

    def backward_hook(param):
        events.append("backward")

    Optimizer.zero_grad, nn.Module.zero_grad, F.cross_entropy = opt_zero_grad, module_zero_grad, cross_entropy
    handles = [register_optimizer_step_pre_hook(step_hook),
               model.fc.bias.register_post_accumulate_grad_hook(backward_hook)]
    torch.manual_seed(global_seed)
    try:
        history = module.train_sentiment(model, ids, lengths, labels, epochs=epochs, lr=lr, batch_size=batch_size,
                                         seed=seed)
    finally:
        for h in handles:
            h.remove()
        Optimizer.zero_grad, nn.Module.zero_grad, F.cross_entropy = originals
    after = {k: v.detach().clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        model.eval()
        model.calls, calls = [], model.calls
        final = F.cross_entropy(model(ids, lengths), labels).item()
        initial_model = ProbeModel()
        initial_model.load_state_dict(before)
        initial_model.eval()
        initial = F.cross_entropy(initial_model(ids, lengths), labels).item()
    if isinstance(history, dict):
        history = {k: [float(x) for x in v] if isinstance(v, (list, tuple)) else repr(v)[:200]
                   for k, v in history.items()}
    else:
        history = repr(history)[:300]
    return {"history": history, "events": events, "losses": losses, "calls": calls, "changed":
            any(not torch.equal(before[k], after[k]) for k in before), "initial": initial, "final": final}


probe_train.describes = "train_sentiment"


def warm_up_optimizers() -> bool:
    """Builds an optimiser once: the first one imports torch._dynamo (seconds on a busy machine), which is not
    the student's time."""
    torch.optim.Adam(nn.Linear(1, 1).parameters())
    return True


def probe_accuracy(module, n: int, data_seed: int, init_seed: int, batch_size: int) -> dict:
    """accuracy() on a ProbeModel with dropout, in train mode on entry: the value, and how the model was run."""
    ids, lengths, labels = probe_data(n, data_seed)
    torch.manual_seed(init_seed)
    model = ProbeModel(p=0.5)
    with torch.no_grad():
        model.fc.weight.mul_(4.0)
    model.train()
    value = module.accuracy(model, ids, lengths, labels, batch_size=batch_size)
    calls = model.calls
    model.calls = []
    model.eval()
    with torch.no_grad():
        expected = float((model(ids, lengths).argmax(1) == labels).double().mean())
    if isinstance(value, torch.Tensor):
        value = value.detach().clone()
    return {"value": value, "expected": expected, "calls": [{k: c[k] for k in ("training", "grad", "n")}
                                                             for c in calls], "left_training": model.training}


probe_accuracy.describes = "accuracy"


def probe_predict(module, kind: str, sizes: dict, seed: int, texts: list[str], vocab: dict, train_mode: bool):
    """predict_review on a grader-built model (in train mode on entry when asked), per text, with the mode and
    gradient flags of the forward calls recorded."""
    model = build_grader(kind, sizes, seed)
    flags = []
    model.register_forward_pre_hook(lambda m, args: flags.append((m.training, torch.is_grad_enabled())))
    out = []
    for text in texts:
        model.train(train_mode)
        value = module.predict_review(model, text, vocab)
        out.append(value.detach().clone() if isinstance(value, torch.Tensor) else value)
    return {"values": out, "flags": flags}


probe_predict.describes = "predict_review"


def probe_plot(module, history: dict, title: str) -> dict:
    """plot_history into a fresh temporary folder: the file's bytes and the y data of the lines drawn."""
    import os
    import shutil
    import tempfile

    from matplotlib.figure import Figure

    folder = tempfile.mkdtemp(prefix="sentiment_plot_")
    original = Figure.savefig
    lines = []

    axes = []

    def savefig(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        axes.clear()
        lines.clear()
        # in the order the figure draws them (by zorder, then in the order they were added)
        order = sorted(enumerate(self.get_axes()), key=lambda item: (item[1].get_zorder(), item[0]))
        for _, ax in order:
            patch = ax.patch
            face = patch.get_facecolor()
            opaque = bool(patch.get_visible() and (patch.get_alpha() if patch.get_alpha() is not None
                                                   else face[3]) > 0)
            curves = []
            for line in ax.get_lines():
                y = np.asarray(line.get_ydata(), dtype=np.float64)
                lines.append(y)
                curves.append({"x": np.asarray(line.get_xdata(), dtype=np.float64), "y": y,
                               "visible": bool(line.get_visible())})
            axes.append({"bounds": tuple(float(v) for v in ax.get_position().bounds), "opaque": opaque,
                         "xlim": tuple(float(v) for v in ax.get_xlim()),
                         "ylim": tuple(float(v) for v in ax.get_ylim()), "lines": curves})
        return result

    Figure.savefig = savefig
    try:
        path = os.path.join(folder, "curves.png")
        module.plot_history(history, path, title)
        data = None
        if os.path.isfile(path):
            with open(path, "rb") as fh:
                data = np.frombuffer(fh.read(), dtype=np.uint8).copy()
        return {"data": data, "lines": lines, "axes": axes}
    finally:
        Figure.savefig = original
        shutil.rmtree(folder, ignore_errors=True)


probe_plot.describes = "plot_history"


def probe_csv(module, rows: list[tuple[str, str]], swap_columns: bool) -> dict:
    """read_imdb_csv on a CSV written here (the IMDB layout; with the columns swapped when asked)."""
    import csv
    import os
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="sentiment_csv_")
    try:
        path = os.path.join(folder, "IMDB Dataset.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            if swap_columns:
                writer.writerow(["sentiment", "review"])
                writer.writerows([(s, r) for r, s in rows])
            else:
                writer.writerow(["review", "sentiment"])
                writer.writerows(rows)
        texts, labels = module.read_imdb_csv(path)
        return {"texts": list(texts) if isinstance(texts, (list, tuple)) else repr(texts)[:300],
                "labels": labels.detach().clone() if isinstance(labels, torch.Tensor) else labels}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


probe_csv.describes = "read_imdb_csv"


def probe_end_to_end(module, kind: str, sizes: dict, init_seed: int, train, test, epochs: int, lr: float,
                     batch_size: int, seed: int) -> dict:
    """The student's classifier (grader's sizes, torch's initialisation under ``init_seed``) trained with the
    student's train_sentiment; the test accuracy is computed here, in eval mode without gradients."""
    torch.manual_seed(init_seed)
    model = student_model(module, kind, sizes)
    history = module.train_sentiment(model, *train, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed)
    ids, lengths, labels = test
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), 25):   # small chunks: attention over 400 words is T^2 per review
            scores = model(ids[start:start + 25], lengths[start:start + 25])
            correct += int((scores.argmax(1) == labels[start:start + 25]).sum())
    return {"accuracy": correct / len(labels), "parameters": sum(p.numel() for p in model.parameters()),
            "history": {k: [float(x) for x in v] for k, v in history.items()} if isinstance(history, dict) else None}


probe_end_to_end.describes = "train_sentiment"


# ============================================================================= checks
def _as64(value):
    try:
        if isinstance(value, torch.Tensor):
            return value.detach().to(torch.float64)
        return torch.as_tensor(np.asarray(value, dtype=np.float64))
    except Exception:
        return None


def _close(a, b, rtol=RTOL32, atol=ATOL32) -> bool:
    return a.shape == b.shape and bool(torch.allclose(a, b, rtol=rtol, atol=atol))


def diagnose(got, expected, variants: dict, rtol=RTOL32, atol=ATOL32) -> str | None:
    """The misconception whose result matches ``got`` where it differs from the right answer, when exactly one
    does (keys "hint|detail" share a hint)."""
    found = set()
    for key, wrong in variants.items():
        wrong = wrong.double()
        if wrong.shape != got.shape or not torch.isfinite(wrong).all():
            continue
        if not _close(wrong, expected, rtol, atol) and _close(got, wrong, rtol, atol):
            found.add(key.split("|")[0])
    return found.pop() if len(found) == 1 else None


def forward_tolerance(expected: torch.Tensor) -> tuple[float, float]:
    """Same float32 operations in another order (packing, another pooling formula): a few ulps of the scores."""
    scale = float(expected.abs().max()) if expected.numel() else 1.0
    return 1e-4, 1e-5 * max(1.0, scale)


def check_forward(out: dict, kind: str, sizes: dict, seed: int, ids, lengths, what: str, reveal=True,
                  expected=None) -> None:
    if "problem" in out:
        raise Mismatch(f"{what}\n  {out['problem']}")
    model = build_grader(kind, sizes, seed)
    with torch.no_grad():
        if expected is None:
            expected = model(ids, lengths)
        variants = model.variants(ids, lengths)
    expected = expected.double()
    got = _as64(out["out"])
    if got is None:
        raise Mismatch(f"{what}\n  forward did not return a tensor: {out['out']!r}"[:1500])
    rtol, atol = forward_tolerance(expected)
    hint = None if _close(got, expected, rtol, atol) else diagnose(got, expected, variants, rtol, atol)
    assert_close(got, expected, f"{what}\n  scores (B, 2), compared with the grader's model built from torch "
                 "built-ins with the same weights:", rtol=rtol, atol=atol, hint=hint, hints=HINTS, reveal=reveal)


def check_png(data, what: str):
    """The PNG written: opens, 64 to 4096 pixels a side, not one flat colour (checks.png_pixels)."""
    return png_pixels(data, what, HINTS['plot'], min_side=64, max_side=4096)


def _same(line, values) -> bool:
    return len(line) == len(values) and all(math.isclose(float(a), b, abs_tol=1e-9) for a, b in zip(line, values))


def _hidden_because(axes: list[dict], k: int, curve: dict) -> str | None:
    """Why the curve ``curve`` of ``axes[k]`` (axes in drawing order) cannot be seen, or None if it can: not
    visible, outside its axes' limits, or under another axes drawn later with an opaque background."""
    if not curve["visible"]:
        return "the line is set invisible"
    ax = axes[k]
    for name, data, lim in (("y", curve["y"], ax["ylim"]), ("x", curve["x"], ax["xlim"])):
        lo, hi = min(lim), max(lim)
        slack = 1e-9 * max(1.0, hi - lo)
        finite = data[np.isfinite(data)]
        if finite.size and not (lo - slack <= finite.min() and finite.max() <= hi + slack):
            return (f"its {name} values run from {finite.min():.4g} to {finite.max():.4g} but the axes show only "
                    f"{name} in [{lo:.4g}, {hi:.4g}]: the curve is cut off")
    x0, y0, w, h = ax["bounds"]
    for later in axes[k + 1:]:
        if not later["opaque"]:
            continue
        a0, b0, aw, bh = later["bounds"]
        overlap = max(0.0, min(x0 + w, a0 + aw) - max(x0, a0)) * max(0.0, min(y0 + h, b0 + bh) - max(y0, b0))
        if overlap > 0.05 * w * h:
            return (f"another axes, drawn after it with an opaque background, covers {overlap / (w * h):.0%} of "
                    "its axes")
    return None


def check_curves_visible(out: dict, history: dict, what: str) -> None:
    """Each curve of ``history`` drawn as a line (its y data) that can be seen: inside its axes' limits and not
    covered by another axes."""
    axes = out.get("axes") or []
    for key, values in history.items():
        found = [(k, c) for k, ax in enumerate(axes) for c in ax["lines"] if _same(c["y"], values)]
        if not found:
            raise Mismatch(f"{what}\n  no line of the figure has the {key} values {values} as its y data\n"
                           f"Hint: {HINTS['plot']}")
        reasons = [_hidden_because(axes, k, c) for k, c in found]
        if all(reasons):
            raise Mismatch(f"{what}\n  the {key} curve is drawn but not visible in the PNG: {reasons[0]}\n"
                           f"Hint: {HINTS['curve_hidden']}")


def batch_orders(calls: list[dict]) -> list[list[list[int]]]:
    """The reviews of each training forward call, identified by their recorded first ids."""
    return [[tuple(r) for r in c["rows"]] for c in calls]


def check_training_loop(out: dict, what: str, epochs: int, batch_size: int, n: int) -> None:
    """Order of zero_grad / backward / step per mini-batch, train mode, raw scores into the loss, the weights
    changed and the loss went down."""
    events, calls = out["events"], out["calls"]
    batches = epochs * -(-n // batch_size)
    updates = events.count("step")
    if updates == 0:
        raise Mismatch(f"{what}\n  optimizer.step() was never called (no optimiser step was recorded; build it "
                       "from torch.optim on model.parameters())")
    if updates != batches:
        raise Mismatch(f"{what}\n  the optimiser took {updates} steps; {epochs} epochs of {batches // epochs} "
                       f"mini-batches of at most {batch_size} reviews make {batches} (one step per mini-batch, "
                       "epochs and batch_size as given)")
    # per step: the events since the previous step
    segments, current = [], []
    for e in events:
        current.append(e)
        if e == "step":
            segments.append(current)
            current = []
    if "backward" not in segments[0] and events.count("backward") >= updates:
        first = " -> ".join(events[:6])
        raise Mismatch(f"{what}\n  recorded order of the first calls: {first} ...: the first optimiser step came "
                       f"before any backward pass\nHint: {HINTS['step_before_backward']}")
    if "zero_grad" not in events:
        raise Mismatch(f"{what}\n  recorded: {events.count('backward')} backward passes and {updates} steps, no "
                       f"zero_grad call\nHint: {HINTS['zero_grad_missing']}")
    for k, seg in enumerate(segments):
        if "backward" not in seg:
            raise Mismatch(f"{what}\n  optimiser step {k + 1} came without a backward pass since the previous step "
                           f"(recorded: {' -> '.join(seg)})")
        if "zero_grad" not in seg or seg.index("zero_grad") > seg.index("backward"):
            raise Mismatch(f"{what}\n  before optimiser step {k + 1} the recorded calls were {' -> '.join(seg)}: "
                           "zero_grad must come before the backward pass of the same mini-batch")
    train_calls = [c for c in calls if c["grad"]]   # passes under no_grad are evaluations, not training
    if train_calls and not all(c["training"] for c in train_calls):
        raise Mismatch(f"{what}\n  {sum(not c['training'] for c in train_calls)} of the {len(train_calls)} forward "
                       "passes with gradients ran in eval mode (the model came in eval mode)\n"
                       f"Hint: {HINTS['train_mode']}")
    if out["losses"] and any(rec["probabilities"] for rec in out["losses"]):
        raise Mismatch(f"{what}\n  the input of the cross-entropy: every row is in [0, 1] and sums to 1\n"
                       f"Hint: {HINTS['softmax_before_loss']}")
    if not out["changed"]:
        raise Mismatch(f"{what}\n  the model's weights did not change (is the optimiser built on "
                       "model.parameters() of the model passed in?)")
    if not (out["final"] < out["initial"] - 0.05):
        raise Mismatch(f"{what}\n  the loss on the training set did not go down: {out['initial']:.4f} before, "
                       f"{out['final']:.4f} after training (on this easy toy set it drops by far more)")


def check_history(out: dict, what: str, epochs: int, n: int) -> None:
    """The returned history: one loss and one accuracy per epoch, equal to the means recorded per epoch."""
    history = out["history"]
    if not isinstance(history, dict) or not {"loss", "accuracy"} <= set(history):
        raise Mismatch(f"{what}\n  expected a dict {{'loss': [...], 'accuracy': [...]}}\n  got: {history!r}"[:1500])
    for key in ("loss", "accuracy"):
        if not isinstance(history[key], list) or len(history[key]) != epochs:
            raise Mismatch(f"{what}\n  history[{key!r}] should hold {epochs} values (one per epoch); got "
                           f"{history[key]!r}"[:1500])
    losses = out["losses"]
    if len(losses) < epochs:
        return   # the loss function was not intercepted: nothing to compare with
    per_epoch = len(losses) // epochs
    for e in range(epochs):
        recs = losses[e * per_epoch:(e + 1) * per_epoch]
        seen = sum(r["n"] for r in recs)
        loss = sum(r["loss"] * r["n"] for r in recs) / seen
        acc = sum(r["correct"] for r in recs) / seen
        for key, expected in (("loss", loss), ("accuracy", acc)):
            got = history[key][e]
            if not isinstance(got, float) or exceeds(abs(got - expected), 1e-4 * max(1.0, abs(expected))):
                raise Mismatch(f"{what}\n  history[{key!r}][{e}] = {got!r}; the {key} recorded over epoch {e + 1}'s "
                               f"{len(recs)} mini-batches ({seen} reviews) is {expected:.6f} (weighted by batch size)")
