"""Public grading tests for exercises/text_data.py.

No implementation of the exercise is needed to grade it: exact examples written out in
text_data_support.py, texts the grader builds from known words and separators (their tokens are
known by construction), properties (every token a run of a-z, no stop word, cleaning its own output
changes nothing, the vocabulary's order), CSV files the grader writes (a hand-written one with exact
expected items, and generated reviews checked against your own clean_text / build_vocab / encode),
and torch indexing for the last time step.

Promises of the task text -> the tests that exercise them (with a non-default value or starting state):

| promise | test(s) |
| --- | --- |
| clean_text: tags -> one space, lowercase, ' deleted, other non a-z -> space, split, stop words dropped, order kept | test_clean_text_examples, test_clean_text_on_built_texts; hidden: test_clean_text_matches_the_reference |
| clean_text: stop_words given (custom list, tuple, empty) and left out (STOP_WORDS) | test_clean_text_examples (examples 3, 6, 8 given; the others left out), test_clean_text_on_built_texts, test_clean_text_properties |
| clean_text: empty text, tags only, accented letters, curly apostrophe, digits | test_clean_text_examples |
| clean_text: tokens only a-z, non-empty; idempotent; filtering commutes with stop words | test_clean_text_properties |
| build_vocab: <pad> 0, <unk> 1, by count then alphabetically, occurrences counted | test_build_vocab_examples, test_build_vocab_properties; hidden: test_vocab_and_datasets_match_the_reference |
| build_vocab: min_count, max_size (not defaults; max_size=0; both together) | test_build_vocab_examples, test_build_vocab_properties |
| encode: unknown -> 1, empty list, list of ints | test_encode_examples |
| TextClassificationDataset: csv with quoted commas, doubled quotes, line break, empty review | test_dataset_on_a_handwritten_csv |
| TextClassificationDataset: min_len, max_len half-open, n >= 1 always, min_count, max_size, stop_words | test_dataset_on_a_handwritten_csv (cases 2, 4), test_dataset_on_generated_reviews |
| TextClassificationDataset: vocab given (unknown words -> 1, .vocab is it) | test_dataset_on_a_handwritten_csv (case 3), test_dataset_on_generated_reviews (test split) |
| TextClassificationDataset: items (1-D int64 ids, int label), labels positive 1 / negative 0, file order; stop_words passed on | test_dataset_on_a_handwritten_csv (case 4: stop_words), test_dataset_on_generated_reviews; hidden: test_vocab_and_datasets_match_the_reference |
| collate_batch: right padding with 0, lengths, labels (given as ints or 0-d tensors), int64, order kept, B = 1 | test_collate_batch; hidden: test_collate_and_last_step_on_larger_batches |
| last_time_step: outputs[b, lengths[b] - 1], lengths 1 and T, B > 1, float32 and float64, list or int64 / int32 tensor | test_last_time_step_picks_the_last_real_step; hidden: test_collate_and_last_step_on_larger_batches |
| last_time_step: differentiable (gradient reaches outputs) | test_last_time_step_passes_the_gradient_back |
"""
from __future__ import annotations

import re

import pytest
import torch
from gradescope_utils.autograder_utils.decorators import weight
from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograder import datasets
from autograder.checks import Mismatch, assert_close

from .text_data_support import (CLEAN_EXAMPLES, CLEAN_VARIANTS, CSV_TEXT, DATASET_CASES, DATASET_VARIANTS, DEFAULT,
                                ENCODE_EXAMPLES, ENCODE_VOCAB, EXERCISE, HINTS, STOP_WORDS, VOCAB_EXAMPLES,
                                VOCAB_VARIANTS, batches, built_texts, call_clean, check_collate, check_dataset,
                                check_last_step, check_token_list, check_tokens, check_vocab, clean_call,
                                corpus_cases, corpus_csv, csv_folder, dataset_call, first_difference,
                                lengths_arg, padded_outputs, probe_consistency, probe_dataset, probe_last_step_gradient,
                                vocab_call, vocab_problem, write_csv)

pytestmark = pytest.mark.exercise(EXERCISE)


# ============================================================================= clean_text
@weight(2)
def test_clean_text_examples(submission):
    """clean_text on written-out examples: HTML tags, punctuation, case, apostrophes, digits, accents, stop words"""
    sub = submission(EXERCISE)
    for example_, variants in zip(CLEAN_EXAMPLES, CLEAN_VARIANTS):
        stop = example_.get("stop_words", DEFAULT)
        got = call_clean(sub, example_["text"], stop)
        check_tokens(got, example_["expected"], clean_call(example_["text"], stop), variants)


