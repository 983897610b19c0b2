"""Shuffles the training loader with the global random generator: the seed argument is ignored."""
HINT = "unseeded_shuffle"

from torch.utils.data import DataLoader, TensorDataset


def make_loaders(x_train, y_train, x_test, y_test, batch_size=64, seed=0):
    train = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True)
    test = DataLoader(TensorDataset(x_test, y_test), batch_size=batch_size, shuffle=False)
    return train, test
