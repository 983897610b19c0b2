"""Public grading tests for exercises/manual_filters.py.

The expected values are the grader's own: the forward pass and the filter responses in float64 from the
filters and fc weights the grader chooses, the optimiser and the training loop on a probe model the grader
builds (a frozen convolution, dropout, a linear layer) that records how it is used, and one end-to-end run
of your ManualCNN() with your filters on scikit-learn's 8x8 digits.

Promises of the task text -> the tests that exercise them (with a non-default value or starting state):

- make_filters: (4, 1, 3, 3) float32, finite, no filter all zero, not all four the same, a new tensor per call
    -> test_make_filters_gives_four_distinct_3x3_filters
- ManualCNN(filters=...): the filters given in conv.weight as a float32 copy, (4, 3, 3) or (4, 1, 3, 3), any
  float dtype, the tensor passed in left alone and not aliased
    -> test_manual_cnn_holds_the_filters_frozen_and_only_fc_learns (float64 (4, 3, 3) and float32 (4, 1, 3, 3))
- ManualCNN: filters None -> make_filters(); conv frozen, no bias; only fc trainable, 4 (S // 2)^2 K + K numbers
    -> test_manual_cnn_holds_the_filters_frozen_and_only_fc_learns (defaults; n_classes 3 and 7, image_size 6, 10)
- ManualCNN.forward: conv -> ReLU -> 2x2 max-pool -> flatten (C, H, W) -> fc, raw scores; n_classes, image_size
  (odd sizes too)
    -> test_forward_gives_the_scores_of_the_fixed_network; hidden: test_end_to_end_with_filters_given
- filter_responses: after the ReLU, before the pooling, without gradients
    -> test_filter_responses_are_the_rectified_feature_maps
- make_optimizer: SGD over the trainable parameters only; lr, momentum, weight_decay as given (not defaults)
    -> test_make_optimizer_holds_only_the_trainable_parameters
- evaluate: eval mode, no gradients, accuracy as a Python float, model left in eval mode (starts in train mode)
    -> test_evaluate_runs_in_eval_mode_without_gradients
- train_manual: DataLoader (batch_size, shuffle, seeded generator), zero_grad / backward / step per mini-batch,
  nn.CrossEntropyLoss on the raw scores, train mode for training, eval mode without gradients for the test
  accuracy after every epoch, history of one float per epoch (the last accuracy the final model's), loss[e] the
  mean of epoch e's mini-batch losses (or their mean over the images), loss goes down, any model (the grader's has dropout), epochs / lr / batch_size / momentum / weight_decay / seed as given
  (epochs=3, batch_size=20, lr=0.05, momentum=0.5, weight_decay=1e-3, seed=5: none the defaults)
    -> test_train_manual_loop_on_the_graders_probe_model
- train_manual + ManualCNN(): frozen filters bit-for-bit unchanged with momentum and weight decay; held-out
  accuracy above the threshold
    -> test_end_to_end_your_filters_learn_the_digits; hidden: test_end_to_end_with_filters_given
- plot_history: the two curves with the values given, PNG at the path given; plot_filter_effects: each image and
  its four responses (after the ReLU) as imshow panels, one row per image (top to bottom) and five columns (the
  image, then responses 1 to 4), PNG at the path given (B = 5, filters given)
    -> test_plots_show_the_curves_and_the_filter_effects
"""
from __future__ import annotations

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder import seam
from autograder.checks import Mismatch

from .manual_filters_support import (ACCURACY_NEEDED, EXERCISE, HINTS, check_built, check_end_to_end,
                                     check_evaluate, check_filter_effects, check_optimizer, check_png,
                                     check_train_loop, check_values, conv64, digits_subset, fc_state, filter_set,
                                     forward_variants, probe_build, probe_end_to_end, probe_evaluate, probe_filters,
                                     probe_forward, probe_optimizer, probe_plot_effects, probe_plot_history,
                                     probe_responses, probe_train_loop, random_filters, random_images,
                                     response_variants, scores64, warm_up_optimizers, with_own_filters)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