@weight(1)
@settings(max_examples=25)
@given(case=built_texts())
@example(case=("Loved<br />it. NOT bad--the Cast's fine!", DEFAULT, ["loved", "not", "bad", "casts", "fine"]))
def test_clean_text_on_built_texts(submission, case):
    """clean_text on texts built from known words (any case, some with an apostrophe) and separators that hold no
    letters (spaces, punctuation, tags, digits, accents)"""
    text, stop, expected = case
    got = call_clean(submission(EXERCISE), text, stop)
    check_tokens(got, expected, clean_call(text, stop) + "\n  (the text is made of the words of the expected "
                 "list, plus stop words, joined by separators that hold no letter a-z)")


TEXT_ALPHABET = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n\t.,;:!?'\"-"
                                     "()<>/&*") + ["\u00e9", "\u00c9", "\u00fc", "\u2019", "\u2014", "\u00df"])


@weight(1)
@settings(max_examples=25)
@given(text=st.text(TEXT_ALPHABET, max_size=60), more=st.text(TEXT_ALPHABET, max_size=30))
@example(text="Hello <b>World</b>, it's 2024!", more="THE END")
def test_clean_text_properties(submission, text, more):
    """clean_text: tokens are runs of a-z with no stop word; cleaning the tokens again gives them back; dropping
    the stop words afterwards is the same as dropping them in clean_text; texts without < or > clean piecewise"""
    sub = submission(EXERCISE)
    got = sub.clean_text(text)
    what = f"clean_text({text!r})"
    check_token_list(got, what)
    bad = [t for t in got if not re.fullmatch(r"[a-z]+", t)]
    if bad:
        raise Mismatch(f"{what}\n  got: {got!r}\n  these tokens are not non-empty runs of the letters a-z: {bad!r}")
    stop = [t for t in got if t in STOP_WORDS]
    if stop:
        raise Mismatch(f"{what}\n  got: {got!r}\n  observed: these tokens are default stop words (STOP_WORDS), "
                       f"which clean_text drops: {stop!r}")
    again = sub.clean_text(" ".join(got))
    if again != got:
        raise Mismatch(f"clean_text({' '.join(got)!r}) (your own tokens of {text!r}, joined by spaces)\n"
                       f"  expected: {got!r} (cleaning clean tokens changes nothing)\n  got:      {again!r}")
    everything = sub.clean_text(text, ())
    check_token_list(everything, f"clean_text({text!r}, stop_words=())")
    filtered = [t for t in everything if t not in STOP_WORDS]
    if filtered != got:
        raise Mismatch(f"clean_text({text!r}, stop_words=()) with the default stop words removed afterwards\n"
                       f"  expected: {got!r} (= clean_text({text!r}))\n  got:      {filtered!r}\n"
                       + first_difference(filtered, got))
    if "<" not in text + more and ">" not in text + more:
        joined = sub.clean_text(text + " " + more)
        parts = got + sub.clean_text(more)
        if joined != parts:
            raise Mismatch(f"clean_text({text + ' ' + more!r})\n  expected: {parts!r} (the tokens of "
                           f"{text!r} followed by those of {more!r})\n  got:      {joined!r}\n"
                           + first_difference(joined, parts))


# ============================================================================= build_vocab and encode
@weight(1)
def test_build_vocab_examples(submission):
    """build_vocab on written-out examples: specials, order by count then alphabetically, min_count, max_size"""
    sub = submission(EXERCISE)
    for example_, variants in zip(VOCAB_EXAMPLES, VOCAB_VARIANTS):
        got = sub.build_vocab(example_["token_lists"], **example_["kwargs"])
        check_vocab(got, example_["expected"], vocab_call(example_["token_lists"], example_["kwargs"]), variants)


@weight(1)
@settings(max_examples=20)
@given(lists=st.lists(st.lists(st.sampled_from(["a", "b", "c", "bad", "good", "film", "plot", "zoo"]), max_size=8),
                      max_size=6),
       min_count=st.integers(1, 4), max_size=st.one_of(st.none(), st.integers(0, 8)))
