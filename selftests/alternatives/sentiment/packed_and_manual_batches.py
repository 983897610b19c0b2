"""pack_padded_sequence for the recurrent models (their final h_n is the state at the last real word), the
Transformer's mean with a float mask and a CLS-free sum, a hand-written batching loop over a seeded randperm
instead of a DataLoader, model.zero_grad(), no gradient clipping, the count from nn.Module.parameters() filter,
and matched_hidden_size from the quadratic formula with a check of its neighbours."""
import csv
import math

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence


def read_imdb_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        r, s = header.index("review"), header.index("sentiment")
        rows = [(row[r], row[s]) for row in reader if row]
    return [t for t, _ in rows], torch.tensor([int(lab == "positive") for _, lab in rows], dtype=torch.long)


class RNNClassifier(RNNClassifier):  # noqa: F821 (the solution's class, defined above)
    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embedding(ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, h_n = self.rnn(packed)
        return self.fc(h_n[-1])


class LSTMClassifier(LSTMClassifier):  # noqa: F821
    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embedding(ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        return self.fc(h_n[-1])


class TransformerClassifier(TransformerClassifier):  # noqa: F821
    def forward(self, ids, lengths):
        B, T = ids.shape
        real = torch.arange(T).expand(B, T) < lengths.unsqueeze(1)          # True = a real word
        x = self.embedding(ids) + self.position.weight[:T].unsqueeze(0)
        h = self.encoder(x, src_key_padding_mask=~real)
        weights = real.float() / real.float().sum(dim=1, keepdim=True)
        return self.fc(torch.einsum("bt,bte->be", weights, h))


def count_parameters(model):
    total = 0
    for p in model.parameters():
        if p.requires_grad:
            total += p.numel()
    return total


def recurrent_parameter_count(kind, vocab_size, embed_dim, hidden_size):
    g = 4 if kind == "lstm" else 1
    layer = g * hidden_size * (embed_dim + hidden_size) + 2 * g * hidden_size
    return vocab_size * embed_dim + layer + 2 * hidden_size + 2


def matched_hidden_size(kind, vocab_size, embed_dim, target):
    g = 4 if kind == "lstm" else 1
    # g H^2 + (g (E + 2) + 2) H + V E + 2 = target
    a, b, c = g, g * (embed_dim + 2) + 2, vocab_size * embed_dim + 2 - target
    root = (-b + math.sqrt(max(b * b - 4 * a * c, 0.0))) / (2 * a)
    candidates = range(max(1, int(root) - 2), max(1, int(root)) + 4)
    return min(candidates, key=lambda h: (abs(recurrent_parameter_count(kind, vocab_size, embed_dim, h) - target), h))


def train_sentiment(model, ids, lengths, labels, epochs=5, lr=1e-2, batch_size=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = len(labels)
    history = {"loss": [], "accuracy": []}
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n, generator=g)
        loss_sum, hits = 0.0, 0
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            model.zero_grad()
            scores = model(ids[idx], lengths[idx])
            loss = nn.functional.cross_entropy(scores, labels[idx])
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            hits += (scores.argmax(1) == labels[idx]).sum().item()
        history["loss"].append(loss_sum / n)
        history["accuracy"].append(hits / n)
    return history


def accuracy(model, ids, lengths, labels, batch_size=256):
    model.eval()
    with torch.no_grad():
        preds = torch.cat([model(ids[i:i + batch_size], lengths[i:i + batch_size]).argmax(1)
                           for i in range(0, len(labels), batch_size)])
    return (preds == labels).float().mean().item()


def predict_review(model, text, vocab):
    ids, lengths = encode([text], vocab)  # noqa: F821
    model.eval()
    with torch.inference_mode():
        s = model(ids, lengths)[0]
    return torch.sigmoid(s[1] - s[0]).item()
