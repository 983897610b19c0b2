"""Hidden tests for sentiment: longer batches, larger sizes, other training settings; the reference solution
as the oracle where one is needed.

Feedback names the input and what was wrong, never the reference's values.
"""
from __future__ import annotations

import pytest
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.checks import Mismatch

from ..public.sentiment_support import (EXERCISE, HINTS, check_forward, check_history, check_training_loop,
                                        count_variants, describe, forward_cases, probe_forward, probe_train,
                                        torch_count, warm_up_optimizers)

pytestmark = pytest.mark.exercise(EXERCISE)


def _forward(submission, kind, case):
    sizes, seed, ids, lengths = case
    sub = submission(EXERCISE)
    out = sub.run_probe(probe_forward, sub._handle(), kind, sizes, seed, ids, lengths)
    what = (f"{describe(kind, sizes)} with the grader's weights (seed {seed}), eval mode, on a padded batch "
            f"ids {tuple(ids.shape)} with lengths {lengths.tolist()}")
    check_forward(out, kind, sizes, seed, ids, lengths, what, reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=6)
@given(kind=st.sampled_from(["rnn", "lstm"]), data=st.data())
def test_recurrent_classifiers_on_longer_batches(submission, kind, data):
    """RNN and LSTM classifiers on batches of up to 8 reviews of up to 60 words."""
    _forward(submission, kind, data.draw(forward_cases(kind, max_batch=8, max_t=60), label="case"))


@weight(1)
@visibility("after_due_date")
@settings(max_examples=5)
@given(case=forward_cases("transformer", max_batch=8, max_t=40))
def test_transformer_classifier_on_longer_batches(submission, case):
    """The Transformer classifier on batches of up to 8 reviews of up to 40 words."""
    _forward(submission, "transformer", case)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=8)
@given(kind=st.sampled_from(["rnn", "lstm"]), V=st.integers(1000, 100000), E=st.integers(32, 300),
       H=st.integers(64, 512), target=st.integers(10**5, 10**7))
def test_parameter_counts_for_large_sizes(submission, reference, kind, V, E, H, target):
    """recurrent_parameter_count for IMDB-sized vocabularies, and matched_hidden_size against the reference."""
    sub = submission(EXERCISE)
    got = sub.recurrent_parameter_count(kind, V, E, H)
    expected = torch_count(kind, V, E, H)
    what = f"recurrent_parameter_count({kind!r}, vocab_size={V}, embed_dim={E}, hidden_size={H})"
    if isinstance(got, bool) or not isinstance(got, int) or got != expected:
        found = [k for k, v in count_variants(kind, V, E, H).items() if v == got and v != expected]
        raise Mismatch(f"{what}\n  not the count of torch's modules\n  got: {got!r}"[:1500]
                       + (f"\nHint: {HINTS[found[0]]}" if len(found) == 1 else ""))
    got = sub.matched_hidden_size(kind, V, E, target)
    expected = reference(EXERCISE).matched_hidden_size(kind, V, E, target)
    if got != expected:
        raise Mismatch(f"matched_hidden_size({kind!r}, vocab_size={V}, embed_dim={E}, target={target})\n  got: "
                       f"{got!r}, which is not the hidden size whose count is closest to the target"[:1500])


@weight(1)
@visibility("after_due_date")
def test_train_sentiment_other_settings(submission):
    """train_sentiment with 4 epochs of batches of 5 (the last one smaller): the loop and the history."""
    sub = submission(EXERCISE)
    n, epochs, batch_size = 33, 4, 5
    sub.run_probe(warm_up_optimizers)
    out = sub.run_probe(probe_train, sub._handle(), n, 8, 5, 6, epochs, 0.03, batch_size, 13)
    what = (f"train_sentiment(model, ids, lengths, labels, epochs={epochs}, lr=0.03, batch_size={batch_size}, "
            f"seed=13) on the grader's probe model and {n} toy reviews")
    check_training_loop(out, what, epochs, batch_size, n)
    check_history(out, what, epochs, n)
