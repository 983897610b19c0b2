"""Sentiment of movie reviews with an Elman RNN, an LSTM and a Transformer: short vs long reviews.

A review is read as a sequence of word ids. Three classifiers with about the same number of
parameters turn it into two scores (negative, positive):

* ``RNNClassifier`` and ``LSTMClassifier`` run an ``nn.RNN`` / ``nn.LSTM`` over the embedded words
  and classify the hidden state at the review's LAST REAL word. In a padded batch that is step
  ``lengths[b] - 1`` of review b, not the last column of the batch (which, for every review shorter
  than the longest, is a padding step) and not step 0.
* ``TransformerClassifier`` adds a learned position embedding, runs one
  ``nn.TransformerEncoderLayer`` with the padding masked out of the attention, and classifies the
  MEAN of its outputs over the review's real positions (padding left out of the mean as well).

You train each model on short reviews (at most 200 words) and on long ones (200 to 400 words), compare
their test accuracies, and try the models on reviews you write yourself.

The data. The reviews come in the layout of the Kaggle IMDB file (a CSV with the columns ``review``
and ``sentiment``, the latter ``positive`` or ``negative``); ``read_imdb_csv`` reads it. The given
``tokenize`` / ``build_vocab`` / ``encode`` turn texts into padded id tensors; they are given code
(do not change them): the grader encodes its data with the same rules and passes you the tensors.

Conventions (fixed for every function below):

* ``ids``: int64 (B, T), padded with 0 after each review's end; ``lengths``: int64 (B,) with
  1 <= lengths[b] <= T, the number of real words of review b (positions t >= lengths[b] are padding).
  Id 0 is padding, id 1 an unknown word (``PAD``, ``UNK``).
* Labels: int64 (B,), 1 = positive, 0 = negative. Models return raw scores (logits) of shape (B, 2)
  (no softmax: ``nn.CrossEntropyLoss`` applies the log-softmax itself); the probability that a review
  is positive is ``softmax(scores, dim=1)[:, 1]``.
* Keep the attribute names of the models as given (``embedding``, ``rnn`` / ``lstm``, ``position``,
  ``encoder``, ``fc``): the grader loads its own weights into your models by parameter name.

Graded automatically: the three classifiers' ``forward`` (with the grader's weights, on padded batches
of reviews of different lengths), ``count_parameters``, ``recurrent_parameter_count`` (for sizes the
grader picks) and ``matched_hidden_size``, ``train_sentiment`` (on a probe model the grader builds: it
must use a ``DataLoader`` seeded with ``seed``, call zero_grad, backward and step in that order for
every mini-batch, train in train mode, give the raw scores to ``nn.CrossEntropyLoss`` and return the
per-epoch history; the loss must go down), ``accuracy`` (eval mode, no gradients), ``predict_review``,
``plot_history`` (a PNG that opens), ``read_imdb_csv`` (a small CSV the grader writes), and one
end-to-end run per model: each of your classifiers, trained with your ``train_sentiment`` on reviews
the grader generates, must reach a test accuracy threshold (the LSTM and the RNN on short reviews,
the Transformer on long ones).

Graded by hand (write it up as the problem set asks):

* The loss and accuracy curves (``plot_history``) of the three models on short and on long reviews,
  and their test accuracies in the table of the problem set (``python sentiment.py`` prints it).
* The comparison: what happens to each model on long reviews, and why (1-2 sentences).
* Three reviews you write and the Transformer's probability for each (``predict_review`` with the
  Transformer trained on short reviews): one clearly positive (95%+), one clearly negative, and one
  it is unsure about (below 90%), with a sentence on what made it unsure.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

PAD, UNK = 0, 1

# ============================================================================= given code: text -> ids
STOP_WORDS = frozenset("a an the and or but is it this to of in on for was be as at by with i his her from so too "
                       "even one".split())


def tokenize(text: str) -> list[str]:
    """Lower-case words of a review (given code, do not change): HTML tags removed, every character
    other than a-z turned into a space, stop words (``STOP_WORDS``) dropped."""
    text = re.sub(r"<[^>]+>", " ", text).lower()
    text = re.sub(r"[^a-z]+", " ", text)
    return [w for w in text.split() if w not in STOP_WORDS]


def build_vocab(texts: list[str]) -> dict[str, int]:
    """Word -> id for every word of ``texts`` (given code): ids 2, 3, ... in alphabetical order of the
    words; 0 and 1 are kept for padding and unknown words."""
    words = sorted({w for text in texts for w in tokenize(text)})
    return {w: i + 2 for i, w in enumerate(words)}


def encode(texts: list[str], vocab: dict[str, int], max_len: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``(ids, lengths)`` for a list of reviews (given code): ids int64 (N, T) padded with ``PAD``, words
    not in ``vocab`` as ``UNK``, each review cut to its first ``max_len`` words (if given); a review
    with no word at all becomes one ``UNK``. T is the longest length."""
    seqs = [[vocab.get(w, UNK) for w in tokenize(t)][:max_len] or [UNK] for t in texts]
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    ids = torch.full((len(seqs), int(lengths.max()) if seqs else 0), PAD, dtype=torch.int64)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.int64)
    return ids, lengths


