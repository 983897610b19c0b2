"""Public grading tests for exercises/sentiment.py.

The classifiers get the grader's seeded weights by parameter name and are compared with the grader's own models
built from torch built-ins (nn.RNN, nn.LSTM, nn.TransformerEncoderLayer) on padded batches of different lengths.
The training loop, accuracy and predict_review run on probe models the grader builds inside the worker, which
record how they are called. The end-to-end tests train your classifiers with your train_sentiment on generated
reviews (autograder/datasets.py) and measure the test accuracy themselves.

Promises of the task text -> the tests that exercise them (with a non-default value or starting state):

- RNNClassifier.forward: fc of the output at step lengths[b] - 1, padding after it (lengths differ, one is T)
    -> test_rnn_classifier_scores_the_last_real_word; hidden: test_recurrent_classifiers_on_longer_batches
- LSTMClassifier.forward: the hidden state h_t at step lengths[b] - 1
    -> test_lstm_classifier_scores_the_last_real_word; hidden: test_recurrent_classifiers_on_longer_batches
- TransformerClassifier.forward: positions added, padding masked in the attention and left out of the mean
  (num_heads, ff_dim, max_len not the defaults)
    -> test_transformer_classifier_masks_the_padding; hidden: test_transformer_classifier_on_longer_batches
- count_parameters: trainable parameters only (some frozen), a Python int
    -> test_count_parameters_counts_the_trainable_ones
- recurrent_parameter_count: both biases, four gates for the LSTM, embedding and fc included; "rnn" and "lstm"
    -> test_recurrent_parameter_count_matches_torch; hidden: test_parameter_counts_for_large_sizes
- matched_hidden_size: the closest count, ties to the smaller H
    -> test_matched_hidden_size_is_the_closest; hidden: test_parameter_counts_for_large_sizes
- train_sentiment: zero_grad, backward, step per mini-batch; train mode (the model comes in eval mode); raw scores
  into the cross-entropy; epochs, lr, batch_size as given (not the defaults)
    -> test_train_sentiment_calls_zero_grad_backward_step_in_train_mode; hidden: test_train_sentiment_other_settings
- train_sentiment: the DataLoader's order follows seed (not torch's global state), shuffled every epoch
    -> test_train_sentiment_returns_its_history_and_follows_the_seed
- train_sentiment: history {"loss", "accuracy"}, per-epoch means weighted by batch size
    -> test_train_sentiment_returns_its_history_and_follows_the_seed; hidden: test_train_sentiment_other_settings
- accuracy: eval mode (the model comes in train mode, with dropout), no gradients, batch_size given, a float
    -> test_accuracy_runs_in_eval_mode_without_gradients
- predict_review: softmax class 1 of the encoded text, eval mode (the model comes in train mode), no gradients
    -> test_predict_review_gives_the_probability_of_positive
- plot_history: a PNG with the loss and the accuracy curves, title given
    -> test_plot_history_writes_the_curves
- plot_history: both curves visible ("two panels, or two axes"): inside their axes' limits, neither axes covering
  the other's curve
    -> test_plot_history_writes_the_curves
- read_imdb_csv: quoted fields with commas, quotes, line breaks; columns in either order; file order
    -> test_read_imdb_csv_reads_the_imdb_layout
- the classifiers learn: RNN and LSTM on short reviews, the Transformer on long ones (thresholds in the tests)
    -> test_recurrent_classifier_learns_short_reviews, test_transformer_learns_long_reviews
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder import seam
from autograder.checks import Mismatch, assert_close, exceeds

from .sentiment_support import (EXERCISE, HINTS, PAD, batch_orders, build_grader, check_curves_visible,
                                check_forward, check_history, check_png, check_training_loop, corpus, count_variants,
                                describe, forward_cases, probe_accuracy, probe_count, probe_csv, probe_end_to_end,
                                probe_data, probe_forward, probe_plot, probe_predict, probe_train, torch_count,
                                warm_up_optimizers)

pytestmark = pytest.mark.exercise(EXERCISE)


def _batch(lengths, vocab, seed):
    lengths = torch.tensor(lengths, dtype=torch.int64)
    T = int(lengths.max())
    ids = torch.randint(2, vocab, (len(lengths), T), generator=torch.Generator().manual_seed(seed))
    ids[torch.arange(T)[None, :] >= lengths[:, None]] = PAD
    return ids, lengths


RNN_EXAMPLE = ({"vocab": 20, "embed": 4, "hidden": 5}, 3, *_batch([5, 2, 7, 1], 20, 1))
LSTM_EXAMPLE = ({"vocab": 20, "embed": 4, "hidden": 5}, 4, *_batch([3, 7, 1, 6], 20, 2))
TRANSFORMER_EXAMPLE = ({"vocab": 25, "embed": 8, "heads": 2, "ff": 12, "max_len": 16}, 5, *_batch([2, 9, 5], 25, 3))


def _forward(submission, kind, case):
    sizes, seed, ids, lengths = case
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_forward, sub._handle(), kind, sizes, seed, ids, lengths)
    what = (f"{describe(kind, sizes)} with the grader's weights (seed {seed}), eval mode, on a padded batch "
            f"ids {tuple(ids.shape)} with lengths {lengths.tolist()}")
    check_forward(out, kind, sizes, seed, ids, lengths, what)


# ============================================================================= the classifiers
@weight(2)
@settings(max_examples=8)
@given(case=forward_cases("rnn"))
@example(case=RNN_EXAMPLE)
def test_rnn_classifier_scores_the_last_real_word(submission, case):
    """RNNClassifier.forward: fc of the RNN's output at the last real word of every review of a padded batch."""
    _forward(submission, "rnn", case)


