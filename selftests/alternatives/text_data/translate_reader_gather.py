"""str.translate and a hand-written tag scanner for cleaning, a plain dict for counting, csv.reader with the
header's column positions, ids encoded lazily in __getitem__ with the label as a 0-d tensor, pad_sequence for
the batch, torch.gather for the last step."""
import csv

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import Dataset

_LETTERS = set("abcdefghijklmnopqrstuvwxyz")


def _strip_tags(text):
    out, i = [], 0
    while i < len(text):
        if text[i] == "<":
            end = text.find(">", i + 1)
            if end != -1:
                out.append(" ")
                i = end + 1
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


def clean_text(text, stop_words=STOP_WORDS):
    text = _strip_tags(text).lower().translate({ord("'"): None})
    text = "".join(c if c in _LETTERS else " " for c in text)
    return [w for w in text.split() if w not in stop_words]


def build_vocab(token_lists, min_count=1, max_size=None):
    counts = {}
    for tokens in token_lists:
        for t in tokens:
            counts[t] = counts.get(t, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ranked = [w for w, c in ranked if c >= min_count]
    if max_size is not None:
        ranked = ranked[:max_size]
    return {"<pad>": 0, "<unk>": 1, **{w: i + 2 for i, w in enumerate(ranked)}}


def encode(tokens, vocab):
    out = []
    for t in tokens:
        out.append(vocab[t] if t in vocab else 1)
    return out


class TextClassificationDataset(Dataset):
    def __init__(self, csv_path, vocab=None, min_len=0, max_len=200, stop_words=STOP_WORDS, min_count=1,
                 max_size=None):
        with open(csv_path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            r, s = header.index("review"), header.index("sentiment")
            rows = [(clean_text(row[r], stop_words), row[s]) for row in reader]
        self.rows = [(t, int(sentiment == "positive")) for t, sentiment in rows if max(1, min_len) <= len(t) < max_len]
        self.vocab = vocab if vocab is not None else build_vocab((t for t, _ in self.rows), min_count, max_size)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        tokens, label = self.rows[i]
        return torch.tensor(encode(tokens, self.vocab), dtype=torch.int64), torch.tensor(label)


def collate_batch(batch):
    seqs = [ids for ids, _ in batch]
    return (pad_sequence(seqs, batch_first=True, padding_value=0),
            torch.tensor([s.numel() for s in seqs], dtype=torch.int64),
            torch.stack([torch.as_tensor(label, dtype=torch.int64) for _, label in batch]))


def last_time_step(outputs, lengths):
    index = torch.as_tensor(lengths).to(torch.int64) - 1                      # (B,)
    index = index.view(-1, 1, 1).expand(-1, 1, outputs.shape[2])              # (B, 1, C)
    return outputs.gather(1, index).squeeze(1)
