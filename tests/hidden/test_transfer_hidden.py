"""Hidden tests for transfer: train_head on another architecture (AlexNet's layout, the head at classifier[6],
Dropout inside the classifier), other sizes and a batch size that does not divide the data.

Feedback names the input and what was wrong, never the reference's values.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight

from ..public.transfer_support import (EXERCISE, check_frozen, check_history, check_loop, describe, digits_subset,
                                       probe_train, warm_up_optimizers)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
def test_train_head_on_an_alexnet_shaped_model(submission):
    """train_head on an AlexNet-shaped model (new 4-class classifier[6], Dropout inside the classifier), 28 images
    in batches of 6 (the last one has 4), 6 epochs: the loop, the frozen layers and the history as in the public
    tests. (Nothing trains in the grader's own process: the reference passes these checks in the self-tests.)"""
    spec = {"arch": "alex", "n_out": 1000, "seed": 21, "hidden": 24}
    kwargs = {"epochs": 6, "lr": 0.05, "batch_size": 6, "seed": 8}
    classes = (3, 5, 7, 9)
    x, y = digits_subset(classes, 7, "train")
    xv, yv = digits_subset(classes, 6, "test")
    sub = submission(EXERCISE)
    sub.run_probe(warm_up_optimizers)
    rec = sub.run_probe(probe_train, sub._handle(), spec, len(classes), 4, x, y, xv, yv, kwargs, True)
    what = (f"train_head(model, x, y, x_val, y_val, epochs=6, lr=0.05, batch_size=6, seed=8) for {describe(spec)}, "
            f"handed over in train mode with everything frozen but a new 4-class classifier[6], on {len(y)} training "
            f"and {len(yv)} validation digits")
    check_loop(rec, what, kwargs["epochs"], kwargs["batch_size"], kwargs["lr"], len(y))
    check_frozen(rec, what)
    check_history(rec, what, kwargs["epochs"], reveal=False)