@weight(2)
@settings(max_examples=8)
@given(case=forward_cases("lstm"))
@example(case=LSTM_EXAMPLE)
def test_lstm_classifier_scores_the_last_real_word(submission, case):
    """LSTMClassifier.forward: fc of the LSTM's hidden state at the last real word of every review."""
    _forward(submission, "lstm", case)


@weight(2)
@settings(max_examples=8)
@given(case=forward_cases("transformer"))
@example(case=TRANSFORMER_EXAMPLE)
def test_transformer_classifier_masks_the_padding(submission, case):
    """TransformerClassifier.forward: positions added, padding masked in the attention, the mean over the real
    positions only."""
    _forward(submission, "transformer", case)


# ============================================================================= parameter counts
@weight(1)
def test_count_parameters_counts_the_trainable_ones(submission):
    """count_parameters counts the entries of the parameters with requires_grad, as a Python int."""
    for frozen in ([], ["embedding.weight"], ["lstm.weight_ih_l0", "fc.bias"]):
        _count_case(submission, frozen)


def _count_case(submission, frozen):
    sizes = {"vocab": 17, "embed": 5, "hidden": 6}
    sub = submission(EXERCISE)
    got = sub.run_probe(probe_count, sub._handle(), frozen, sizes)["count"]
    model = build_grader("lstm", sizes, 0)
    every = sum(p.numel() for p in model.parameters())
    expected = sum(p.numel() for n, p in model.named_parameters() if n not in frozen)
    what = (f"count_parameters on an LSTM classifier (vocab 17, embed 5, hidden 6) with "
            f"{'no parameter frozen' if not frozen else 'frozen: ' + ', '.join(frozen)}")
    if isinstance(got, bool) or not isinstance(got, int):
        raise Mismatch(f"{what}\n  expected a Python int\n  got: {got!r}"[:1500])
    if got != expected:
        hint = f"\nHint: {HINTS['count_frozen']}" if frozen and got == every else ""
        raise Mismatch(f"{what}\n  expected: {expected}\n  got:      {got}" + hint)


