"""collate_batch pads first and then reads every row's length off the padded tensor, so every length is T_max."""
HINT = "lengths_padded"

import torch
from torch.nn.utils.rnn import pad_sequence


def collate_batch(batch):
    ids = pad_sequence([row for row, _ in batch], batch_first=True, padding_value=0)
    lengths = torch.tensor([len(row) for row in ids], dtype=torch.long)
    labels = torch.tensor([int(label) for _, label in batch], dtype=torch.long)
    return ids, lengths, labels