def test_make_filters_gives_four_distinct_3x3_filters(submission):
    """make_filters: a float32 (4, 1, 3, 3) tensor, finite, no filter all zero, not four copies of one filter, new
    per call."""
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_filters, sub._handle())
    what = "make_filters()"
    f = out["filters"]
    if not isinstance(f, torch.Tensor):
        raise Mismatch(f"{what}\n  expected a tensor of shape (4, 1, 3, 3)\n  got: {f!r}"[:1500])
    if tuple(f.shape) != (4, 1, 3, 3):
        raise Mismatch(f"{what}\n  expected shape (4, 1, 3, 3) (4 filters, 1 input channel, 3 x 3)\n  got shape "
                       f"{tuple(f.shape)}")
    if f.dtype != torch.float32:
        raise Mismatch(f"{what}\n  expected dtype torch.float32\n  got {f.dtype}")
    if not torch.isfinite(f).all():
        raise Mismatch(f"{what}\n  the filters hold NaN or inf:\n{f}")
    zero = [k for k in range(4) if not (f[k] != 0).any()]
    if zero:
        raise Mismatch(f"{what}\n  filter(s) {zero} are all zero: every filter should pick out something")
    if all(torch.equal(f[0], f[k]) for k in range(1, 4)):
        raise Mismatch(f"{what}\n  the four filters are the same; choose four different ones")
    if out["same_object"]:
        raise Mismatch(f"{what}\n  two calls returned the same tensor object; return a new tensor at every call")


BUILD_CASES = [
    ("defaults", None, 10, 8),
    ("asymmetric as float64 (4, 3, 3)", "asymmetric", 3, 6),
    ("random filters (seed 5) as float32 (4, 1, 3, 3)", 5, 7, 10),
]


def _filters_for(spec):
    if spec is None:
        return None
    if isinstance(spec, int):
        return random_filters(spec)
    return filter_set(spec).double().reshape(4, 3, 3)


@weight(1)
def test_manual_cnn_holds_the_filters_frozen_and_only_fc_learns(submission):
    """ManualCNN: conv.weight holds the filters (the defaults: make_filters()), frozen, no bias; only fc.weight and
    fc.bias require grad; the tensor passed in is left alone and copied (three builds: the defaults, float64
    (4, 3, 3) filters with n_classes=3 and image_size=6, float32 (4, 1, 3, 3) ones with 7 and 10)."""
    sub = submission(EXERCISE)
    for label, spec, n_classes, image_size in BUILD_CASES:
        filters = _filters_for(spec)
        out = sub.run_probe(probe_build, sub._handle(), filters, n_classes, image_size)
        if filters is None:
            what = "ManualCNN() (the defaults: filters=None, n_classes=10, image_size=8)"
            made = out["made"]
            if made is None:
                raise Mismatch(f"{what}\n  make_filters() did not return a tensor")
            if tuple(made.shape) == (4, 1, 3, 3):
                filters = made
            check_built(out, filters, n_classes, image_size, what, source="make_filters()")
        else:
            what = (f"ManualCNN(filters, n_classes={n_classes}, image_size={image_size}) with filters = {label}:\n"
                    f"{filters}")
            check_built(out, filters, n_classes, image_size, what)


@weight(1)
@settings(max_examples=5)
@given(size=st.sampled_from([4, 5, 6, 7, 8, 10]), n_classes=st.integers(2, 10), batch=st.integers(1, 4),
       seed=st.integers(0, 2**16))