@weight(1)
@settings(max_examples=12)
@given(kind=st.sampled_from(["rnn", "lstm"]), V=st.integers(2, 3000), E=st.integers(1, 64), H=st.integers(1, 64))
@example(kind="lstm", V=106, E=16, H=38)
@example(kind="rnn", V=106, E=16, H=84)
def test_recurrent_parameter_count_matches_torch(submission, kind, V, E, H):
    """recurrent_parameter_count equals the number of parameters of the classifier as torch builds it."""
    got = submission(EXERCISE).recurrent_parameter_count(kind, V, E, H)
    expected = torch_count(kind, V, E, H)
    what = f"recurrent_parameter_count({kind!r}, vocab_size={V}, embed_dim={E}, hidden_size={H})"
    if isinstance(got, bool) or not isinstance(got, int) or got != expected:
        variants = count_variants(kind, V, E, H)
        found = [k for k, v in variants.items() if v == got and v != expected]
        hint = f"\nHint: {HINTS[found[0]]}" if len(found) == 1 else ""
        raise Mismatch(f"{what}\n  expected (the count of torch's modules): {expected}\n  got: {got!r}"[:1500] + hint)


@weight(1)
@settings(max_examples=10)
@given(kind=st.sampled_from(["rnn", "lstm"]), V=st.integers(2, 500), E=st.integers(1, 32),
       target=st.integers(1, 40000))
@example(kind="lstm", V=106, E=16, target=10424)
@example(kind="rnn", V=106, E=16, target=10424)
def test_matched_hidden_size_is_the_closest(submission, kind, V, E, target):
    """matched_hidden_size: H >= 1 whose torch count is closest to target, the smaller H on a tie."""
    got = submission(EXERCISE).matched_hidden_size(kind, V, E, target)
    what = f"matched_hidden_size({kind!r}, vocab_size={V}, embed_dim={E}, target={target})"
    if isinstance(got, bool) or not isinstance(got, int) or got < 1:
        raise Mismatch(f"{what}\n  expected a Python int >= 1\n  got: {got!r}"[:1500])
    gap = abs(torch_count(kind, V, E, got) - target)
    for other in (got - 1, got + 1):
        if other >= 1:
            other_gap = abs(torch_count(kind, V, E, other) - target)
            if other_gap < gap or (other == got - 1 and other_gap == gap):
                raise Mismatch(f"{what}\n  got H = {got}, whose classifier has {torch_count(kind, V, E, got)} "
                               f"parameters (off by {gap}); H = {other} has {torch_count(kind, V, E, other)} (off by "
                               f"{other_gap}), closer to the target" + (" or as close and smaller" if other_gap == gap
                                                                        else ""))


# ============================================================================= training and evaluation
def _train(sub, n, data_seed, init_seed, global_seed, epochs, lr, batch_size, seed):
    sub.run_probe(warm_up_optimizers)
    out = sub.run_probe(probe_train, sub._handle(), n, data_seed, init_seed, global_seed, epochs, lr, batch_size,
                        seed)
    what = (f"train_sentiment(model, ids, lengths, labels, epochs={epochs}, lr={lr}, batch_size={batch_size}, "
            f"seed={seed}) on the grader's probe model (an embedding, dropout, a masked mean and a linear layer; in "
            f"eval mode when passed in) and {n} toy reviews")
    return out, what


@weight(2)
def test_train_sentiment_calls_zero_grad_backward_step_in_train_mode(submission):
    """Per mini-batch zero_grad, backward, step in this order, in train mode, with the raw scores given to the
    cross-entropy; one step per mini-batch for the epochs and batch_size given; the loss goes down."""
    sub = submission(EXERCISE)
    n, epochs, batch_size = 60, 3, 8
    out, what = _train(sub, n, 1, 2, 3, epochs, 0.05, batch_size, 7)
    check_training_loop(out, what, epochs, batch_size, n)


