"""Shared by the public and hidden text_data tests: hints, examples, generated inputs, probes and checks.

The public tests need no implementation of the exercise: exact examples written out here (with the
outputs the catalogued mistakes give on them, each produced by the reference with that one change),
texts the grader builds from known words and separators (so their tokens are known by
construction), properties, and torch indexing for the last-time-step selection.
"""
from __future__ import annotations

import re

import torch
from hypothesis import strategies as st

from autograder import uploads
from autograder.checks import Mismatch, assert_close, hint_text, is_integer
from autograder.wire import short

EXERCISE = "text_data"

HINTS = {
    "html_kept": "the HTML tags are not stripped: their names end up as tokens (\"<br />\" gives \"br\"). Replace "
                 "every tag, from a < to the next >, by a space first (re.sub(r\"<[^>]*>\", \" \", text)).",
    "tag_glues_words": "the HTML tags are deleted without a space in their place, so the words on both sides of a "
                       "tag are glued together (\"good<br />bad\" -> \"goodbad\"): replace each tag by one space.",
    "stop_words_kept": "the stop words are not dropped: remove every token that is in stop_words (the argument, "
                       "STOP_WORDS by default), after splitting.",
    "apostrophe": "the apostrophe is treated like other punctuation (a space), so \"don't\" gives \"don\" and "
                  "\"t\"; the conventions delete the ASCII apostrophe ' instead (\"don't\" -> \"dont\").",
    "case_dropped": "capital letters are lost: characters outside a-z are replaced before the text is lowercased, "
                    "so \"GREAT\" disappears and \"Film\" becomes \"ilm\". Lowercase first (step 2), then replace.",
    "empty_tokens": "the tokens include empty strings: text.split(\" \") splits at every single space; "
                    "text.split() (no argument) splits on runs of whitespace and never returns empty tokens.",
    "min_count_ignored": "words that occur fewer than min_count times are kept: keep only the words whose count is "
                         "at least min_count.",
    "vocab_ignored": "the dataset built its own vocabulary although one was given: with vocab given, encode with it "
                     "(and keep it as self.vocab), so that a test set uses the training set's ids.",
    "word_ids_collide": "the words are numbered from 0, so the most frequent words share ids 0 and 1 with "
                        "\"<pad>\" and \"<unk>\": the first word gets id 2 (e.g. vocab[word] = len(vocab) as "
                        "you add them).",
    "vocab_ties": "words of equal count are not in alphabetical order (Counter.most_common() keeps the order of "
                  "first appearance for ties): sort by (-count, word).",
    "max_size_specials": "max_size is counted with \"<pad>\" and \"<unk>\" included, so two words too few are kept: "
                         "max_size is the number of WORDS kept besides the two special tokens.",
    "document_frequency": "a word's count here is the number of token lists it appears in; the conventions count "
                          "every occurrence (a word used three times in one review counts 3).",
    "unknown_as_pad": "unknown words get id 0, the padding id; they must get the id of \"<unk>\", 1.",
    "labels_flipped": "the labels are flipped: \"positive\" is 1 and \"negative\" is 0.",
    "length_filter": "a review of exactly max_len tokens is kept; the filter is half-open, "
                     "min_len <= n < max_len, so that the 0-200 and 200-400 data sets do not overlap.",
    "empty_kept": "reviews left with no token after cleaning (an empty review, or only tags, digits and stop "
                  "words) are kept; drop them always (n >= 1), whatever min_len is: a sequence model needs at "
                  "least one step.",
    "vocab_before_filter": "the vocabulary is built from every review of the file; build it from the token lists "
                           "of the reviews the dataset keeps (after the length filter).",
    "left_padding": "the padding is put before the ids (left padding); the conventions put each review's ids at "
                    "the start of its row and the 0s after them.",
    "lengths_padded": "the lengths returned are the padded length T_max for every review; they must be each "
                      "review's own number of ids (before padding), which is what picks its last real step.",
    "first_step": "this is each sequence's output at its FIRST step, outputs[:, 0]; the classifier needs the "
                  "output at the last real step, outputs[b, lengths[b] - 1].",
    "last_padded_step": "this is outputs[:, -1], the last step of the padded batch, which is a padding step for "
                        "every sequence shorter than the longest: take outputs[b, lengths[b] - 1] for each b "
                        "(e.g. outputs[torch.arange(B), lengths - 1]).",
    "detached": "no gradient reaches outputs through your result (it is detached from the graph: .detach(), "
                ".numpy(), torch.no_grad() or a copy into a new tensor); select with torch indexing "
                "(outputs[torch.arange(B), lengths - 1]) or torch.gather so that training can backpropagate.",
}

# The exercise's given default stop words (a copy: public tests do not read the solutions).
STOP_WORDS = frozenset("""
a about an and are as at be been but by can could did do does for from had has have he her him his
how i if in into is it its just me my of on or our she so than that the their them then there these
they this those to too us very was we were what when where which while who will with would you your
""".split())

class _NotPassed:
    """stop_words left out of the call (the default STOP_WORDS applies)."""

    def __repr__(self) -> str:
        return "<stop_words not passed>"


DEFAULT = _NotPassed()


def matching_hint(got, variants: dict) -> str | None:
    """The one catalogued mistake whose output (the reference with that one change, on this input) equals
    ``got``; None when none does or when several different mistakes give the same output."""
    found = {hint for hint, value in variants.items() if value == got}
    return found.pop() if len(found) == 1 else None


def first_difference(got: list, expected: list) -> str:
    """Where two token or id lists part, as an observation."""
    for i, (g, e) in enumerate(zip(got, expected)):
        if g != e:
            return f"  first difference at position {i}: got {g!r}, expected {e!r}"
    if len(got) != len(expected):
        longer, which = (got, "got") if len(got) > len(expected) else (expected, "expected")
        return (f"  the lists agree up to position {min(len(got), len(expected)) - 1}; {which} goes on with "
                f"{longer[min(len(got), len(expected)):][:5]!r}")
    return ""


