"""collate_batch puts the padding before the ids (left padding) instead of after them."""
HINT = "left_padding"

import torch


def collate_batch(batch):
    lengths = torch.tensor([len(ids) for ids, _ in batch], dtype=torch.long)
    padded = torch.zeros(len(batch), int(lengths.max()), dtype=torch.long)
    for b, (ids, _) in enumerate(batch):
        padded[b, padded.shape[1] - len(ids):] = ids
    labels = torch.tensor([int(label) for _, label in batch], dtype=torch.long)
    return padded, lengths, labels
