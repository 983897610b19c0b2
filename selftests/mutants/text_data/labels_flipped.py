"""TextClassificationDataset maps positive to 0 and negative to 1."""
HINT = "labels_flipped"

import csv

import torch
from torch.utils.data import Dataset


class TextClassificationDataset(Dataset):
    def __init__(self, csv_path, vocab=None, min_len=0, max_len=200, stop_words=STOP_WORDS, min_count=1,
                 max_size=None):
        tokens, labels = [], []
        with open(csv_path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                words = clean_text(row["review"], stop_words)
                if len(words) >= 1 and min_len <= len(words) < max_len:
                    tokens.append(words)
                    labels.append(0 if row["sentiment"] == "positive" else 1)
        self.vocab = build_vocab(tokens, min_count, max_size) if vocab is None else vocab
        self.ids = [torch.tensor(encode(words, self.vocab), dtype=torch.long) for words in tokens]
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.ids[i], self.labels[i]