def test_build_vocab_properties(submission, lists, min_count, max_size):
    """build_vocab: ids 0..n-1 once each, every kept word counted at least min_count times, counts
    non-increasing with ids (alphabetical among equals), no better word left out, at most max_size words"""
    got = submission(EXERCISE).build_vocab(lists, min_count=min_count, max_size=max_size)
    what = vocab_call(lists, {"min_count": min_count, "max_size": max_size})
    problem = vocab_problem(got)
    if problem:
        raise Mismatch(f"{what}\n  got: {got!r}\n  {problem}")
    counts = {}
    for tokens in lists:
        for t in tokens:
            counts[t] = counts.get(t, 0) + 1
    ids = sorted(got.values())
    if ids != list(range(len(got))):
        raise Mismatch(f"{what}\n  got: {got!r}\n  the ids are not 0, 1, ..., {len(got) - 1}, each once")
    words = [w for w, _ in sorted(got.items(), key=lambda kv: kv[1])][2:]
    unknown = [w for w in words if w not in counts]
    if unknown:
        raise Mismatch(f"{what}\n  got: {got!r}\n  words that are in no token list: {unknown!r}")
    rare = [w for w in words if counts[w] < min_count]
    if rare:
        raise Mismatch(f"{what}\n  got: {got!r}\n  words that occur fewer than min_count={min_count} times: "
                       f"{ {w: counts[w] for w in rare} !r}")
    keys = [(-counts[w], w) for w in words]
    for (i, a), b in zip(enumerate(keys), keys[1:]):
        if a > b:
            raise Mismatch(f"{what}\n  got: {got!r}\n  {words[i]!r} (count {-a[0]}) has a smaller id than "
                           f"{words[i + 1]!r} (count {-b[0]}): ids go by decreasing count, then alphabetically")
    limit = len(counts) if max_size is None else max_size
    if len(words) > limit:
        raise Mismatch(f"{what}\n  got: {got!r}\n  {len(words)} words kept; max_size={max_size}")
    eligible = sorted((-c, w) for w, c in counts.items() if c >= min_count)[:limit]
    if len(words) < len(eligible):
        left = [w for _, w in eligible if w not in got]
        raise Mismatch(f"{what}\n  got: {got!r}\n  {len(words)} words kept; {len(eligible)} should be (left "
                       f"out: {left[:5]!r})")


@weight(1)
def test_encode_examples(submission):
    """encode: the id of every token in order, 1 (<unk>) for a token not in the vocabulary, [] for no tokens"""
    sub = submission(EXERCISE)
    for tokens, expected in ENCODE_EXAMPLES:
        got = sub.encode(tokens, dict(ENCODE_VOCAB))
        what = f"encode({tokens!r}, {ENCODE_VOCAB!r})"
        if not isinstance(got, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in got):
            raise Mismatch(f"{what}\n  got: {got!r}\n  encode must return a list of Python ints")
        if got != expected:
            unknown = [i for i, t in enumerate(tokens) if t not in ENCODE_VOCAB]
            as_pad = [0 if i in unknown else e for i, e in enumerate(expected)]
            hint = f"\nHint: {HINTS['unknown_as_pad']}" if unknown and got == as_pad else ""
            raise Mismatch(f"{what}\n  expected: {expected!r}\n  got:      {got!r}\n"
                           + first_difference(got, expected) + hint)


# ============================================================================= TextClassificationDataset
@weight(2)
def test_dataset_on_a_handwritten_csv(submission):
    """TextClassificationDataset on a small written-out CSV (quoted commas, doubled quotes, a line break inside a
    review, an empty review): length filter, labels, vocabulary built or given, ids"""
    sub = submission(EXERCISE)
    with csv_folder() as folder:
        path = write_csv(folder, "reviews.csv", CSV_TEXT)
        for case, variants in zip(DATASET_CASES, DATASET_VARIANTS):
            got = sub.run_probe(probe_dataset, sub._handle(), str(path), case["kwargs"])
            what = (dataset_call(case["kwargs"]) + " on the file\n" + "\n".join("    | " + line for line in
                                                                              CSV_TEXT.splitlines()))
            check_dataset(got, case["expected"], what, variants)


@weight(1)
@settings(max_examples=4, deadline=None)
@given(case=corpus_cases())
@example(case={"rows": 30, "seed": 3, "max_words": 60,
               "kwargs": {"min_len": 3, "max_len": 20, "min_count": 2, "max_size": 20}})