@example(size=8, n_classes=10, batch=3, seed=1)
@example(size=7, n_classes=4, batch=2, seed=2)
def test_forward_gives_the_scores_of_the_fixed_network(submission, size, n_classes, batch, seed):
    """forward: conv (the filters) -> ReLU -> 2x2 max-pool -> flatten -> fc with the grader's fc weights, raw
    scores (compared in float64)."""
    filters = random_filters(seed) if seed % 2 else filter_set("asymmetric")
    weight_, bias = fc_state(seed, n_classes, size)
    x = random_images(batch, size, seed)
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_forward, sub._handle(), filters, n_classes, size, weight_, bias, x)
    what = (f"ManualCNN(filters, n_classes={n_classes}, image_size={size}) with the grader's fc weights (seed {seed}) "
            f"on {batch} random {size}x{size} images")
    if "problem" in out:
        raise Mismatch(f"{what}\n  {out['problem']}")
    expected = scores64(filters, weight_, bias, x)
    variants = forward_variants(filters, weight_, bias, x)
    variants.update(with_own_filters(out, filters, lambda w: scores64(w, weight_, bias, x)))
    check_values(out["out"], expected, f"{what}\n  scores, compared with the network's in float64:", variants)


@weight(1)
@settings(max_examples=4)
@given(size=st.sampled_from([4, 6, 7, 8]), batch=st.integers(1, 3), seed=st.integers(0, 2**16))
@example(size=8, batch=2, seed=3)
def test_filter_responses_are_the_rectified_feature_maps(submission, size, batch, seed):
    """filter_responses: relu(conv(images)) at full size (B, 4, S, S), not requiring grad."""
    filters = random_filters(seed) if seed % 2 else filter_set("sobel_laplace_blur")
    x = random_images(batch, size, seed + 1)
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_responses, sub._handle(), filters, size, x)
    what = f"filter_responses(ManualCNN(filters, image_size={size}), images) for {batch} random {size}x{size} images"
    variants = response_variants(filters, x)
    variants.update(with_own_filters(out, filters, lambda w: torch.relu(conv64(w, x))))
    check_values(out["out"], torch.relu(conv64(filters, x)), f"{what}\n  compared with relu(conv(images)) in float64:",
                 variants)
    if out["requires_grad"]:
        raise Mismatch(f"{what}\n  the responses require grad; compute them inside torch.no_grad()")


@weight(1)
def test_make_optimizer_holds_only_the_trainable_parameters(submission):
    """make_optimizer on the grader's model with a frozen conv: an SGD over fc.weight and fc.bias only, with the
    lr, momentum and weight_decay given."""
    lr, momentum, weight_decay = 0.037, 0.45, 0.003
    sub = submission(EXERCISE)
    sub.run_probe(warm_up_optimizers)
    out = sub.run_probe(probe_optimizer, sub._handle(), lr, momentum, weight_decay, filter_set("asymmetric"), 6, 5)
    what = (f"make_optimizer(model, lr={lr}, momentum={momentum}, weight_decay={weight_decay}) for the grader's model "
            "(conv with conv.weight frozen, fc = nn.Linear(144, 5))")
    check_optimizer(out, lr, momentum, weight_decay, what)


@weight(1)
def test_evaluate_runs_in_eval_mode_without_gradients(submission):
    """evaluate on the grader's model with dropout, handed over in train mode: every forward pass in eval mode
    without gradients; the accuracy as a Python float; the model left in eval mode."""
    x_train, y_train, _, _ = digits_subset(2, 120, 0)
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_evaluate, sub._handle(), 4, filter_set("sobel_laplace_blur"), x_train, y_train)
    check_evaluate(out, len(y_train), "evaluate(model, x, y) for the grader's model (frozen conv, dropout 0.3, fc) "
                   "in train mode, on 120 digits")


TRAIN_SETTINGS = dict(epochs=3, lr=0.05, batch_size=20, momentum=0.5, weight_decay=1e-3, seed=5)


@weight(2)
def test_train_manual_loop_on_the_graders_probe_model(submission):
    """train_manual on the grader's model (frozen conv, dropout, fc) with 150 training and 60 test digits: a
    seeded shuffling DataLoader, zero_grad / backward / step per mini-batch, train mode for training, eval mode
    without gradients for the test accuracy, the history, the loss going down, the same weights again."""
    data = digits_subset(1, 150, 60)
    sub = submission(EXERCISE)
    sub.run_probe(warm_up_optimizers)
    with seam.call_limit(20, "your training"):
        out = sub.run_probe(probe_train_loop, sub._handle(), 3, filter_set("sobel_laplace_blur"), data, TRAIN_SETTINGS)
    what = ("train_manual(model, x_train, y_train, x_test, y_test, " + ", ".join(f"{k}={v}" for k, v in
            TRAIN_SETTINGS.items()) + ") for the grader's model (frozen conv, dropout 0.3, fc) on 150 training and 60 "
            "test digits")
    check_train_loop(out, TRAIN_SETTINGS, 150, 60, what)


