"""Calls optimizer.step() before loss.backward(): each step uses the gradients of the previous batch (here: none,
since they were zeroed at the start of the batch)."""
HINT = "step_before_backward"


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total, count = 0.0, 0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        optimizer.step()
        loss.backward()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count
