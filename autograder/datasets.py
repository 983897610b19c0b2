"""Data the training assignment grades on, made offline: nothing here downloads anything.

* ``digits``: scikit-learn's 8x8 handwritten digits (1797 images, shipped inside its wheel as
  ``sklearn/datasets/data/digits.csv.gz``). The file is read directly, so the grader does not pay
  for importing scikit-learn (and SciPy); the values are the same as ``load_digits()``'s.
* ``reviews``: a generated movie-review corpus in the IMDB CSV layout (``review``, ``sentiment``
  columns, ``positive``/``negative``), written by ``write_imdb_csv``. The reviews have HTML line
  breaks, punctuation, mixed case and stop words, so that cleaning matters. A review's sentiment is
  carried by cue words (``POSITIVE`` / ``NEGATIVE``) in its opening sentence and its closing verdict;
  the rest is neutral filler about the film. A short review (at most ``SHORT_WORDS`` words) ends on
  its verdict, so a model that classifies the state after the last word has the cue right there. A
  long one gives its verdict and reminders in its first part and then ends with ``LONG_TAIL`` (20 to 40)
  neutral words, so such a model must carry the cue across them: what the Elman RNN fails to learn and
  the LSTM and the Transformer learn (benchmarks/sequence_lengths.py measures it).

Everything is a pure function of its seed.
"""
from __future__ import annotations

import csv
import gzip
import importlib.util
import random
from pathlib import Path

import numpy as np

# ---------------------------------------------------------------------------------------------- digits


def digits_file() -> Path:
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.origin:
        raise RuntimeError("scikit-learn is not installed: the training assignment grades on its 8x8 digits "
                           "(pip install -r requirements.txt)")
    return Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"


def digits() -> tuple[np.ndarray, np.ndarray]:
    """(images, labels): float32 (1797, 8, 8) with values 0..16 as shipped, int64 (1797,)."""
    with gzip.open(digits_file(), "rt") as f:
        data = np.loadtxt(f, delimiter=",", dtype=np.float64)
    return data[:, :-1].reshape(-1, 8, 8).astype(np.float32), data[:, -1].astype(np.int64)


def digits_split(seed: int = 0, test_fraction: float = 0.25):
    """A stratification-free shuffled split: (x_train, y_train, x_test, y_test) as torch tensors,
    images scaled to [0, 1] with a channel axis: float32 (N, 1, 8, 8), labels int64 (N,)."""
    import torch

    images, labels = digits()
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = int(round(len(labels) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    x = torch.from_numpy(images / 16.0).unsqueeze(1)
    y = torch.from_numpy(labels)
    return x[train], y[train], x[test], y[test]


# --------------------------------------------------------------------------------------------- reviews

POSITIVE = ("wonderful", "brilliant", "excellent", "superb", "delightful", "masterful", "moving", "charming",
            "stunning", "gripping")
NEGATIVE = ("awful", "dreadful", "boring", "terrible", "clumsy", "tedious", "dull", "lifeless", "painful",
            "forgettable")
OPENERS = ("I thought this film was {a} and {b}.", "What a {a} movie, truly {b}!", "Honestly, it is {a}; {b} too.",
           "This one is {a} from start to finish, and {b}.", "The whole thing felt {a} -- {b}, even.")
SUBJECTS = ("the director", "the cast", "the script", "the camera", "the score", "the editor", "the lead actor",
            "the second act", "the studio", "the audience", "the plot", "the soundtrack")
VERBS = ("follows", "shows", "returns to", "describes", "moves through", "looks at", "mentions", "keeps",
         "introduces", "revisits")
OBJECTS = ("the old house", "a small town", "the main character", "her brother", "the long winter", "a train station",
           "the final scene", "his childhood", "a quiet street", "the city at night", "an empty room", "the letters")
TAILS = ("in the middle of the story", "for a while", "at some point", "near the end", "once or twice",
         "without much explanation", "as expected", "in a few scenes")


def _filler_sentence(rng: random.Random) -> str:
    words = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)]
    if rng.random() < 0.6:
        words.append(rng.choice(TAILS))
    sentence = " ".join(words)
    sentence = sentence[0].upper() + sentence[1:] + rng.choice((".", ".", ".", "!", "...", ";"))
    if rng.random() < 0.15:
        sentence = sentence.upper()
    return sentence


CLOSERS = ("All in all, {a}.", "My verdict: {a} and {b}.", "In the end it was simply {a}!",
           "To sum up: {a}, {b}.", "Overall {a}.")
REMINDERS = ("Did I say it was {a}?", "Again, {a}.", "It stays {a} throughout.", "So {a}, really.")

# A review of at most SHORT_WORDS words ends on its verdict; a longer one gives its verdict (and
# reminders) in its first part and then carries on for LONG_TAIL[0] to LONG_TAIL[1] neutral words.
SHORT_WORDS = 200
LONG_TAIL = (20, 40)


def _cue_sentence(templates, cues, rng: random.Random) -> str:
    a, b = rng.sample(cues, 2)
    if rng.random() < 0.5 and templates is OPENERS:
        a = a.capitalize()
    return rng.choice(templates).format(a=a, b=b)


def _fill(parts: list[str], count: int, until: int, rng: random.Random) -> int:
    while count < until:
        sentence = _filler_sentence(rng)
        parts.append(sentence)
        count += len(sentence.split())
        if rng.random() < 0.2:
            parts.append(rng.choice(("<br /><br />", "<br />", "<i>", "</i>", "<b>", "</b>")))
    return count


def review(label: int, n_words: int, rng: random.Random) -> str:
    """One review of about ``n_words`` words (at least the opening): label 1 positive, 0 negative.

    Every review opens with a sentence of two cue words. A review of at most ``SHORT_WORDS`` words
    then has neutral filler and ends on a closing verdict (cue words again). A longer one has
    neutral filler with a reminder (one cue word) every 40-60 words, its verdict, and then
    ``LONG_TAIL[0]`` to ``LONG_TAIL[1]`` words of neutral filler to its end."""
    cues = POSITIVE if label == 1 else NEGATIVE
    parts = [_cue_sentence(OPENERS, cues, rng)]
    count = len(parts[0].split())
    closer = _cue_sentence(CLOSERS, cues, rng)
    if n_words <= SHORT_WORDS:
        count = _fill(parts, count, n_words - len(closer.split()), rng)
        parts.append(closer)
        return " ".join(parts)
    cue_end = n_words - rng.randint(*LONG_TAIL)
    while count < cue_end - len(closer.split()):
        count = _fill(parts, count, min(count + rng.randint(40, 60), cue_end - len(closer.split())), rng)
        if count < cue_end - len(closer.split()) - 10:
            sentence = _cue_sentence(REMINDERS, cues, rng)
            parts.append(sentence)
            count += len(sentence.split())
    parts.append(closer)
    count += len(closer.split())
    _fill(parts, count, n_words, rng)
    return " ".join(parts)


def reviews(n: int, min_words: int = 0, max_words: int = 200, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` (review, sentiment) rows, balanced, each review's word count drawn uniformly from
    [max(min_words, 12), max_words]; sentiment is "positive" or "negative"."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = i % 2
        length = rng.randint(max(min_words, 12), max(max_words, 12))
        rows.append((review(label, length, rng), "positive" if label else "negative"))
    rng.shuffle(rows)
    return rows


def write_imdb_csv(path: str | Path, rows: list[tuple[str, str]]) -> Path:
    """Writes rows in the layout of the Kaggle IMDB file: a header ``review,sentiment``, quoted text."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(["review", "sentiment"])
        writer.writerows(rows)
    return path
