"""Text preprocessing for the sentiment models: cleaning, a vocabulary, a Dataset of reviews, padded
batches, and the one output per review that a sequence model classifies with.

A recurrent model reads a review one word at a time, so the text first has to become a sequence
of integers: raw review -> list of clean words (tokens) -> list of word ids. Reviews in a batch
have different lengths, so they are padded to the longest one with a special id; after the model
has produced an output at every step, (B, T, C), each review is classified by its output at its
own last REAL word, not at a padding step.

Data: the IMDB CSV layout: a header line ``review,sentiment``, then one row per review, the review
text quoted as CSV quotes it (a field that holds commas, quotes or line breaks is in double quotes,
a double quote inside it is written twice), the sentiment ``positive`` or ``negative``.

Conventions (fixed here; everything is graded with them):

* Cleaning (``clean_text``), in this order:
  1. every HTML tag, i.e. every ``<`` up to the next ``>`` (both included, e.g. ``<br />``,
     ``<i>``), is replaced by ONE space (so "good<br />bad" gives two words);
  2. the text is lowercased with ``str.lower()``;
  3. every apostrophe ``'`` (the ASCII one, U+0027) is deleted, joining its word: "don't" -> "dont";
  4. every other character that is not one of the 26 ASCII letters ``a``-``z`` (digits,
     punctuation, accented letters, curly quotes, symbols...) is replaced by a space;
  5. the text is split on whitespace (``str.split()``: no empty tokens);
  6. the tokens that are stop words are dropped; the others keep their order (and repeats).
  Every token returned is thus a non-empty string of the letters a-z.
* Stop words: ``STOP_WORDS`` below is the default list (given; "no" and "not" are deliberately
  not in it: they carry sentiment). ``stop_words`` may be any collection of lowercase words;
  an empty one keeps every token.
* Vocabulary: a dict word -> id with ``"<pad>"`` -> 0 and ``"<unk>"`` -> 1, then the words with ids
  2, 3, ... in order of decreasing count (a word's count is its number of occurrences, summed over
  all token lists, not the number of lists it appears in), ties broken alphabetically. Only words
  with count >= ``min_count`` are kept; ``max_size`` (if not None) is the most WORDS kept, not
  counting ``<pad>`` and ``<unk>`` (so ``len(vocab) <= max_size + 2``).
* Labels: ``positive`` -> 1, ``negative`` -> 0.
* Length filter: a review is kept when its number of tokens n satisfies ``min_len <= n < max_len``
  (half-open, so that 0-200 and 200-400 split the reviews without overlap) AND n >= 1: a review
  left with no token (empty, or nothing but tags, digits and stop words) is always dropped, since
  a sequence model needs at least one step.
* Padded batches are batch-first: ids (B, T_max), with each review's ids at the start of its row
  and ``0`` (the id of ``<pad>``) after them; lengths (B,) hold each review's number of real ids.

Graded automatically: ``clean_text`` (exact examples with HTML, punctuation, case, apostrophes,
digits and stop words, and properties on generated text), ``build_vocab`` (order, ties,
``min_count``, ``max_size``), ``encode``, ``TextClassificationDataset`` (on small CSV files the
grader writes, hand-written ones with quotes and commas inside a quoted field and an empty
review, and generated reviews; with a vocabulary given, where unknown words appear, and without
one), ``collate_batch`` and ``last_time_step`` (float32 and float64 outputs, lengths as a tensor
or a list, lengths of 1 and of T, gradients flowing back to the outputs).

Graded by hand (write them in your report):

* why removing stop words and HTML tags helps a bag of words / a sequence model, and one case where
  removing a stop word would hurt sentiment classification (e.g. negations);
* why taking ``outputs[:, -1]`` of a padded batch is wrong for all but the longest review, and
  what the model's output at a padding step depends on.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import torch
from torch.utils.data import Dataset

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1

# Given: the default stop words (lowercase, no apostrophes: they are compared with cleaned tokens).
STOP_WORDS = frozenset("""
a about an and are as at be been but by can could did do does for from had has have he her him his
how i if in into is it its just me my of on or our she so than that the their them then there these
they this those to too us very was we were what when where which while who will with would you your
""".split())


def clean_text(text: str, stop_words=STOP_WORDS) -> list[str]:
    """The tokens of one review, cleaned as the conventions say (steps 1-6, in that order).

    Args:
    - text: the raw review (may be empty, may hold HTML tags, any punctuation, digits, any case)
    - stop_words: the words to drop (a set, list or tuple of lowercase words; empty keeps all)

    Returns:
    - a list of str, each a non-empty run of the letters a-z, in the order they appear in ``text``.
      Example: ``clean_text("It's a GREAT film!<br />10/10")`` -> ``["great", "film"]`` ("its" and
      "a" are stop words).
    """
    # BEGIN SOLUTION
    text = re.sub(r"<[^>]*>", " ", text)
    text = text.lower().replace("'", "")
    text = re.sub(r"[^a-z]+", " ", text)
    stop = set(stop_words)
    return [token for token in text.split() if token not in stop]
    # END SOLUTION


def build_vocab(token_lists, min_count: int = 1, max_size: int | None = None) -> dict[str, int]:
    """The vocabulary of some tokenised reviews, as the conventions say.

    Args:
    - token_lists: an iterable of lists of tokens (e.g. ``clean_text`` of every training review)
    - min_count: keep only the words that occur at least this many times in total
    - max_size: keep at most this many words (the most frequent ones), besides ``<pad>`` and ``<unk>``;
      None: no limit

    Returns:
    - a dict: ``{"<pad>": 0, "<unk>": 1, <most frequent word>: 2, ...}``, ids 0..len-1 each used
      once; among words of equal count the alphabetically first gets the smaller id.
    """
    # BEGIN SOLUTION
    counts = Counter(token for tokens in token_lists for token in tokens)
    words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    if max_size is not None:
        words = words[:max_size]
    vocab = {PAD: PAD_ID, UNK: UNK_ID}
    for word in words:
        vocab[word] = len(vocab)
    return vocab
    # END SOLUTION


def encode(tokens, vocab: dict[str, int]) -> list[int]:
    """The ids of ``tokens`` in ``vocab``; a token not in it gets the id of ``<unk>`` (1).

    Returns:
    - a list of Python ints, one per token, in order (empty for no tokens)
    """
    # BEGIN SOLUTION
    return [vocab.get(token, UNK_ID) for token in tokens]
    # END SOLUTION


class TextClassificationDataset(Dataset):
    """The reviews of one IMDB-layout CSV file, cleaned, filtered by length and encoded.

    ``TextClassificationDataset(csv_path, vocab=None, min_len=0, max_len=200, stop_words=STOP_WORDS,
    min_count=1, max_size=None)``:

    - csv_path: the CSV file (columns ``review`` and ``sentiment``; read it with the ``csv`` module,
      ``encoding="utf-8"`` and ``newline=""``: a quoted review may hold commas, doubled quotes and
      line breaks)
    - vocab: the vocabulary to encode with (e.g. the training set's, for a test set: words it does not
      hold become ``<unk>``); None: build one with ``build_vocab(..., min_count, max_size)`` from the
      token lists of the reviews this dataset KEEPS (after the length filter)
    - min_len, max_len: the length filter of the conventions (``min_len <= n < max_len`` and n >= 1)
    - stop_words: passed to ``clean_text``

    The kept reviews stay in the order of the file. Attributes and methods:

    - ``self.vocab``: the vocabulary used (the one given, or the one built)
    - ``len(dataset)``: the number of kept reviews
    - ``dataset[i]``: ``(ids, label)`` of the i-th kept review: ``ids`` a 1-D int64 tensor (its
      ``encode``d tokens), ``label`` a Python int, 1 for positive and 0 for negative
    """

    def __init__(self, csv_path: str | Path, vocab: dict[str, int] | None = None, min_len: int = 0,
                 max_len: int = 200, stop_words=STOP_WORDS, min_count: int = 1, max_size: int | None = None):
        # BEGIN SOLUTION
        tokens, labels = [], []
        with open(csv_path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                words = clean_text(row["review"], stop_words)
                if len(words) >= 1 and min_len <= len(words) < max_len:
                    tokens.append(words)
                    labels.append(1 if row["sentiment"] == "positive" else 0)
        self.vocab = build_vocab(tokens, min_count, max_size) if vocab is None else vocab
        self.ids = [torch.tensor(encode(words, self.vocab), dtype=torch.long) for words in tokens]
        self.labels = labels
        # END SOLUTION

    def __len__(self) -> int:
        # BEGIN SOLUTION
        return len(self.labels)
        # END SOLUTION

    def __getitem__(self, i: int):
        # BEGIN SOLUTION
        return self.ids[i], self.labels[i]
        # END SOLUTION


def collate_batch(batch):
    """Turn a list of dataset items into one padded batch (a ``collate_fn`` for ``DataLoader``).

    Args:
    - batch: a non-empty list of ``(ids, label)`` pairs, ``ids`` a 1-D int64 tensor of length >= 1,
      ``label`` an int (or a 0-d integer tensor)

    Returns:
    - ``(ids, lengths, labels)``, all int64 tensors, items in the order given (no sorting):
      ``ids`` (B, T_max) with row b = the b-th review's ids followed by 0s (T_max = the longest
      length), ``lengths`` (B,) the number of real ids of each review, ``labels`` (B,)
    """
    # BEGIN SOLUTION
    lengths = torch.tensor([len(ids) for ids, _ in batch], dtype=torch.long)
    padded = torch.zeros(len(batch), int(lengths.max()), dtype=torch.long)
    for b, (ids, _) in enumerate(batch):
        padded[b, :len(ids)] = ids
    labels = torch.tensor([int(label) for _, label in batch], dtype=torch.long)
    return padded, lengths, labels
    # END SOLUTION


def last_time_step(outputs: torch.Tensor, lengths) -> torch.Tensor:
    """Each sequence's output at its last real step (part iv: y_T of every review of a padded batch).

    Args:
    - outputs: (B, T, C), a model's outputs at every step of a padded batch (any float dtype)
    - lengths: the B real lengths (1 <= lengths[b] <= T), a 1-D integer tensor or a list of ints

    Returns:
    - (B, C), row b = ``outputs[b, lengths[b] - 1]``; same dtype as ``outputs``, and differentiable:
      the gradient flows back into ``outputs`` (no ``.detach()``, numpy or in-place copies)
    """
    # BEGIN SOLUTION
    lengths = torch.as_tensor(lengths, dtype=torch.long, device=outputs.device)
    rows = torch.arange(outputs.shape[0], device=outputs.device)
    return outputs[rows, lengths - 1]
    # END SOLUTION
