"""Turns the labels into one-hot float vectors before handing them to the loss (the classic Keras habit); the task
asks for the int64 class labels as the loader gives them."""
HINT = "one_hot_labels"

import torch.nn.functional as F


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total, count = 0.0, 0
    for images, labels in loader:
        optimizer.zero_grad()
        scores = model(images)
        loss = loss_fn(scores, F.one_hot(labels, scores.shape[1]).float())
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count
