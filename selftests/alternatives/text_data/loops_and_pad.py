"""Character loops with an explicit in-tag state for cleaning, a vocabulary from a sorted list of (count, word)
pairs, every row of the file cleaned in __getitem__ (nothing cached but the kept rows), F.pad for the batch, and
a Python loop with torch.stack for the last step."""
import csv

import torch
import torch.nn.functional as F


def clean_text(text, stop_words=STOP_WORDS):
    chars, in_tag = [], False
    pending = []
    for c in text:
        if in_tag:
            pending.append(c)
            if c == ">":
                in_tag, pending = False, []
                chars.append(" ")
            continue
        if c == "<":
            in_tag, pending = True, [c]
            continue
        chars.append(c)
    chars.extend(pending)                          # a "<" never closed is ordinary text
    words, word = [], []
    for c in "".join(chars).lower():
        if c == "'":
            continue
        if "a" <= c <= "z":
            word.append(c)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    stop = set(stop_words)
    return [w for w in words if w not in stop]


def build_vocab(token_lists, min_count=1, max_size=None):
    counts = {}
    for tokens in token_lists:
        for t in tokens:
            counts[t] = counts.get(t, 0) + 1
    pairs = sorted([(-c, w) for w, c in counts.items() if c >= min_count])
    if max_size is not None:
        pairs = pairs[:max_size]
    vocab = {"<pad>": 0, "<unk>": 1}
    for _, w in pairs:
        vocab[w] = len(vocab)
    return vocab


def encode(tokens, vocab):
    return [vocab[t] if t in vocab else vocab["<unk>"] for t in tokens]


class TextClassificationDataset:
    def __init__(self, csv_path, vocab=None, min_len=0, max_len=200, stop_words=STOP_WORDS, min_count=1,
                 max_size=None):
        self.stop_words = stop_words
        with open(csv_path, newline="", encoding="utf-8") as f:
            self.rows = [row for row in csv.DictReader(f)
                         if 1 <= len(clean_text(row["review"], stop_words)) and
                         min_len <= len(clean_text(row["review"], stop_words)) < max_len]
        if vocab is None:
            vocab = build_vocab([clean_text(r["review"], stop_words) for r in self.rows], min_count, max_size)
        self.vocab = vocab

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        row = self.rows[i]
        ids = torch.tensor(encode(clean_text(row["review"], self.stop_words), self.vocab), dtype=torch.long)
        return ids, 1 if row["sentiment"] == "positive" else 0


def collate_batch(batch):
    longest = max(ids.shape[0] for ids, _ in batch)
    ids = torch.stack([F.pad(row, (0, longest - row.shape[0]), value=0) for row, _ in batch])
    lengths = torch.tensor([row.shape[0] for row, _ in batch], dtype=torch.int64)
    labels = torch.tensor([int(label) for _, label in batch], dtype=torch.int64)
    return ids, lengths, labels


def last_time_step(outputs, lengths):
    return torch.stack([outputs[b, int(n) - 1] for b, n in enumerate(lengths)])