@weight(1)
def test_train_sentiment_returns_its_history_and_follows_the_seed(submission):
    """The history holds the per-epoch mean loss and accuracy; the batches' order depends on seed only (the same
    under another global torch seed), and is shuffled anew every epoch."""
    sub = submission(EXERCISE)
    n, epochs, batch_size = 40, 2, 10
    first, what = _train(sub, n, 4, 0, 11, epochs, 0.02, batch_size, 5)
    check_history(first, what, epochs, n)
    again, _ = _train(sub, n, 4, 0, 12345, epochs, 0.02, batch_size, 5)
    orders, orders_again = batch_orders(first["calls"]), batch_orders(again["calls"])
    if orders != orders_again:
        raise Mismatch(f"{what}\n  called twice with seed=5, under two different global torch seeds, it saw the "
                       f"reviews in different orders\nHint: {HINTS['seed_ignored']}")
    per_epoch = len(orders) // epochs
    epoch1 = [r for batch in orders[:per_epoch] for r in batch]
    epoch2 = [r for batch in orders[per_epoch:2 * per_epoch] for r in batch]
    stored = [tuple(r) for r in probe_data(n, 4)[0][:, :3].tolist()]
    if epoch1 == stored or epoch1 == epoch2:
        how = "their stored order" if epoch1 == stored else "the same order in both epochs"
        raise Mismatch(f"{what}\n  the reviews came in {how}: shuffle them every epoch (DataLoader(..., "
                       "shuffle=True, generator=...))")


@weight(1)
def test_accuracy_runs_in_eval_mode_without_gradients(submission):
    """accuracy on a probe model with dropout that comes in train mode: the eval-mode accuracy, computed without
    gradients, batch_size reviews at a time (7, then the default 256 given explicitly); a Python float (a float32 mean
    is accepted: within 1e-6)."""
    for batch_size in (7, 256):
        _accuracy_case(submission, batch_size)


def _accuracy_case(submission, batch_size):
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_accuracy, sub._handle(), 50, 3, 1, batch_size)
    what = (f"accuracy(model, ids, lengths, labels, batch_size={batch_size}) on the grader's probe model (dropout "
            "0.5, in train mode when passed in) and 50 toy reviews")
    calls = out["calls"]
    if any(c["training"] for c in calls):
        raise Mismatch(f"{what}\n  {sum(c['training'] for c in calls)} of the {len(calls)} forward passes ran in "
                       f"train mode\nHint: {HINTS['eval_mode']}")
    if any(c["grad"] for c in calls):
        raise Mismatch(f"{what}\n  the forward passes ran with gradients enabled\nHint: {HINTS['grad_enabled']}")
    if calls and max(c["n"] for c in calls) > batch_size:
        raise Mismatch(f"{what}\n  a forward pass got {max(c['n'] for c in calls)} reviews; at most {batch_size} "
                       "at a time were asked for")
    value = out["value"]
    if isinstance(value, bool) or not isinstance(value, float):
        raise Mismatch(f"{what}\n  expected a Python float\n  got: {value!r}"[:1500])
    if exceeds(abs(value - out["expected"]), 1e-6):   # a float32 mean is fine
        raise Mismatch(f"{what}\n  expected: {out['expected']!r} (the eval-mode accuracy)\n  got:      {value!r}")


@weight(1)
def test_predict_review_gives_the_probability_of_positive(submission):
    """predict_review: softmax(scores)[0, 1] of the encoded review, in eval mode without gradients (the model
    comes in train mode), for reviews with known, unknown and no words, with a Transformer and an LSTM."""
    for kind in ("transformer", "lstm"):
        _predict_case(submission, kind)