# ============================================================================= clean_text
# Exact examples: the text, the stop words (DEFAULT: not passed), the expected tokens, and the output of each
# catalogued mistake that gives another result on it.
CLEAN_EXAMPLES = [
    {"text": "A <b>great</b> film, I loved it!<br /><br />10/10",
     "expected": ["great", "film", "loved"]},
    {"text": "Don't watch it... the plot's \"twists\" were DULL & predictable.",
     "expected": ["dont", "watch", "plots", "twists", "dull", "predictable"]},
    {"text": "good<br />bad<i>ugly</i>", "stop_words": (),
     "expected": ["good", "bad", "ugly"]},
    {"text": "", "expected": []},
    {"text": "<br /><br />", "expected": []},
    {"text": "The 2nd act? It is SO-SO, but the cast is fine.", "stop_words": ["act", "fine"],
     "expected": ["the", "nd", "it", "is", "so", "so", "but", "the", "cast", "is"]},
    {"text": "Caf\u00e9 cr\u00e8me \u2014 tr\u00e8s bien!",
     "expected": ["caf", "cr", "tr", "s", "bien"]},
    {"text": "It wasn\u2019t bad. It was NOT good either;\nthe End", "stop_words": ("it", "the", "was"),
     "expected": ["wasn", "t", "bad", "not", "good", "either", "end"]},
]

WORD_POOL = ("film", "movie", "great", "dull", "plot", "acting", "the", "a", "it", "not", "was", "and", "loved",
             "score", "i", "is", "bad", "good", "cast", "x")
SEPARATORS = (" ", "  ", "\n", "\t", ", ", ". ", "... ", "! ", "?", " - ", "--", " (", ") ", " \"", "\" ", ";",
              ":", "<br />", "<br /><br />", "<i>", "</i>", " <b>", "</b> ", "10/10", " 7 ", "2", "\u2019",
              "\u00e9", "*", "&", "/")


@st.composite
def built_texts(draw):
    """(text, stop_words or DEFAULT, expected tokens): a text made of known words (each in some case, some with
    an apostrophe inside) and separators that contribute no token, so its tokens are known by construction."""
    n = draw(st.integers(0, 12), label="words")
    pieces, tokens = [draw(st.sampled_from(("",) + SEPARATORS), label="leading")], []
    for i in range(n):
        word = draw(st.one_of(st.sampled_from(WORD_POOL), st.text("abcdefghijklmnopqrstuvwxyz", min_size=1,
                                                                  max_size=6)), label="word")
        case = draw(st.sampled_from(("lower", "upper", "title")), label="case")
        written = {"lower": word, "upper": word.upper(), "title": word.title()}[case]
        if len(word) >= 2 and draw(st.booleans(), label="apostrophe"):
            cut = draw(st.integers(1, len(word) - 1), label="apostrophe at")
            written = written[:cut] + "'" + written[cut:]
        if i:
            pieces.append(draw(st.sampled_from(SEPARATORS), label="separator"))
        pieces.append(written)
        tokens.append(word)
    pieces.append(draw(st.sampled_from(("",) + SEPARATORS), label="trailing"))
    stop = draw(st.sampled_from((DEFAULT, (), ("the", "film", "x"), ["not", "loved", "a"])), label="stop_words")
    drop = STOP_WORDS if stop is DEFAULT else set(stop)
    return "".join(pieces), stop, [t for t in tokens if t not in drop]


def clean_call(text: str, stop_words) -> str:
    return f"clean_text({text!r}" + ("" if stop_words is DEFAULT else f", stop_words={stop_words!r}") + ")"


def call_clean(sub, text: str, stop_words):
    return sub.clean_text(text) if stop_words is DEFAULT else sub.clean_text(text, stop_words)


def check_token_list(got, what: str) -> None:
    if not isinstance(got, list) or not all(isinstance(t, str) for t in got):
        raise Mismatch(f"{what}\n  got: {got!r}\n  clean_text must return a list of str")


def check_tokens(got, expected: list, what: str, variants: dict | None = None, reveal: bool = True) -> None:
    check_token_list(got, what)
    if got == expected:
        return
    hint = matching_hint(got, variants or {})
    lines = [what]
    if reveal:
        lines.append(f"  expected: {expected!r}")
    lines.append(f"  got:      {got!r}")
    bad = [t for t in got if not re.fullmatch(r"[a-z]+", t)]
    if bad:
        lines.append(f"  observed: tokens that are not runs of the letters a-z: {bad[:5]!r}")
    elif reveal:
        lines.append(first_difference(got, expected))
    else:
        extra = sorted(set(got) - set(expected))[:5]
        missing = sorted(set(expected) - set(got))[:5]
        if extra:
            lines.append(f"  observed: tokens that should not be there: {extra!r}")
        if missing:
            lines.append(f"  observed: {len(set(expected) - set(got))} expected token(s) missing")
    raise Mismatch("\n".join(line for line in lines if line) + hint_text(hint, HINTS))


# ============================================================================= build_vocab and encode
VOCAB_LISTS = [["good", "film", "good"], ["bad", "film"], ["good", "acting"]]
VOCAB_EXAMPLES = [
    {"token_lists": VOCAB_LISTS, "kwargs": {},
     "expected": {"<pad>": 0, "<unk>": 1, "good": 2, "film": 3, "acting": 4, "bad": 5}},
    {"token_lists": VOCAB_LISTS, "kwargs": {"min_count": 2},
     "expected": {"<pad>": 0, "<unk>": 1, "good": 2, "film": 3}},
    {"token_lists": VOCAB_LISTS, "kwargs": {"max_size": 3},
     "expected": {"<pad>": 0, "<unk>": 1, "good": 2, "film": 3, "acting": 4}},
    {"token_lists": [["b", "a", "b", "c", "a"], ["c", "d"]], "kwargs": {"min_count": 2, "max_size": 2},
     "expected": {"<pad>": 0, "<unk>": 1, "a": 2, "b": 3}},
    {"token_lists": [], "kwargs": {}, "expected": {"<pad>": 0, "<unk>": 1}},
    {"token_lists": [["one"], ["dull", "dull", "dull", "film"]], "kwargs": {"max_size": 0},
     "expected": {"<pad>": 0, "<unk>": 1}},
]


def vocab_call(token_lists, kwargs: dict) -> str:
    return "build_vocab(" + ", ".join([repr(token_lists)] + [f"{k}={v!r}" for k, v in kwargs.items()]) + ")"


def vocab_problem(got) -> str | None:
    """What makes ``got`` not a vocabulary at all (None when it is one)."""
    if not isinstance(got, dict) or not all(isinstance(k, str) and is_integer(v) for k, v in got.items()):
        return "build_vocab must return a dict str -> int"
    if got.get("<pad>") != 0 or got.get("<unk>") != 1:
        return "\"<pad>\" must have id 0 and \"<unk>\" id 1"
    return None


