"""Hidden tests for text_data: drawn texts, generated corpora and larger batches, the reference solution as
the oracle.

A hint is shown only when the reference with that one change (built here from the reference's own functions)
gives the student's output on the failing input. Feedback names the input and what differs, never the
reference's values.
"""
from __future__ import annotations

import re

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import visibility, weight
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder import datasets

from ..public.text_data_support import (DATASET_CHANGES, DEFAULT, EXERCISE, assemble, batches, call_clean, check_collate, check_dataset,
                                        check_last_step, check_tokens, clean_call, corpus_cases, corpus_csv,
                                        csv_folder, dataset_call, lengths_arg, padded_outputs, probe_dataset, summarise,
                                        write_csv)

pytestmark = pytest.mark.exercise(EXERCISE)

PIECES = st.sampled_from(["Good", "bad", "THE", "it's", "don't", "film", "Plot", "not", "a", "I", "loved", "10/10",
                          "<br />", "<br /><br />", "<i>", "</i>", "<b>x</b>", "<a href=\"x\">", " ", "  ", "\n", ", ",
                          ". ", "!", "?", "...", "-", "--", "(", ")", "\"", "'", "\u2019", "caf\u00e9", "na\u00efve",
                          "\u00c9T\u00c9", "2nd", "x<y", "a>b", "&amp;", "rock'n'roll", ";", ":"])


@st.composite
def drawn_texts(draw):
    text = "".join(draw(st.lists(PIECES, max_size=25), label="pieces"))
    stop = draw(st.sampled_from((DEFAULT, (), ("film", "good"), ["the", "a", "i", "its", "dont"])), label="stop")
    return text, stop


def clean_variants(ref, text: str, stop) -> dict:
    """The reference with one change each, as the reference applied to a changed input."""
    kw = {} if stop is DEFAULT else {"stop_words": stop}
    return {
        "html_kept": ref.clean_text(text.replace("<", " ").replace(">", " "), **kw),
        "tag_glues_words": ref.clean_text(re.sub(r"<[^>]*>", "", text), **kw),
        "stop_words_kept": ref.clean_text(text, ()),
        "apostrophe": ref.clean_text(text.replace("'", " "), **kw),
        "case_dropped": ref.clean_text(re.sub(r"[A-Z]", " ", text), **kw),
    }


@weight(1)
@visibility("after_due_date")
@settings(max_examples=40)
@given(case=drawn_texts())
def test_clean_text_matches_the_reference(submission, reference, case):
    """clean_text on drawn texts with tags, apostrophes, accents, digits and stop words, against the reference"""
    text, stop = case
    ref = reference(EXERCISE)
    expected = ref.clean_text(text) if stop is DEFAULT else ref.clean_text(text, stop)
    got = call_clean(submission(EXERCISE), text, stop)
    check_tokens(got, expected, clean_call(text, stop), clean_variants(ref, text, stop), reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=4, deadline=None)
@given(case=corpus_cases(max_rows=60, max_words=80), stop=st.sampled_from([None, ("film", "movie", "the")]))
def test_vocab_and_datasets_match_the_reference(submission, reference, case, stop):
    """TextClassificationDataset (with the vocabulary built, then given to a test split) on generated reviews
    with noise rows (empty, tags only), against the reference"""
    ref = reference(EXERCISE)
    rows = datasets.reviews(case["rows"], 0, case["max_words"], seed=case["seed"])
    rows[1:1] = [("", "positive"), ("<br /><br />", "negative"), ("It's, like, 10/10.", "positive")]
    test_rows = datasets.reviews(10, 0, case["max_words"], seed=case["seed"] + 7)
    kwargs = dict(case["kwargs"], **({} if stop is None else {"stop_words": stop}))
    sub = submission(EXERCISE)
    with csv_folder() as folder:
        train = write_csv(folder, "train.csv", corpus_csv(rows))
        test = write_csv(folder, "test.csv", corpus_csv(test_rows))
        expected = summarise(*(lambda d: (len(d), [d[i] for i in range(len(d))], dict(d.vocab)))(
            ref.TextClassificationDataset(str(train), **kwargs)))
        assert expected == assemble(ref, train, kwargs)     # the variants' builder is the reference itself
        variants = {c: assemble(ref, train, kwargs, c) for c in DATASET_CHANGES}
        got = sub.run_probe(probe_dataset, sub._handle(), str(train), kwargs)
        what = f"{dataset_call(kwargs, 'train.csv')} ({len(rows)} generated reviews, seed {case['seed']})"
        check_dataset(got, expected, what, variants, reveal=False)
        test_kwargs = {"vocab": expected["vocab"], "min_len": 0, "max_len": 1000,
                       **({} if stop is None else {"stop_words": stop})}
        expected = assemble(ref, test, test_kwargs)
        variants = {c: assemble(ref, test, test_kwargs, c) for c in DATASET_CHANGES}
        got = sub.run_probe(probe_dataset, sub._handle(), str(test), test_kwargs)
        check_dataset(got, expected, dataset_call(dict(test_kwargs, vocab="<the training set's vocab>"), "test.csv"),
                      variants, reveal=False)


@weight(1)
@visibility("after_due_date")
@settings(max_examples=10)
@given(batch=batches(max_batch=16, max_len=40), case=padded_outputs(max_batch=16, max_steps=40, max_classes=6))
def test_collate_and_last_step_on_larger_batches(submission, reference, batch, case):
    """collate_batch and last_time_step on batches of up to 16 sequences of up to 40 steps (int32 lengths too)"""
    sub = submission(EXERCISE)
    ref = reference(EXERCISE)
    got = sub.collate_batch(batch)
    assert all(torch.equal(a, b) for a, b in zip(ref.collate_batch(batch), check_reference_collate(batch)))
    check_collate(got, batch, f"collate_batch(...) on {len(batch)} items of lengths {[len(i) for i, _ in batch]}")
    outputs, lengths, kind = case
    arg = lengths_arg(lengths, kind)
    got = sub.last_time_step(outputs, arg)
    assert torch.equal(ref.last_time_step(outputs, arg), outputs[torch.arange(len(lengths)),
                                                                  torch.tensor(lengths) - 1])
    check_last_step(got, outputs, lengths, f"last_time_step(outputs, lengths={arg!r}) with outputs of shape "
                    f"{tuple(outputs.shape)}, {outputs.dtype}")


def check_reference_collate(batch):
    """What the conventions say collate_batch returns (to check the reference against)."""
    width = max(len(ids) for ids, _ in batch)
    ids = torch.zeros(len(batch), width, dtype=torch.int64)
    for b, (row, _) in enumerate(batch):
        ids[b, :len(row)] = row
    return ids, torch.tensor([len(r) for r, _ in batch]), torch.tensor([int(l) for _, l in batch])