def _predict_case(submission, kind):
    sizes = ({"vocab": 30, "embed": 8, "heads": 2, "ff": 16, "max_len": 64} if kind == "transformer"
             else {"vocab": 30, "embed": 6, "hidden": 7})
    words = ["wonderful", "dull", "film", "plot", "moving", "boring", "camera", "charming", "awful", "scene"]
    vocab = {w: i + 2 for i, w in enumerate(sorted(words))}
    texts = ["A wonderful, MOVING film; charming!", "Dull and boring. <br /><br />The plot is awful.",
             "The camera shows the scene -- zebra quantum.", "...!", "film " * 40]
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_predict, sub._handle(), kind, sizes, 9, texts, vocab, True)
    model = build_grader(kind, sizes, 9)
    what = f"predict_review(model, text, vocab) with the grader's {describe(kind, sizes)} (in train mode when passed in)"
    if any(training for training, _ in out["flags"]):
        raise Mismatch(f"{what}\n  the model ran in train mode\nHint: {HINTS['eval_mode']}")
    if any(grad for _, grad in out["flags"]):
        raise Mismatch(f"{what}\n  the model ran with gradients enabled\nHint: {HINTS['grad_enabled']}")
    from .sentiment_support import encode
    for text, got in zip(texts, out["values"]):
        ids, lengths = encode([text], vocab)
        with torch.no_grad():
            p = torch.softmax(model(ids, lengths).double(), 1)[0]
        if isinstance(got, bool) or not isinstance(got, float):
            raise Mismatch(f"{what}, text {text!r}\n  expected a Python float\n  got: {got!r}"[:1500])
        hint = "class_zero" if abs(got - float(p[0])) <= 1e-5 and not abs(float(p[0] - p[1])) <= 1e-4 else None
        assert_close(got, float(p[1]), f"{what}, text {text!r} (encoded ids {ids.tolist()}):", rtol=1e-4,
                     atol=1e-6, hint=hint, hints=HINTS)


@weight(1)
def test_plot_history_writes_the_curves(submission):
    """plot_history writes a PNG that opens, with the loss and the accuracy drawn as lines that can be seen
    (inside their axes' limits, not covered by another axes)."""
    history = {"loss": [0.69, 0.52, 0.31, 0.2], "accuracy": [0.5, 0.71, 0.88, 0.93]}
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_plot, sub._handle(), history, "LSTM, short reviews")
    what = f"plot_history({history}, path, 'LSTM, short reviews')"
    check_png(out["data"], what)
    check_curves_visible(out, history, what)


@weight(1)
def test_read_imdb_csv_reads_the_imdb_layout(submission):
    """read_imdb_csv: texts as in the file (quoted commas, quotes, line breaks), labels 1/0, columns in either
    order."""
    for swap in (False, True):
        _csv_case(submission, swap)


def _csv_case(submission, swap):
    from autograder.datasets import reviews

    rows = reviews(6, 0, 40, seed=3) + [('She said "wow", then left,\nand so did I.', "negative"),
                                        ("Great, great, GREAT <br /> fun", "positive")]
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_csv, sub._handle(), rows, swap)
    what = (f"read_imdb_csv on a CSV of {len(rows)} reviews with the header "
            f"{'sentiment,review' if swap else 'review,sentiment'}")
    texts, labels = out["texts"], out["labels"]
    expected_texts = [r for r, _ in rows]
    if texts != expected_texts:
        bad = next((i for i, (a, b) in enumerate(zip(texts, expected_texts)) if a != b), None) \
            if isinstance(texts, list) else None
        detail = (f"review {bad}: expected {expected_texts[bad]!r}, got {texts[bad]!r}" if bad is not None else
                  f"expected {len(expected_texts)} reviews, got {len(texts) if isinstance(texts, list) else texts!r}")
        hint = f"\nHint: {HINTS['csv_split']}" if isinstance(texts, list) and len(texts) > len(rows) else ""
        raise Mismatch(f"{what}\n  {detail}"[:1500] + hint)
    expected = torch.tensor([int(s == "positive") for _, s in rows])
    if not isinstance(labels, torch.Tensor) or labels.dtype != torch.int64 or not torch.equal(labels, expected):
        raise Mismatch(f"{what}\n  labels: expected the int64 tensor {expected.tolist()} (1 = positive)\n  got: "
                       f"{labels!r}"[:1500])


# ============================================================================= end to end
E2E = {"epochs": 5, "lr": 1e-2, "batch_size": 16, "seed": 0}
SHORT = dict(n_train=240, n_test=200, lo=0, hi=200, data_seed=21)
LONG = dict(n_train=200, n_test=200, lo=200, hi=400, data_seed=31)
# measured with the reference (see each test): the threshold lies clearly below it and clearly above what the
# broken models reach (chance is 0.5)
THRESHOLDS = {"rnn": 0.85, "lstm": 0.85, "transformer": 0.8}
CLASS_NAMES = {"rnn": "RNNClassifier", "lstm": "LSTMClassifier", "transformer": "TransformerClassifier"}