def check_vocab(got, expected: dict, what: str, variants: dict | None = None, reveal: bool = True) -> None:
    problem = vocab_problem(got)
    if problem is None and got == expected:
        return
    hint = matching_hint(got, variants or {})
    lines = [what] + ([f"  expected: {expected!r}"] if reveal else []) + [f"  got:      {got!r}"]
    if problem:
        lines.append("  " + problem)
    elif isinstance(got, dict):
        ids = sorted(got.values())
        if ids != list(range(len(got))):
            lines.append(f"  observed: the ids are not 0, 1, ..., {len(got) - 1}, each once: {ids}")
        elif set(got) == set(expected):
            lines.append("  observed: the same words, with other ids")
        else:
            lines.append(f"  observed: {len(got) - 2} words kept; expected {len(expected) - 2}")
    raise Mismatch("\n".join(lines) + hint_text(hint, HINTS))


ENCODE_VOCAB = {"<pad>": 0, "<unk>": 1, "good": 2, "film": 3, "not": 4}
ENCODE_EXAMPLES = [
    (["good", "bad", "film", "good", "plot"], [2, 1, 3, 2, 1]),
    (["not", "film"], [4, 3]),
    (["unseen"], [1]),
    ([], []),
]


# ============================================================================= TextClassificationDataset
# A hand-written IMDB-layout file: quotes doubled inside a quoted field, commas and a line break in a review,
# an empty review and one with nothing but tags and digits.
CSV_TEXT = ('review,sentiment\r\n'
            '"A <b>great</b> film, I loved it!<br /><br />Great acting, great score.",positive\r\n'
            '"Dull. The plot was ""clever"", they said; it was not.",negative\r\n'
            ',negative\r\n'
            '<br /><br />10/10,positive\r\n'
            '"Loved the acting,\nloved the score: a great film.",positive\r\n'
            '"Not great, not awful: dull.",negative\r\n')

GIVEN_VOCAB = {"<pad>": 0, "<unk>": 1, "great": 2, "dull": 3, "film": 4}


def summarise(length, items, vocab) -> dict:
    """A dataset as plain data: its length, its items as [ids, label], its vocabulary."""
    def plain(v):
        return v.tolist() if isinstance(v, torch.Tensor) else v
    return {"len": length, "labels": [plain(label) for _, label in items],
            "ids": [plain(ids) for ids, _ in items], "vocab": vocab}


DATASET_CASES = [
    {"kwargs": {},
     "expected": {"len": 4, "labels": [1, 0, 1, 0],
                  "ids": [[2, 7, 3, 2, 5, 2, 8], [6, 11, 10, 12, 4], [3, 5, 3, 8, 2, 7], [4, 2, 4, 9, 6]],
                  "vocab": {"<pad>": 0, "<unk>": 1, "great": 2, "loved": 3, "not": 4, "acting": 5, "dull": 6,
                            "film": 7, "score": 8, "awful": 9, "clever": 10, "plot": 11, "said": 12}}},
    {"kwargs": {"min_len": 5, "max_len": 7, "min_count": 2},
     "expected": {"len": 3, "labels": [0, 1, 0], "ids": [[3, 1, 1, 1, 2], [5, 1, 5, 1, 4, 1], [2, 4, 2, 1, 3]],
                  "vocab": {"<pad>": 0, "<unk>": 1, "not": 2, "dull": 3, "great": 4, "loved": 5}}},
    {"kwargs": {"vocab": GIVEN_VOCAB},
     "expected": {"len": 4, "labels": [1, 0, 1, 0],
                  "ids": [[2, 4, 1, 2, 1, 2, 1], [3, 1, 1, 1, 1], [1, 1, 1, 1, 2, 4], [1, 2, 1, 1, 3]],
                  "vocab": GIVEN_VOCAB}},
    {"kwargs": {"max_size": 2, "stop_words": ("not", "the", "a", "it", "was"), "max_len": 8},
     "expected": {"len": 3, "labels": [0, 1, 0], "ids": [[2, 1, 1, 1, 1], [1, 1, 1, 1, 3, 1], [3, 1, 2]],
                  "vocab": {"<pad>": 0, "<unk>": 1, "dull": 2, "great": 3}}},
]


def csv_folder():
    """A fresh folder that student code may read (see autograder.uploads.shared_folder)."""
    return uploads.shared_folder("text_data-grader-")


def write_csv(folder, name: str, text: str):
    return uploads.write_exclusive(folder / name, text.encode("utf-8"))


def dataset_call(kwargs: dict, path: str = "reviews.csv") -> str:
    return "TextClassificationDataset(" + ", ".join([repr(path)] + [f"{k}={v!r}" for k, v in kwargs.items()]) + ")"


def probe_dataset(module, path: str, kwargs: dict) -> dict:
    """The student's dataset on ``path``: its length, every item, its vocab (as plain data), and the types of
    the items' parts."""
    ds = module.TextClassificationDataset(path, **kwargs)
    n = len(ds)
    items = [ds[i] for i in range(n)]
    problems = []
    for i, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            problems.append(f"dataset[{i}] is {type(item).__name__}, not a pair (ids, label)")
            break
        ids, label = item
        if not isinstance(ids, torch.Tensor) or ids.dim() != 1 or ids.dtype != torch.int64:
            what = (f"a {ids.dim()}-D {ids.dtype} tensor" if isinstance(ids, torch.Tensor) else type(ids).__name__)
            problems.append(f"dataset[{i}][0] is {what}; it must be a 1-D int64 tensor")
            break
        if not (is_integer(label) or (isinstance(label, torch.Tensor) and label.dim() == 0
                                      and not label.dtype.is_floating_point)):
            problems.append(f"dataset[{i}][1] is {label!r}; it must be an int, 0 or 1")
            break
    if problems:
        return {"problem": problems[0]}
    vocab = getattr(ds, "vocab", None)
    if not isinstance(vocab, dict):
        return {"problem": f"dataset.vocab is {type(vocab).__name__}; it must be the vocabulary (a dict str -> int) "
                           "the dataset encodes with"}
    return summarise(n, items, dict(vocab))


probe_dataset.describes = "TextClassificationDataset"


