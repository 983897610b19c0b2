"""Never calls model.train(): after an evaluation (or when handed over in eval mode) the model trains with its
dropout switched off."""
HINT = "train_mode"


def train_epoch(model, loader, optimizer, loss_fn):
    total, count = 0.0, 0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count