# ============================================================================= data
def read_imdb_csv(path: str | Path) -> tuple[list[str], torch.Tensor]:
    """The reviews and labels of a CSV in the IMDB layout.

    The file has a header row with the columns ``review`` and ``sentiment`` (in that order or not),
    then one row per review; reviews are quoted when they hold commas, quotes or line breaks (read it
    with the ``csv`` module, not by splitting lines on commas). ``sentiment`` is ``positive`` or
    ``negative``.

    Returns:
    - texts: the reviews, in file order, as they are in the file (no cleaning)
    - labels: int64 tensor (N,), 1 for positive and 0 for negative
    """
    raise NotImplementedError("read_imdb_csv: replace this line with your solution (the docstring above says what to return)")


# ============================================================================= the models
class RNNClassifier(nn.Module):
    """Embedding -> Elman RNN -> the hidden state at the last real word -> 2 scores.

    ``__init__`` is given: ``self.embedding`` (``padding_idx=PAD``), ``self.rnn`` (one layer, tanh,
    ``batch_first=True``) and ``self.fc``."""

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD)
        self.rnn = nn.RNN(embed_dim, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, 2)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Scores (B, 2) of the padded batch ``ids`` (B, T) whose reviews have ``lengths`` (B,) words:
        ``fc`` of the RNN's output at step ``lengths[b] - 1`` of every review b."""
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


class LSTMClassifier(nn.Module):
    """Embedding -> LSTM -> the hidden state at the last real word -> 2 scores.

    ``__init__`` is given: ``self.embedding``, ``self.lstm`` (one layer, ``batch_first=True``) and
    ``self.fc``; the forget gates' biases start at 2 (a common trick that helps the LSTM keep its
    memory early in training; the grader loads its own weights anyway)."""

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, 2)
        with torch.no_grad():   # torch's gate order is (input, forget, cell, output)
            self.lstm.bias_ih_l0[hidden_size:2 * hidden_size].fill_(2.0)
            self.lstm.bias_hh_l0[hidden_size:2 * hidden_size].zero_()

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """As ``RNNClassifier.forward``, with the LSTM's hidden state h_t (not its cell state)."""
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