def check_dataset(got: dict, expected: dict, what: str, variants: dict | None = None, reveal: bool = True) -> None:
    """Length, labels, vocabulary, then ids: the first part that differs is shown; a hint only when a catalogued
    mistake gives the whole dataset (every part) that was got."""
    if "problem" in got:
        raise Mismatch(f"{what}\n  {got['problem']}")
    parts = (("len", "len(dataset)"), ("labels", "the labels of the items, in order"), ("vocab", "dataset.vocab"),
             ("ids", "the ids of the items, in order"))
    whole = {part: got[part] for part, _ in parts}
    hint = matching_hint(whole, {h: {part: v[part] for part, _ in parts} for h, v in (variants or {}).items()
                                 if v != expected})
    for part, label in parts:
        if got[part] == expected[part]:
            continue
        lines = [f"{what}\n  {label}:"] + ([f"  expected: {short(repr(expected[part]), 600)}"] if reveal else [])
        lines.append(f"  got:      {short(repr(got[part]), 600)}")
        lines.append(dataset_observation(part, got[part], expected[part]))
        raise Mismatch("\n".join(line for line in lines if line) + hint_text(hint, HINTS))


def dataset_observation(part: str, got, expected) -> str:
    """What differs in one part of a dataset, without its expected value."""
    if part == "len" and is_integer(got):
        return f"  observed: {'more' if got > expected else 'fewer'} reviews kept than expected"
    if part == "labels" and isinstance(got, list) and len(got) == len(expected):
        if all(g == 1 - e for g, e in zip(got, expected)):
            return "  observed: every label is the opposite of the expected one"
        return f"  observed: {sum(g != e for g, e in zip(got, expected))} of {len(got)} labels differ"
    if part == "vocab" and isinstance(got, dict):
        if set(got) == set(expected):
            return "  observed: the same words, with other ids"
        extra, missing = len(set(got) - set(expected)), len(set(expected) - set(got))
        return f"  observed: {extra} word(s) that should not be there, {missing} missing"
    if part == "ids" and isinstance(got, list) and len(got) == len(expected):
        bad = [i for i, (g, e) in enumerate(zip(got, expected)) if g != e]
        return f"  observed: items {bad[:6]}{' ...' if len(bad) > 6 else ''} differ"
    return ""


@st.composite
def corpus_cases(draw, max_rows=40, max_words=60):
    """Parameters of a generated review corpus and of the datasets built on it (plain data)."""
    n = draw(st.integers(6, max_rows), label="rows")
    seed = draw(st.integers(0, 2**16), label="corpus seed")
    min_len = draw(st.sampled_from((0, 3, 8)), label="min_len")
    max_len = draw(st.sampled_from((12, 20, 40, 200)), label="max_len")
    min_count = draw(st.sampled_from((1, 2, 3)), label="min_count")
    max_size = draw(st.sampled_from((None, 5, 20)), label="max_size")
    return {"rows": n, "seed": seed, "max_words": max_words,
            "kwargs": {"min_len": min_len, "max_len": max_len, "min_count": min_count, "max_size": max_size}}


def corpus_csv(rows) -> str:
    """``rows`` in the IMDB layout, as the text ``autograder.datasets.write_imdb_csv`` writes."""
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["review", "sentiment"])
    writer.writerows(rows)
    return buffer.getvalue()


DATASET_CHANGES = ("length_filter", "empty_kept", "labels_flipped", "vocab_before_filter", "vocab_ignored")


def assemble(module, path, kwargs: dict, change: str | None = None) -> dict:
    """The dataset the conventions describe, put together from ``module``'s own clean_text, build_vocab and
    encode (the student's in a probe, the reference's in the hidden tests), optionally with one catalogued
    change: "length_filter" (max_len included), "empty_kept" (no n >= 1), "labels_flipped",
    "vocab_before_filter" (vocabulary from every row), "vocab_ignored" (a vocabulary built even when one is
    given)."""
    import csv

    kwargs = dict(kwargs)
    vocab = kwargs.pop("vocab", None)
    min_len, max_len = kwargs.pop("min_len", 0), kwargs.pop("max_len", 200)
    stop = kwargs.pop("stop_words", DEFAULT)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    every = [module.clean_text(row["review"]) if stop is DEFAULT else module.clean_text(row["review"], stop)
             for row in rows]
    kept = []
    for tokens, row in zip(every, rows):
        n = len(tokens)
        inside = min_len <= n <= max_len if change == "length_filter" else min_len <= n < max_len
        if inside and (n >= 1 or change == "empty_kept"):
            label = 1 if row["sentiment"] == "positive" else 0
            kept.append((tokens, 1 - label if change == "labels_flipped" else label))
    if vocab is None or change == "vocab_ignored":
        vocab = module.build_vocab(every if change == "vocab_before_filter" else [t for t, _ in kept], **kwargs)
    return summarise(len(kept), [(module.encode(t, vocab), label) for t, label in kept], dict(vocab))


def probe_consistency(module, train_path: str, test_path: str, kwargs: dict) -> dict:
    """A training dataset built from ``train_path`` with ``kwargs`` and a test dataset on ``test_path`` with the
    training vocabulary; beside each, what the student's own clean_text / build_vocab / encode give when the
    grader assembles them as the conventions say ("own"), and with each catalogued change ("variants")."""
    out = {}
    for name, path, extra in (("train", train_path, kwargs), ("test", test_path, None)):
        if extra is None:
            extra = {"vocab": out["train"]["vocab"], "min_len": kwargs["min_len"], "max_len": kwargs["max_len"]}
        got = probe_dataset(module, path, extra)
        if "problem" in got:
            return {"problem": got["problem"]}
        out[name] = got
        out[name + "_own"] = assemble(module, path, extra)
        out[name + "_variants"] = {c: assemble(module, path, extra, c) for c in DATASET_CHANGES}
    return out


probe_consistency.describes = "TextClassificationDataset"


# ============================================================================= collate_batch and last_time_step
@st.composite
def batches(draw, max_batch=5, max_len=7):
    """A list of (ids, label) items: 1-D int64 tensors of length >= 1 and labels, all ints or all 0-d int64
    tensors (as a dataset may return them)."""
    b = draw(st.integers(1, max_batch), label="B")
    lengths = draw(st.lists(st.integers(1, max_len), min_size=b, max_size=b), label="lengths")
    tensor_labels = draw(st.booleans(), label="labels as 0-d tensors")
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**31 - 1), label="seed"))
    items = [(torch.randint(1, 50, (n,), generator=g), int(torch.randint(0, 2, (), generator=g))) for n in lengths]
    return [(ids, torch.tensor(label) if tensor_labels else label) for ids, label in items]