def test_dataset_on_generated_reviews(submission, case):
    """TextClassificationDataset on generated reviews (training split, then a test split with its vocabulary):
    the items, labels and vocabulary agree with your own clean_text, build_vocab and encode"""
    rows = datasets.reviews(case["rows"], 0, case["max_words"], seed=case["seed"])
    test_rows = datasets.reviews(12, 0, case["max_words"], seed=case["seed"] + 1)
    sub = submission(EXERCISE)
    with csv_folder() as folder:
        train = write_csv(folder, "train.csv", corpus_csv(rows))
        test = write_csv(folder, "test.csv", corpus_csv(test_rows))
        got = sub.run_probe(probe_consistency, sub._handle(), str(train), str(test), case["kwargs"])
    if "problem" in got:
        raise Mismatch(f"{dataset_call(case['kwargs'], 'train.csv')}\n  {got['problem']}")
    kw = case["kwargs"]
    splits = (("train", dataset_call(kw, "train.csv")),
              ("test", dataset_call({"vocab": "<the training set's vocab>", "min_len": kw["min_len"],
                                     "max_len": kw["max_len"]}, "test.csv")))
    for name, call in splits:
        what = (f"{call} ({case['rows'] if name == 'train' else 12} generated reviews, seed "
                f"{case['seed'] + (name == 'test')}),\n  compared with clean_text, the length filter, "
                f"{'build_vocab' if name == 'train' else 'the vocab given'} and encode applied by the grader "
                f"(with your functions) to the rows of the file")
        check_dataset(got[name], got[name + "_own"], what, got[name + "_variants"])


# ============================================================================= collate_batch and last_time_step
@weight(1)
@settings(max_examples=15)
@given(batch=batches())
@example(batch=[(torch.tensor([5, 3, 9]), 1), (torch.tensor([7]), 0), (torch.tensor([2, 4]), 1)])
def test_collate_batch(submission, batch):
    """collate_batch: ids padded on the right with 0 to the longest, the lengths and the labels, int64, in order
    (labels given as ints or as 0-d tensors)"""
    got = submission(EXERCISE).collate_batch(batch)
    what = "collate_batch(" + repr([(ids.tolist(), label) for ids, label in batch]) + ") (ids shown as lists)"
    check_collate(got, batch, what)


@weight(1)
@settings(max_examples=20)
@given(case=padded_outputs())
@example(case=(torch.randn(3, 4, 2, generator=torch.Generator().manual_seed(2)), [2, 4, 1], "int64"))
@example(case=(torch.randn(3, 3, 2, generator=torch.Generator().manual_seed(3)).double(), [1, 3, 2], "list"))
def test_last_time_step_picks_the_last_real_step(submission, case):
    """last_time_step: outputs[b, lengths[b] - 1] for every b, lengths as a list or an int64 or int32 tensor, float32 and float64"""
    outputs, lengths, kind = case
    arg = lengths_arg(lengths, kind)
    got = submission(EXERCISE).last_time_step(outputs, arg)
    what = (f"last_time_step(outputs, lengths={arg!r}) with outputs of shape {tuple(outputs.shape)}, "
            f"{outputs.dtype}:\n{outputs}")
    check_last_step(got, outputs, lengths, what)


@weight(1)
@settings(max_examples=5)
@given(case=padded_outputs())
@example(case=(torch.randn(3, 4, 2, generator=torch.Generator().manual_seed(0)), [2, 4, 1], "int64"))
def test_last_time_step_passes_the_gradient_back(submission, case):
    """last_time_step is differentiable: the gradient of a weighted sum of its result reaches outputs at
    [b, lengths[b] - 1] and nowhere else"""
    outputs, lengths, kind = case
    arg = lengths_arg(lengths, kind)
    weights = torch.randn(outputs.shape[0], outputs.shape[2], generator=torch.Generator().manual_seed(1))
    sub = submission(EXERCISE)
    got = sub.run_probe(probe_last_step_gradient, sub._handle(), outputs, arg, weights)
    what = (f"the gradient of (weights * last_time_step(outputs, lengths={arg!r})).sum() with respect to "
            f"outputs of shape {tuple(outputs.shape)}, {outputs.dtype}")
    if "problem" in got:
        raise Mismatch(f"{what}\n  {got['problem']}")
    expected = torch.zeros_like(outputs)
    rows = torch.arange(outputs.shape[0])
    expected[rows, torch.tensor(lengths) - 1] = weights.to(outputs.dtype)
    if got["grad"] is None:
        raise Mismatch(f"{what}\n  no gradient reached outputs (the result is not connected to it)\n"
                       f"Hint: {HINTS['detached']}")
    variants = {}
    for hint, steps in (("first_step", [1] * len(lengths)), ("last_padded_step", [outputs.shape[1]] * len(lengths))):
        variants[hint] = torch.zeros_like(outputs)
        variants[hint][rows, torch.tensor(steps) - 1] = weights.to(outputs.dtype)
    found = [h for h, v in variants.items() if not torch.equal(v, expected) and isinstance(got["grad"], torch.Tensor)
             and got["grad"].shape == v.shape and torch.equal(got["grad"].to(v.dtype), v)]
    assert_close(got["grad"], expected, what + ", compared with weights placed at [b, lengths[b] - 1]:",
                 rtol=1e-12, atol=0, hint=found[0] if len(found) == 1 else None, hints=HINTS)