class TransformerClassifier(nn.Module):
    """Embedding + learned positions -> one Transformer encoder layer -> masked mean -> 2 scores.

    ``__init__`` is given: ``self.embedding``, ``self.position`` (an ``nn.Embedding(max_len,
    embed_dim)``: row t is added to the word at position t), ``self.encoder`` (post-LN,
    ``batch_first=True``) and ``self.fc``. Reviews are at most ``max_len`` words long."""

    def __init__(self, vocab_size: int, embed_dim: int, num_heads: int, ff_dim: int, max_len: int = 512,
                 dropout: float = 0.1):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD)
        self.position = nn.Embedding(max_len, embed_dim)
        self.encoder = nn.TransformerEncoderLayer(embed_dim, num_heads, ff_dim, dropout, batch_first=True)
        self.fc = nn.Linear(embed_dim, 2)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Scores (B, 2): embed the words, add ``position`` rows 0..T-1, run ``encoder`` with
        ``src_key_padding_mask`` True at the padding positions (t >= lengths[b]), then ``fc`` of the
        mean of the encoder's outputs over the lengths[b] real positions of each review (padding
        positions left out of the sum and of the count)."""
        raise NotImplementedError("forward: replace this line with your solution (the docstring above says what to return)")


# ============================================================================= parameter counts
def count_parameters(model: nn.Module) -> int:
    """The number of TRAINABLE parameters of ``model`` (the entries of every parameter with
    ``requires_grad``; frozen ones do not count), as a Python int."""
    raise NotImplementedError("count_parameters: replace this line with your solution (the docstring above says what to return)")


def recurrent_parameter_count(kind: str, vocab_size: int, embed_dim: int, hidden_size: int) -> int:
    """The parameter count of ``RNNClassifier`` (``kind="rnn"``) or ``LSTMClassifier`` (``kind="lstm"``)
    for these sizes, from a formula (without building the model): the embedding table, the recurrent
    layer as torch builds it (``weight_ih``, ``weight_hh`` and BOTH bias vectors ``bias_ih``,
    ``bias_hh``; an LSTM has four gates' worth of each) and the final linear layer. A Python int."""
    raise NotImplementedError("recurrent_parameter_count: replace this line with your solution (the docstring above says what to return)")


def matched_hidden_size(kind: str, vocab_size: int, embed_dim: int, target: int) -> int:
    """The hidden size H >= 1 for which ``recurrent_parameter_count(kind, vocab_size, embed_dim, H)`` is
    closest to ``target`` (ties: the smaller H). This is how the problem set's models were given the same
    number of parameters: e.g. ``target`` = the Transformer's count."""
    raise NotImplementedError("matched_hidden_size: replace this line with your solution (the docstring above says what to return)")


# ============================================================================= training and evaluation
def train_sentiment(model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor,
                    epochs: int = 5, lr: float = 1e-2, batch_size: int = 16, seed: int = 0) -> dict[str, list[float]]:
    """Train ``model`` in place with Adam and ``nn.CrossEntropyLoss``; return its per-epoch history.

    Args:
    - model: maps ``(ids, lengths)`` of a batch to scores (B, 2), e.g. one of the classifiers above
    - ids, lengths, labels: the training set, as in the conventions (N reviews)
    - epochs, lr, batch_size: as named; seed: seeds the shuffling

    Wrap ``(ids, lengths, labels)`` in a ``TensorDataset`` and iterate over a ``DataLoader`` with
    ``batch_size`` and ``shuffle=True``, whose ``generator`` is ``torch.Generator().manual_seed(seed)``
    (built once, before the first epoch: the same seed then gives the same batches). Put the model in
    train mode at the start of every epoch; for every mini-batch: ``optimizer.zero_grad()``, the loss
    of the raw scores, ``loss.backward()``, ``optimizer.step()``, in that order. (You may clip the
    gradients' norm between backward and step, e.g. ``nn.utils.clip_grad_norm_(..., 1.0)``.) You may
    slice the tensors yourself instead of a DataLoader only if you use the same seeded generator for
    the order (``torch.randperm(N, generator=...)`` each epoch).

    Returns:
    - ``{"loss": [...], "accuracy": [...]}``, one Python float per epoch each: the mean of the
      mini-batch losses of that epoch (weighted by batch size), and the fraction of training reviews
      classified correctly during that epoch (from the same forward passes, no extra pass).
    """
    raise NotImplementedError("train_sentiment: replace this line with your solution (the docstring above says what to return)")


def accuracy(model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor,
             batch_size: int = 256) -> float:
    """The fraction of the reviews whose argmax score equals their label, as a Python float.

    Put the model in eval mode (dropout off) and compute the scores without gradients
    (``torch.no_grad()``), ``batch_size`` reviews at a time (in order; no shuffling needed). The model is
    left in eval mode."""
    raise NotImplementedError("accuracy: replace this line with your solution (the docstring above says what to return)")


def predict_review(model: nn.Module, text: str, vocab: dict[str, int]) -> float:
    """The model's probability that ``text`` is a positive review, as a Python float in [0, 1].

    Encode the one review with the given ``encode(..., vocab)`` (no ``max_len``), run the model in eval
    mode without gradients, and return the softmax probability of class 1. The model is left in eval
    mode."""
    raise NotImplementedError("predict_review: replace this line with your solution (the docstring above says what to return)")


def plot_history(history: dict[str, list[float]], path: str | Path, title: str = "") -> str:
    """Write a PNG of the training curves: the loss and the accuracy per epoch (two panels, or two
    axes), x axis the epoch. ``history`` is what ``train_sentiment`` returns; ``title`` goes on the
    figure. Use matplotlib without a window (``matplotlib.figure.Figure`` and ``savefig``, or
    ``matplotlib.use("Agg")`` before pyplot). Returns ``str(path)``."""
    raise NotImplementedError("plot_history: replace this line with your solution (the docstring above says what to return)")


# ============================================================================= the experiment (given code)
EMBED_DIM, NUM_HEADS, FF_DIM, MAX_LEN = 16, 2, 32, 512


def make_models(vocab_size: int) -> dict[str, nn.Module]:
    """The three models of the comparison, with (about) the same number of parameters: the Transformer's
    sizes are fixed, the recurrent models' hidden sizes are matched to its count (given code)."""
    transformer = TransformerClassifier(vocab_size, EMBED_DIM, NUM_HEADS, FF_DIM, MAX_LEN)
    target = count_parameters(transformer)
    return {"RNN": RNNClassifier(vocab_size, EMBED_DIM, matched_hidden_size("rnn", vocab_size, EMBED_DIM, target)),
            "LSTM": LSTMClassifier(vocab_size, EMBED_DIM, matched_hidden_size("lstm", vocab_size, EMBED_DIM, target)),
            "Transformer": transformer}


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from autograder.datasets import reviews   # the generated corpus; use the real IMDB CSV if you have it

    results = {}
    for name_len, (lo, hi) in {"short": (0, 200), "long": (200, 400)}.items():
        train_rows, test_rows = reviews(1200, lo, hi, seed=1), reviews(400, lo, hi, seed=2)
        vocab = build_vocab([r for r, _ in train_rows])
        train_x, train_len = encode([r for r, _ in train_rows], vocab)
        train_y = torch.tensor([int(s == "positive") for _, s in train_rows])
        test_x, test_len = encode([r for r, _ in test_rows], vocab)
        test_y = torch.tensor([int(s == "positive") for _, s in test_rows])
        torch.manual_seed(0)
        for name, model in make_models(len(vocab) + 2).items():
            history = train_sentiment(model, train_x, train_len, train_y, epochs=5)
            plot_history(history, f"curves_{name}_{name_len}.png", f"{name}, {name_len} reviews")
            results[name, name_len] = accuracy(model, test_x, test_len, test_y)
            print(f"{name:12s} {name_len:5s} params {count_parameters(model):6d} test accuracy "
                  f"{results[name, name_len]:.3f}", flush=True)
            if name == "Transformer" and name_len == "short":
                for text in ("A wonderful, moving film.", "Dull and painful.", "The camera shows a small town."):
                    print(f"  p(positive | {text!r}) = {predict_review(model, text, vocab):.3f}")
    print("| Model | Short | Long |\n|---|---|---|")
    for name in ("RNN", "LSTM", "Transformer"):
        print(f"| {name} | {results[name, 'short']:.3f} | {results[name, 'long']:.3f} |")