def padded(batch, left: bool = False) -> torch.Tensor:
    width = max(len(ids) for ids, _ in batch)
    out = torch.zeros(len(batch), width, dtype=torch.int64)
    for b, (ids, _) in enumerate(batch):
        if left:
            out[b, width - len(ids):] = ids
        else:
            out[b, :len(ids)] = ids
    return out


def check_collate(got, batch, what: str) -> None:
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise Mismatch(f"{what}\n  got: {short(repr(got), 300)}\n  collate_batch must return a tuple (ids, lengths, "
                       "labels)")
    expected = (padded(batch), torch.tensor([len(i) for i, _ in batch]), torch.tensor([int(l) for _, l in batch]))
    for name, value, want in zip(("ids", "lengths", "labels"), got, expected):
        if not isinstance(value, torch.Tensor) or value.dtype != torch.int64:
            kind = f"a {value.dtype} tensor" if isinstance(value, torch.Tensor) else type(value).__name__
            raise Mismatch(f"{what}\n  {name} is {kind}; it must be an int64 tensor")
        if tuple(value.shape) != tuple(want.shape) or not torch.equal(value, want):
            hint = None
            if name == "ids" and tuple(value.shape) == tuple(want.shape) and not torch.equal(padded(batch, True), want) \
                    and torch.equal(value, padded(batch, True)):
                hint = "left_padding"
            full = torch.full_like(want, expected[0].shape[1])
            if name == "lengths" and tuple(value.shape) == tuple(want.shape) and not torch.equal(full, want) \
                    and torch.equal(value, full):
                hint = "lengths_padded"
            assert_close(value, want, f"{what}\n  {name}:", rtol=0, atol=0, hint=hint, hints=HINTS)


@st.composite
def padded_outputs(draw, max_batch=5, max_steps=6, max_classes=4):
    """(outputs (B, T, C) float32 or float64, lengths as a list of ints, how to pass them: "list", "int64" or
    "int32"): lengths in [1, T], with T itself taken by at least one sequence."""
    b = draw(st.integers(2, max_batch), label="B")
    t = draw(st.integers(1, max_steps), label="T")
    c = draw(st.integers(1, max_classes), label="C")
    lengths = draw(st.lists(st.integers(1, t), min_size=b, max_size=b), label="lengths")
    lengths[draw(st.integers(0, b - 1), label="longest")] = t
    dtype = draw(st.sampled_from((torch.float32, torch.float64)), label="dtype")
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**31 - 1), label="seed"))
    outputs = torch.randn(b, t, c, generator=g).to(dtype)
    return outputs, lengths, draw(st.sampled_from(("list", "int64", "int32")), label="lengths as")


def lengths_arg(lengths, kind: str):
    """The lengths as the test passes them: a list of ints, or an int64 or int32 tensor."""
    return list(lengths) if kind == "list" else torch.tensor(lengths, dtype=getattr(torch, kind))


def selection(outputs: torch.Tensor, lengths) -> torch.Tensor:
    lengths = torch.as_tensor(lengths, dtype=torch.int64)
    return outputs[torch.arange(outputs.shape[0]), lengths - 1]


def check_last_step(got, outputs: torch.Tensor, lengths, what: str) -> None:
    expected = selection(outputs, lengths)
    if isinstance(got, torch.Tensor) and got.dtype != outputs.dtype:
        raise Mismatch(f"{what}\n  the result is {got.dtype}; outputs is {outputs.dtype}: keep its dtype")
    variants = {"first_step": outputs[:, 0], "last_padded_step": outputs[:, -1]}
    found = [h for h, v in variants.items() if isinstance(got, torch.Tensor) and got.shape == v.shape
             and torch.equal(got, v) and not torch.equal(v, expected)]
    assert_close(got, expected, what + "\n  compared with outputs[b, lengths[b] - 1] for every b (exactly):",
                 rtol=0, atol=0, hint=found[0] if len(found) == 1 else None, hints=HINTS)


def probe_last_step_gradient(module, outputs: torch.Tensor, lengths, weights: torch.Tensor) -> dict:
    """Backpropagate sum(weights * last_time_step(outputs, lengths)) to a copy of ``outputs`` that requires
    grad; returns the gradient it gets (None: not connected)."""
    x = outputs.clone().requires_grad_(True)
    out = module.last_time_step(x, lengths)
    if not isinstance(out, torch.Tensor) or out.shape != weights.shape:
        return {"problem": f"last_time_step returned {type(out).__name__} of shape "
                           f"{tuple(getattr(out, 'shape', ()))}; expected a tensor of shape {tuple(weights.shape)}"}
    if not out.requires_grad:
        return {"grad": None}
    (out * weights.to(out.dtype)).sum().backward()
    return {"grad": None if x.grad is None else x.grad.detach().clone()}


probe_last_step_gradient.describes = "last_time_step"


# ============================================================================= generated: do not edit by hand
# What each catalogued mistake (the reference with that one change: selftests/mutants/text_data) gives on the
# examples above, where it differs from the expected value; one entry per example, in order.
# BEGIN VARIANTS
CLEAN_VARIANTS = [{'empty_tokens': ['great', 'film', 'loved', ''],
  'html_kept': ['b', 'great', 'b', 'film', 'loved', 'br', 'br'],
  'stop_words_kept': ['a', 'great', 'film', 'i', 'loved', 'it']},
 {'apostrophe': ['don', 't', 'watch', 'plot', 's', 'twists', 'dull', 'predictable'],
  'case_dropped': ['ont', 'watch', 'plots', 'twists', 'predictable'],
  'empty_tokens': ['dont', 'watch', 'plots', 'twists', 'dull', 'predictable', ''],
  'stop_words_kept': ['dont', 'watch', 'it', 'the', 'plots', 'twists', 'were', 'dull', 'predictable']},
 {'empty_tokens': ['good', 'bad', 'ugly', ''],
  'html_kept': ['good', 'br', 'bad', 'i', 'ugly', 'i'],
  'tag_glues_words': ['goodbadugly']},
 {'empty_tokens': ['']}, {'empty_tokens': ['', ''], 'html_kept': ['br', 'br']},
 {'case_dropped': ['he', 'nd', 't', 'is', 'but', 'the', 'cast', 'is'],
  'empty_tokens': ['the', 'nd', 'it', 'is', 'so', 'so', 'but', 'the', 'cast', 'is', ''],
  'stop_words_kept': ['the', 'nd', 'act', 'it', 'is', 'so', 'so', 'but', 'the', 'cast', 'is', 'fine']},
 {'case_dropped': ['af', 'cr', 'tr', 's', 'bien'],
  'empty_tokens': ['caf', 'cr', 'tr', 's', 'bien', ''],
  'stop_words_kept': ['caf', 'cr', 'me', 'tr', 's', 'bien']},
 {'case_dropped': ['t', 'wasn', 't', 'bad', 't', 'good', 'either', 'nd'],
  'stop_words_kept': ['it', 'wasn', 't', 'bad', 'it', 'was', 'not', 'good', 'either', 'the', 'end']}]