def matched_sizes(vocab: int) -> dict:
    """The comparison's sizes: the Transformer's fixed, the recurrent hidden sizes matched to its count."""
    from .sentiment_support import GraderTransformer

    tsizes = {"vocab": vocab, "embed": 16, "heads": 2, "ff": 32, "max_len": 512}
    target = sum(p.numel() for p in GraderTransformer(vocab, 16, 2, 32, 512).parameters())
    out = {"transformer": tsizes}
    for kind in ("rnn", "lstm"):
        best = min(range(1, 200), key=lambda h: (abs(torch_count(kind, vocab, 16, h) - target), h))
        out[kind] = {"vocab": vocab, "embed": 16, "hidden": best}
    return out


def end_to_end(submission, kind: str, data: dict) -> None:
    train_x, train_n, train_y, vocab = corpus(data["n_train"], data["lo"], data["hi"], data["data_seed"])
    test_x, test_n, test_y, _ = corpus(data["n_test"], data["lo"], data["hi"], data["data_seed"] + 1, vocab)
    sizes = matched_sizes(len(vocab) + 2)[kind]
    sub = submission(EXERCISE)
    sub.run_probe(warm_up_optimizers)
    with seam.call_limit(55, "your training"):
        out = sub.run_probe(probe_end_to_end, sub._handle(), kind, sizes, 0, (train_x, train_n, train_y),
                            (test_x, test_n, test_y), E2E["epochs"], E2E["lr"], E2E["batch_size"], E2E["seed"])
    what = (f"{describe(kind, sizes)} trained with train_sentiment(model, ..., epochs={E2E['epochs']}, lr={E2E['lr']}, "
            f"batch_size={E2E['batch_size']}, seed={E2E['seed']}) on {data['n_train']} generated reviews of "
            f"{data['lo']}-{data['hi']} words (reviews({data['n_train']}, {data['lo']}, {data['hi']}, "
            f"seed={data['data_seed']})), tested on {data['n_test']} others")
    accuracy = out["accuracy"]
    threshold = THRESHOLDS[kind]
    history = out["history"] or {}
    curve = ", ".join(f"{loss:.3f}/{acc:.3f}" for loss, acc in zip(history.get("loss", []), history.get("accuracy", [])))
    # shown with the test's result (passing too): the accuracy reached and the loss/accuracy per epoch
    seam.note(f"{CLASS_NAMES[kind]}: test accuracy {accuracy:.4f} (at least {threshold} needed); training "
              f"loss/accuracy per epoch (your history): {curve}")
    if not accuracy >= threshold:   # nan-safe: NaN fails
        raise Mismatch(f"{what}\n  test accuracy {accuracy:.4f}; at least {threshold} is needed (chance is 0.5)")


@weight(1)
@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_recurrent_classifier_learns_short_reviews(submission, kind):
    """RNN and LSTM (hidden sizes matched to the Transformer's count) trained on 240 short reviews (5 epochs):
    test accuracy >= 0.85 on 200 others. The reference reaches 1.000 (RNN) and 1.000 (LSTM), as do the catalogued
    alternatives for other initial weights and seeds; broken models
    measured: the RNN reading the first word 0.570, the LSTM reading the last padded step (h_n) 0.505."""
    end_to_end(submission, kind, SHORT)


@weight(2)
@pytest.mark.fresh_worker   # its training is the run's memory peak: no leftovers of the tests before it
def test_transformer_learns_long_reviews(submission):
    """The Transformer trained on 200 long reviews (5 epochs): test accuracy >= 0.8 on 200 others. The reference
    reaches 0.970 (0.94-0.98 over other initial weights and seeds; the catalogued alternatives 0.89-0.99);
    broken training loops measured: zero_grad missing 0.500, step() before backward() 0.500. (The mean with
    the padding left in still learns here, 0.975: the forward test catches it.)"""
    end_to_end(submission, "transformer", LONG)
