"""Shuffles the test loader too (copy-pasted from the training loader)."""
HINT = "test_shuffled"

import torch
from torch.utils.data import DataLoader, TensorDataset


def make_loaders(x_train, y_train, x_test, y_test, batch_size=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    train = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True, generator=generator)
    test = DataLoader(TensorDataset(x_test, y_test), batch_size=batch_size, shuffle=True, generator=generator)
    return train, test