VOCAB_VARIANTS = [{'document_frequency': {'<pad>': 0, '<unk>': 1, 'acting': 4, 'bad': 5, 'film': 2, 'good': 3},
  'vocab_ties': {'<pad>': 0, '<unk>': 1, 'acting': 5, 'bad': 4, 'film': 3, 'good': 2},
  'word_ids_collide': {'<pad>': 0, '<unk>': 1, 'acting': 2, 'bad': 3, 'film': 1, 'good': 0}},
 {'document_frequency': {'<pad>': 0, '<unk>': 1, 'film': 2, 'good': 3},
  'min_count_ignored': {'<pad>': 0, '<unk>': 1, 'acting': 4, 'bad': 5, 'film': 3, 'good': 2},
  'word_ids_collide': {'<pad>': 0, '<unk>': 1, 'film': 1, 'good': 0}},
 {'document_frequency': {'<pad>': 0, '<unk>': 1, 'acting': 4, 'film': 2, 'good': 3},
  'max_size_specials': {'<pad>': 0, '<unk>': 1, 'good': 2},
  'vocab_ties': {'<pad>': 0, '<unk>': 1, 'bad': 4, 'film': 3, 'good': 2},
  'word_ids_collide': {'<pad>': 0, '<unk>': 1, 'acting': 2, 'film': 1, 'good': 0}},
 {'document_frequency': {'<pad>': 0, '<unk>': 1, 'c': 2},
  'max_size_specials': {'<pad>': 0, '<unk>': 1},
  'vocab_ties': {'<pad>': 0, '<unk>': 1, 'a': 3, 'b': 2},
  'word_ids_collide': {'<pad>': 0, '<unk>': 1, 'a': 0, 'b': 1}},
 {}, {}]
