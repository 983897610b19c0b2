"""Hidden tests for vit: parameter counts on configurations hypothesis draws (the reference's closed form as the
oracle), and a second end-to-end training on another split with another configuration.

Feedback names the input and what was wrong, never the reference's values.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings

from autograder import seam
from autograder.checks import Mismatch

from ..public.vit_support import (EXERCISE, check_count, check_end_to_end, describe_config, digits_data,
                                  probe_end_to_end, probe_vit_counts, torch_count, vit_configs, warm_up_optimizers)

pytestmark = pytest.mark.exercise(EXERCISE)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=6, deadline=None)
@given(config=vit_configs())
def test_vit_parameter_counts_on_more_configurations(submission, reference, config):
    """The ViT's parameter count and vit_param_count on drawn configurations (patch 1..7, 1..3 channels, 1..8 heads,
    depth 1..3), against the reference's closed form."""
    expected = reference(EXERCISE).vit_param_count(**config)
    assert expected == torch_count(config)            # the reference itself
    sub = submission(EXERCISE)
    (row,) = sub.run_probe(probe_vit_counts, sub._handle(), [config], True)
    what = describe_config(config)
    if row["out_shape"] != (2, config["n_classes"]):
        raise Mismatch(f"{what} on 2 images\n  expected logits of shape {(2, config['n_classes'])}\n  got: "
                       f"{row['out_shape']}")
    check_count(row["count"], expected, config, f"{what}\n  the number of parameters of the model")
    check_count(row["formula"], expected, config, f"vit_param_count for {what}")


@weight(1)
@visibility("after_due_date")
def test_train_vit_end_to_end_on_another_split(submission):
    """A ViT(image_size=8, patch_size=2, dim=32, depth=2, heads=2, mlp_dim=48) trained with train_vit for 8 epochs
    (batch 32, lr 2e-3, seed 1; initial weights from seed 1) on digits_split(3) must classify at least 80% of the
    449 held-out digits. The reference reaches 0.8976; the same ViT without the positional embedding 0.5791, an
    untrained one about 0.1."""
    config = dict(image_size=8, patch_size=2, in_channels=1, n_classes=10, dim=32, depth=2, heads=2, mlp_dim=48)
    sub = submission(EXERCISE)
    sub.run_probe(warm_up_optimizers)
    with seam.call_limit(40, "your training"):
        out = sub.run_probe(probe_end_to_end, sub._handle(), config, 1, digits_data(3), 3, 8, 32, 2e-3, 1)
    check_end_to_end(out, 0.80, f"{describe_config(config)} trained by train_vit(..., epochs=8, batch_size=32, "
                     "lr=0.002, seed=1) on digits_split(3)")