END_TO_END = dict(epochs=10, lr=0.02, batch_size=32, momentum=0.9, weight_decay=1e-4, seed=0)


@weight(2)
def test_end_to_end_your_filters_learn_the_digits(submission):
    """ManualCNN() with your filters, trained by train_manual on the 1348 training digits of digits_split(0) with
    momentum 0.9 and weight decay 1e-4: the filters stay bit-for-bit the same, and the accuracy on the 449
    held-out digits reaches 0.90.

    Measured with these settings: the reference (four edge filters) 0.9488, the Sobel pair + Laplacian + box blur
    0.9465, the edge filters negated 0.9599, an identity filter + two edges + a blur 0.9287. Broken models stay
    below: all-zero filters 0.0958 (chance), four scaled copies of one blur filter 0.8775, four shifted copies of
    the image (corner deltas) 0.8196, nn.Conv2d's random initial filters left in place 0.7906, a softmax before
    the loss 0.8330, no zero_grad 0.5813, step() before backward() 0.0958."""
    from autograder.datasets import digits_split

    data = digits_split(0)
    sub = submission(EXERCISE)
    sub.run_probe(warm_up_optimizers)
    with seam.call_limit(20, "your training"):
        out = sub.run_probe(probe_end_to_end, sub._handle(), 0, None, data, END_TO_END, ACCURACY_NEEDED)
    what = ("ManualCNN() trained with train_manual(model, x_train, y_train, x_test, y_test, "
            + ", ".join(f"{k}={v}" for k, v in END_TO_END.items()) + ") on the 8x8 digits (digits_split(0): 1348 "
            "training, 449 held-out images), initial fc weights from torch.manual_seed(0)")
    seam.note(f"{what.split(' trained')[0]}, trained with your train_manual: accuracy {out['accuracy']:.4f} on the "
              f"{out['n_test']} held-out digits (at least {out['needed']} needed)")
    check_end_to_end(out, what)


@weight(1)
def test_plots_show_the_curves_and_the_filter_effects(submission):
    """plot_history draws the loss and the accuracy curves with the values given; plot_filter_effects draws each
    of 5 images and its four responses, one row per image and five columns; both write PNGs that open."""
    import numpy as np

    history = {"loss": [2.1, 1.2, 0.8, 0.61, 0.55], "test_accuracy": [0.41, 0.72, 0.83, 0.88, 0.9]}
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_plot_history, sub._handle(), history)
    what = f"plot_history(history, path) with history = {history}"
    check_png(out["data"], what)
    drawn = out["drawn"]
    if drawn is None:
        raise Mismatch(f"{what}\n  the PNG was not written with a matplotlib Figure's savefig (fig.savefig or "
                       f"plt.savefig), so what it draws cannot be checked\nHint: {HINTS['plot']}")
    for key in ("loss", "test_accuracy"):
        values = np.asarray(history[key])
        if not any(line.shape == values.shape and np.allclose(line, values, rtol=1e-6, atol=1e-9)
                   for line in drawn["lines"]):
            raise Mismatch(f"{what}\n  no line of the figure has the values of history[{key!r}] (ax.plot(epochs, "
                           f"history[{key!r}]))")

    images = digits_subset(0, 5, 0)[0]
    filters = filter_set("sobel_laplace_blur")
    out = sub.run_probe(probe_plot_effects, sub._handle(), filters, images)
    check_filter_effects(out, filters, images, "plot_filter_effects(ManualCNN(filters), images, path) for 5 digits")