DATASET_VARIANTS = [{'case_dropped': {'ids': [[2, 4, 5, 14, 3, 2, 7], [16, 13, 9, 15, 6], [12, 3, 5, 7, 2, 4], [11, 2, 6, 8, 10]],
                   'labels': [1, 0, 1, 0],
                   'len': 4,
                   'vocab': {'<pad>': 0,
                             '<unk>': 1,
                             'acting': 3,
                             'awful': 8,
                             'clever': 9,
                             'dull': 10,
                             'film': 4,
                             'great': 2,
                             'loved': 5,
                             'not': 6,
                             'ot': 11,
                             'oved': 12,
                             'plot': 13,
                             'reat': 14,
                             'said': 15,
                             'score': 7,
                             'ull': 16}},
  'document_frequency': {'ids': [[2, 5, 6, 2, 3, 2, 8], [4, 11, 10, 12, 7], [6, 3, 6, 8, 2, 5], [7, 2, 7, 9, 4]],
                         'labels': [1, 0, 1, 0],
                         'len': 4,
                         'vocab': {'<pad>': 0,
                                   '<unk>': 1,
                                   'acting': 3,
                                   'awful': 9,
                                   'clever': 10,
                                   'dull': 4,
                                   'film': 5,
                                   'great': 2,
                                   'loved': 6,
                                   'not': 7,
                                   'plot': 11,
                                   'said': 12,
                                   'score': 8}},
  'empty_kept': {'ids': [[2, 7, 3, 2, 5, 2, 8], [6, 11, 10, 12, 4], [], [], [3, 5, 3, 8, 2, 7], [4, 2, 4, 9, 6]],
                 'labels': [1, 0, 0, 1, 1, 0],
                 'len': 6,
                 'vocab': {'<pad>': 0,
                           '<unk>': 1,
                           'acting': 5,
                           'awful': 9,
                           'clever': 10,
                           'dull': 6,
                           'film': 7,
                           'great': 2,
                           'loved': 3,
                           'not': 4,
                           'plot': 11,
                           'said': 12,
                           'score': 8}},
  'empty_tokens': {'ids': [[3, 8, 4, 3, 6, 3, 9, 2], [7, 12, 11, 13, 5, 2], [2], [2, 2], [4, 6, 4, 9, 3, 8, 2],
                           [5, 3, 5, 10, 7, 2]],
                   'labels': [1, 0, 0, 1, 1, 0],
                   'len': 6,
                   'vocab': {'': 2,
                             '<pad>': 0,
                             '<unk>': 1,
                             'acting': 6,
                             'awful': 10,
                             'clever': 11,
                             'dull': 7,
                             'film': 8,
                             'great': 3,
                             'loved': 4,
                             'not': 5,
                             'plot': 12,
                             'said': 13,
                             'score': 9}},
  'html_kept': {'ids': [[7, 2, 7, 9, 4, 3, 3, 2, 6, 2, 10], [8, 13, 12, 14, 5], [3, 3], [4, 6, 4, 10, 2, 9],
                        [5, 2, 5, 11, 8]],
                'labels': [1, 0, 1, 1, 0],
                'len': 5,
                'vocab': {'<pad>': 0,
                          '<unk>': 1,
                          'acting': 6,
                          'awful': 11,
                          'b': 7,
                          'br': 3,
                          'clever': 12,
                          'dull': 8,
                          'film': 9,
                          'great': 2,
                          'loved': 4,
                          'not': 5,
                          'plot': 13,
                          'said': 14,
                          'score': 10}},
  'labels_flipped': {'ids': [[2, 7, 3, 2, 5, 2, 8], [6, 11, 10, 12, 4], [3, 5, 3, 8, 2, 7], [4, 2, 4, 9, 6]],
                     'labels': [0, 1, 0, 1],
                     'len': 4,
                     'vocab': {'<pad>': 0,
                               '<unk>': 1,
                               'acting': 5,
                               'awful': 9,
                               'clever': 10,
                               'dull': 6,
                               'film': 7,
                               'great': 2,
                               'loved': 3,
                               'not': 4,
                               'plot': 11,
                               'said': 12,
                               'score': 8}},
  'stop_words_kept': {'ids': [[6, 2, 9, 15, 3, 10, 2, 7, 2, 11], [8, 5, 16, 12, 14, 18, 17, 10, 12, 4],
                              [3, 5, 7, 3, 5, 11, 6, 2, 9], [4, 2, 4, 13, 8]],
                      'labels': [1, 0, 1, 0],
                      'len': 4,
                      'vocab': {'<pad>': 0,
                                '<unk>': 1,
                                'a': 6,
                                'acting': 7,
                                'awful': 13,
                                'clever': 14,
                                'dull': 8,
                                'film': 9,
                                'great': 2,
                                'i': 15,
                                'it': 10,
                                'loved': 3,
                                'not': 4,
                                'plot': 16,
                                'said': 17,
                                'score': 11,
                                'the': 5,
                                'they': 18,
                                'was': 12}},
  'vocab_ties': {'ids': [[2, 5, 3, 2, 6, 2, 7], [8, 9, 10, 11, 4], [3, 6, 3, 7, 2, 5], [4, 2, 4, 12, 8]],
                 'labels': [1, 0, 1, 0],
                 'len': 4,
                 'vocab': {'<pad>': 0,
                           '<unk>': 1,
                           'acting': 6,
                           'awful': 12,
                           'clever': 10,
                           'dull': 8,
                           'film': 5,
                           'great': 2,
                           'loved': 3,
                           'not': 4,
                           'plot': 9,
                           'said': 11,
                           'score': 7}},
  'word_ids_collide': {'ids': [[0, 5, 1, 0, 3, 0, 6], [4, 9, 8, 10, 2], [1, 3, 1, 6, 0, 5], [2, 0, 2, 7, 4]],
                       'labels': [1, 0, 1, 0],
                       'len': 4,
                       'vocab': {'<pad>': 0,
                                 '<unk>': 1,
                                 'acting': 3,
                                 'awful': 7,
                                 'clever': 8,
                                 'dull': 4,
                                 'film': 5,
                                 'great': 0,
                                 'loved': 1,
                                 'not': 2,
                                 'plot': 9,
                                 'said': 10,
                                 'score': 6}}},
 {'case_dropped': {'ids': [[1, 1, 1, 1, 3], [1, 1, 1, 1, 2, 1], [1, 2, 3, 1, 1]],
                   'labels': [0, 1, 0],
                   'len': 3,
                   'vocab': {'<pad>': 0, '<unk>': 1, 'great': 2, 'not': 3}},
  'document_frequency': {'ids': [[2, 1, 1, 1, 4], [1, 1, 1, 1, 3, 1], [4, 3, 4, 1, 2]],
                         'labels': [0, 1, 0],
                         'len': 3,
                         'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 2, 'great': 3, 'not': 4}},
  'empty_tokens': {'ids': [[4, 1, 1, 1, 2, 3], [2, 1, 2, 1, 4, 3]],
                   'labels': [0, 0],
                   'len': 2,
                   'vocab': {'': 3, '<pad>': 0, '<unk>': 1, 'dull': 4, 'not': 2}},
  'labels_flipped': {'ids': [[3, 1, 1, 1, 2], [5, 1, 5, 1, 4, 1], [2, 4, 2, 1, 3]],
                     'labels': [1, 0, 1],
                     'len': 3,
                     'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 3, 'great': 4, 'loved': 5, 'not': 2}},
  'length_filter': {'ids': [[2, 7, 3, 2, 5, 2, 8], [6, 1, 1, 1, 4], [3, 5, 3, 8, 2, 7], [4, 2, 4, 1, 6]],
                    'labels': [1, 0, 1, 0],
                    'len': 4,
                    'vocab': {'<pad>': 0,
                              '<unk>': 1,
                              'acting': 5,
                              'dull': 6,
                              'film': 7,
                              'great': 2,
                              'loved': 3,
                              'not': 4,
                              'score': 8}},
  'min_count_ignored': {'ids': [[3, 10, 8, 11, 2], [5, 6, 5, 12, 4, 9], [2, 4, 2, 7, 3]],
                        'labels': [0, 1, 0],
                        'len': 3,
                        'vocab': {'<pad>': 0,
                                  '<unk>': 1,
                                  'acting': 6,
                                  'awful': 7,
                                  'clever': 8,
                                  'dull': 3,
                                  'film': 9,
                                  'great': 4,
                                  'loved': 5,
                                  'not': 2,
                                  'plot': 10,
                                  'said': 11,
                                  'score': 12}},
  'stop_words_kept': {'ids': [[2, 1, 2, 1, 1]],
                      'labels': [0],
                      'len': 1,
                      'vocab': {'<pad>': 0, '<unk>': 1, 'not': 2}},
  'unknown_as_pad': {'ids': [[3, 0, 0, 0, 2], [5, 0, 5, 0, 4, 0], [2, 4, 2, 0, 3]],
                     'labels': [0, 1, 0],
                     'len': 3,
                     'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 3, 'great': 4, 'loved': 5, 'not': 2}},
  'vocab_before_filter': {'ids': [[6, 1, 1, 1, 4], [3, 5, 3, 8, 2, 7], [4, 2, 4, 1, 6]],
                          'labels': [0, 1, 0],
                          'len': 3,
                          'vocab': {'<pad>': 0,
                                    '<unk>': 1,
                                    'acting': 5,
                                    'dull': 6,
                                    'film': 7,
                                    'great': 2,
                                    'loved': 3,
                                    'not': 4,
                                    'score': 8}},
  'vocab_ties': {'ids': [[3, 1, 1, 1, 2], [4, 1, 4, 1, 5, 1], [2, 5, 2, 1, 3]],
                 'labels': [0, 1, 0],
                 'len': 3,
                 'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 3, 'great': 5, 'loved': 4, 'not': 2}},
  'word_ids_collide': {'ids': [[1, 1, 1, 1, 0], [3, 1, 3, 1, 2, 1], [0, 2, 0, 1, 1]],
                       'labels': [0, 1, 0],
                       'len': 3,
                       'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 1, 'great': 2, 'loved': 3, 'not': 0}}},
 {'case_dropped': {'ids': [[2, 4, 1, 1, 1, 2, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 2, 4], [1, 2, 1, 1, 3]],
                   'labels': [1, 0, 1, 0],
                   'len': 4,
                   'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 3, 'film': 4, 'great': 2}},
  'empty_kept': {'ids': [[2, 4, 1, 2, 1, 2, 1], [3, 1, 1, 1, 1], [], [], [1, 1, 1, 1, 2, 4], [1, 2, 1, 1, 3]],
                 'labels': [1, 0, 0, 1, 1, 0],
                 'len': 6,
                 'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 3, 'film': 4, 'great': 2}},
  'empty_tokens': {'ids': [[2, 4, 1, 2, 1, 2, 1, 1], [3, 1, 1, 1, 1, 1], [1], [1, 1], [1, 1, 1, 1, 2, 4, 1],
                           [1, 2, 1, 1, 3, 1]],
                   'labels': [1, 0, 0, 1, 1, 0],
                   'len': 6,
                   'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 3, 'film': 4, 'great': 2}},
  'html_kept': {'ids': [[1, 2, 1, 4, 1, 1, 1, 2, 1, 2, 1], [3, 1, 1, 1, 1], [1, 1], [1, 1, 1, 1, 2, 4],
                        [1, 2, 1, 1, 3]],
                'labels': [1, 0, 1, 1, 0],
                'len': 5,
                'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 3, 'film': 4, 'great': 2}},
  'labels_flipped': {'ids': [[2, 4, 1, 2, 1, 2, 1], [3, 1, 1, 1, 1], [1, 1, 1, 1, 2, 4], [1, 2, 1, 1, 3]],
                     'labels': [0, 1, 0, 1],
                     'len': 4,
                     'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 3, 'film': 4, 'great': 2}},
  'stop_words_kept': {'ids': [[1, 2, 4, 1, 1, 1, 2, 1, 2, 1], [3, 1, 1, 1, 1, 1, 1, 1, 1, 1],
                              [1, 1, 1, 1, 1, 1, 1, 2, 4], [1, 2, 1, 1, 3]],
                      'labels': [1, 0, 1, 0],
                      'len': 4,
                      'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 3, 'film': 4, 'great': 2}},
  'unknown_as_pad': {'ids': [[2, 4, 0, 2, 0, 2, 0], [3, 0, 0, 0, 0], [0, 0, 0, 0, 2, 4], [0, 2, 0, 0, 3]],
                     'labels': [1, 0, 1, 0],
                     'len': 4,
                     'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 3, 'film': 4, 'great': 2}},
  'vocab_ignored': {'ids': [[2, 7, 3, 2, 5, 2, 8], [6, 11, 10, 12, 4], [3, 5, 3, 8, 2, 7], [4, 2, 4, 9, 6]],
                    'labels': [1, 0, 1, 0],
                    'len': 4,
                    'vocab': {'<pad>': 0,
                              '<unk>': 1,
                              'acting': 5,
                              'awful': 9,
                              'clever': 10,
                              'dull': 6,
                              'film': 7,
                              'great': 2,
                              'loved': 3,
                              'not': 4,
                              'plot': 11,
                              'said': 12,
                              'score': 8}}},
 {'case_dropped': {'ids': [[2, 1, 1, 1, 3, 2, 1], [1, 1, 1, 1, 1, 1], [1, 3, 1, 1, 2, 1], [1, 2, 1, 1]],
                   'labels': [1, 0, 1, 0],
                   'len': 4,
                   'vocab': {'<pad>': 0, '<unk>': 1, 'acting': 3, 'great': 2}},
  'empty_kept': {'ids': [[2, 1, 1, 1, 1], [], [], [1, 1, 1, 1, 3, 1], [3, 1, 2]],
                 'labels': [0, 0, 1, 1, 0],
                 'len': 5,
                 'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 2, 'great': 3}},
  'empty_tokens': {'ids': [[3, 1, 1, 1, 1, 2], [2], [2, 2], [1, 1, 1, 1, 1, 1, 2], [1, 1, 3, 2]],
                   'labels': [0, 0, 1, 1, 0],
                   'len': 5,
                   'vocab': {'': 2, '<pad>': 0, '<unk>': 1, 'dull': 3}},
  'html_kept': {'ids': [[3, 1, 1, 1, 1], [2, 2], [1, 1, 1, 1, 1, 1], [1, 1, 3]],
                'labels': [0, 1, 1, 0],
                'len': 4,
                'vocab': {'<pad>': 0, '<unk>': 1, 'br': 2, 'dull': 3}},
  'labels_flipped': {'ids': [[2, 1, 1, 1, 1], [1, 1, 1, 1, 3, 1], [3, 1, 2]],
                     'labels': [1, 0, 1],
                     'len': 3,
                     'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 2, 'great': 3}},
  'length_filter': {'ids': [[2, 1, 1, 3, 2, 1, 2, 1], [1, 1, 1, 1, 1], [3, 1, 3, 1, 2, 1], [2, 1, 1]],
                    'labels': [1, 0, 1, 0],
                    'len': 4,
                    'vocab': {'<pad>': 0, '<unk>': 1, 'great': 2, 'loved': 3}},
  'max_size_specials': {'ids': [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1, 1, 1]],
                        'labels': [0, 1, 0],
                        'len': 3,
                        'vocab': {'<pad>': 0, '<unk>': 1}},
  'stop_words_kept': {'ids': [[2, 1, 2, 3, 1]],
                      'labels': [0],
                      'len': 1,
                      'vocab': {'<pad>': 0, '<unk>': 1, 'awful': 3, 'not': 2}},
  'unknown_as_pad': {'ids': [[2, 0, 0, 0, 0], [0, 0, 0, 0, 3, 0], [3, 0, 2]],
                     'labels': [0, 1, 0],
                     'len': 3,
                     'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 2, 'great': 3}},
  'vocab_before_filter': {'ids': [[1, 1, 1, 1, 1], [3, 1, 3, 1, 2, 1], [2, 1, 1]],
                          'labels': [0, 1, 0],
                          'len': 3,
                          'vocab': {'<pad>': 0, '<unk>': 1, 'great': 2, 'loved': 3}},
  'vocab_ties': {'ids': [[2, 1, 1, 1, 1], [3, 1, 3, 1, 1, 1], [1, 1, 2]],
                 'labels': [0, 1, 0],
                 'len': 3,
                 'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 2, 'loved': 3}},
  'word_ids_collide': {'ids': [[0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1, 1, 0]],
                       'labels': [0, 1, 0],
                       'len': 3,
                       'vocab': {'<pad>': 0, '<unk>': 1, 'dull': 0, 'great': 1}}}]
# END VARIANTS
