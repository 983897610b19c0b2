"""Hidden tests for manual_filters: a second end-to-end run, with filters the grader gives.

Feedback names the input and what was wrong, never the reference's values.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight

from autograder import seam

from ..public.manual_filters_support import (ACCURACY_NEEDED, EXERCISE, check_end_to_end, filter_set,
                                             probe_end_to_end, warm_up_optimizers)

pytestmark = pytest.mark.exercise(EXERCISE)

SETTINGS = dict(epochs=8, lr=0.03, batch_size=48, momentum=0.8, weight_decay=5e-4, seed=7)


@weight(1)
@visibility("after_due_date")
def test_end_to_end_with_filters_given(submission):
    """ManualCNN(filters) with the Sobel pair, a Laplacian and a box blur, trained by train_manual on
    digits_split(3) with weight decay 5e-4: the filters stay bit-for-bit the same and the held-out accuracy
    reaches 0.90. Measured: the reference 0.9354; broken training stays far below (a softmax before the loss
    0.4722, no zero_grad 0.6526, step() before backward() 0.1114)."""
    from autograder.datasets import digits_split

    filters = filter_set("sobel_laplace_blur")
    sub = submission(EXERCISE)
    sub.run_probe(warm_up_optimizers)
    with seam.call_limit(20, "your training"):
        out = sub.run_probe(probe_end_to_end, sub._handle(), 11, filters, digits_split(3), SETTINGS, ACCURACY_NEEDED)
    what = ("ManualCNN(filters) (the Sobel pair, a Laplacian, a box blur) trained with train_manual(model, x_train, "
            "y_train, x_test, y_test, " + ", ".join(f"{k}={v}" for k, v in SETTINGS.items()) + ") on the 8x8 "
            "digits (digits_split(3)), initial fc weights from torch.manual_seed(11)")
    seam.note(f"{what.split(' trained')[0]}, trained with your train_manual: accuracy {out['accuracy']:.4f} on the "
              f"{out['n_test']} held-out digits (at least {out['needed']} needed)")
    check_end_to_end(out, what, filters=filters)
