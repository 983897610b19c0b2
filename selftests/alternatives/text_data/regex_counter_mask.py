"""Regular expressions that find the words (re.findall) after tags and apostrophes are handled, a Counter
ranked with heapq-free sorting on a tuple key, DictReader rows filtered in a comprehension, a hand-written
padding loop, and a one-hot mask summed over time for the last step."""
import csv
import re
from collections import Counter

import torch
from torch.utils.data import Dataset

_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[a-z]+")


def clean_text(text, stop_words=STOP_WORDS):
    stop = frozenset(stop_words)
    return [w for w in _WORD.findall(_TAG.sub(" ", text).lower().replace("'", "")) if w not in stop]


def build_vocab(token_lists, min_count=1, max_size=None):
    counts = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    keep = sorted((-c, w) for w, c in counts.items() if c >= min_count)
    if max_size is not None:
        keep = keep[:max_size]
    vocab = {"<pad>": 0, "<unk>": 1}
    vocab.update((w, 2 + i) for i, (_, w) in enumerate(keep))
    return vocab


def encode(tokens, vocab):
    unk = vocab["<unk>"]
    return [vocab.get(t, unk) for t in tokens]


class TextClassificationDataset(Dataset):
    def __init__(self, csv_path, vocab=None, min_len=0, max_len=200, stop_words=STOP_WORDS, min_count=1,
                 max_size=None):
        with open(csv_path, newline="", encoding="utf-8") as f:
            cleaned = [(clean_text(row["review"], stop_words), row["sentiment"]) for row in csv.DictReader(f)]
        kept = [(t, s) for t, s in cleaned if t and min_len <= len(t) < max_len]
        if vocab is None:
            vocab = build_vocab([t for t, _ in kept], min_count=min_count, max_size=max_size)
        self.vocab = vocab
        self.items = [(torch.LongTensor(encode(t, vocab)), {"positive": 1, "negative": 0}[s]) for t, s in kept]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate_batch(batch):
    longest = max(len(ids) for ids, _ in batch)
    rows, lengths, labels = [], [], []
    for ids, label in batch:
        rows.append(torch.cat([ids, ids.new_zeros(longest - len(ids))]))
        lengths.append(len(ids))
        labels.append(int(label))
    return torch.stack(rows), torch.LongTensor(lengths), torch.LongTensor(labels)


def last_time_step(outputs, lengths):
    B, T, _ = outputs.shape
    lengths = torch.as_tensor(lengths).long()
    mask = (torch.arange(T).unsqueeze(0) == (lengths - 1).unsqueeze(1)).to(outputs.dtype)   # (B, T)
    return (outputs * mask.unsqueeze(2)).sum(dim=1)
