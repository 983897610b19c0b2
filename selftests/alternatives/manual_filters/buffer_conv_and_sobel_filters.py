"""The filters kept as a registered buffer of a small module of its own that applies F.conv2d (no nn.Conv2d),
functional ReLU and max-pooling, Sobel and Laplacian filters with a centre-surround one, the trainable
parameters picked by a loop, evaluation in chunks under torch.inference_mode(), and the gradients cleared with
set_to_none after each step rather than before the next backward."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_filters():
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    laplace = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    centre = torch.full((3, 3), -1.0 / 8)
    centre[1, 1] = 1.0
    return torch.stack([sobel_x, sobel_x.T.contiguous(), laplace, centre]).reshape(4, 1, 3, 3).float()


class FixedConv(nn.Module):
    def __init__(self, filters):
        super().__init__()
        self.register_buffer("weight", filters)

    def forward(self, x):
        return F.conv2d(x, self.weight, padding=1)


class ManualCNN(nn.Module):
    def __init__(self, filters=None, n_classes=10, image_size=8):
        super().__init__()
        chosen = make_filters() if filters is None else torch.tensor(
            torch.as_tensor(filters).tolist(), dtype=torch.float32).view(4, 1, 3, 3)
        self.conv = FixedConv(chosen)
        side = image_size // 2
        self.fc = nn.Linear(4 * side * side, n_classes)

    def forward(self, x):
        maps = F.max_pool2d(F.relu(self.conv(x)), kernel_size=2, stride=2)
        return self.fc(maps.reshape(maps.shape[0], -1))


def filter_responses(model, images):
    with torch.inference_mode():
        out = F.relu(model.conv(images))
    return out.clone()


def make_optimizer(model, lr, momentum=0.9, weight_decay=0.0):
    params = []
    for p in model.parameters():
        if p.requires_grad:
            params.append(p)
    return torch.optim.SGD(params, lr, momentum=momentum, weight_decay=weight_decay)


def evaluate(model, x, y):
    model.eval()
    correct = 0
    with torch.inference_mode():
        for start in range(0, len(x), 100):
            correct += int((model(x[start:start + 100]).argmax(1) == y[start:start + 100]).sum())
    return correct / len(x)


def train_manual(model, x_train, y_train, x_test, y_test, epochs=10, lr=0.02, batch_size=32, momentum=0.9,
                 weight_decay=0.0, seed=0):
    optimizer = make_optimizer(model, lr=lr, momentum=momentum, weight_decay=weight_decay)
    gen = torch.Generator()
    gen.manual_seed(seed)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True, generator=gen)
    criterion = nn.CrossEntropyLoss()
    losses, accuracies = [], []
    optimizer.zero_grad(set_to_none=True)
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for images, labels in loader:
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            total += float(loss)
            count += 1
        losses.append(total / count)
        accuracies.append(evaluate(model, x_test, y_test))
    return {"loss": losses, "test_accuracy": accuracies}
