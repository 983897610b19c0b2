"""Never zeroes the gradients: every backward() adds to the .grad of all the batches before."""
HINT = "no_zero_grad"


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total, count = 0.0, 0
    for images, labels in loader:
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count
