"""Float64 and torch.func throughout: the layers applied one by one, SGD with momentum and a manual accuracy,
the grids evaluated on a float64 copy of the model, gradients with vmap(grad), GuidedReLU with torch.where,
replace_relus through named_modules and the parent's setattr, guided_backprop by swapping and restoring."""
import copy

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class MLP2d(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 2))

    def forward(self, x):
        for layer in self.net:
            x = layer(x)
        return x


def train_classifier(model, X, y, epochs=10, batch_size=32, lr=0.02):
    data = TensorDataset(X, y)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for _ in range(epochs):
        for xb, yb in DataLoader(data, batch_size=batch_size, shuffle=True):
            loss = criterion(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        predicted = model(X).argmax(dim=1)
    return sum(int(p) == int(t) for p, t in zip(predicted, y)) / len(y)


def _grid64(x_range, y_range, steps):
    xs = torch.linspace(x_range[0], x_range[1], steps, dtype=torch.float64)
    ys = torch.linspace(y_range[0], y_range[1], steps, dtype=torch.float64)
    XX = xs.unsqueeze(0).expand(steps, steps)          # XX[i, j] = xs[j]
    YY = ys.unsqueeze(1).expand(steps, steps)          # YY[i, j] = ys[i]
    return XX, YY


def evaluate_on_grid(model, x_range=(-1.5, 2.5), y_range=(-1.0, 1.5), steps=100):
    XX, YY = _grid64(x_range, y_range, steps)
    model64 = copy.deepcopy(model).double()
    with torch.no_grad():
        scores = model64(torch.stack([XX.flatten(), YY.flatten()], dim=1))
    P = torch.exp(scores[:, 1] - torch.logsumexp(scores, dim=1))
    return XX, YY, P.reshape(steps, steps)


def compute_input_gradients(model, x_range=(-1.5, 2.5), y_range=(-1.0, 1.5), steps=25):
    XX, YY = _grid64(x_range, y_range, steps)
    model64 = copy.deepcopy(model).double()
    p1 = lambda point: torch.softmax(model64(point.unsqueeze(0)), dim=1)[0, 1]
    grads = torch.func.vmap(torch.func.grad(p1))(torch.stack([XX.flatten(), YY.flatten()], dim=1))
    return XX, YY, grads[:, 0].reshape(steps, steps), grads[:, 1].reshape(steps, steps)


class GuidedReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, torch.zeros_like(x))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        keep = (x > 0) & (grad_output > 0)
        return torch.where(keep, grad_output, torch.zeros_like(grad_output))


def replace_relus(model):
    targets = [name for name, m in model.named_modules() if isinstance(m, nn.ReLU)]
    for name in targets:
        parent_name, _, attr = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, attr, GuidedReLUModule())
    return model


def guided_backprop(model, x, class_idx):
    originals = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.ReLU)]
    replace_relus(model)
    try:
        inputs = x.detach().clone().requires_grad_(True)
        scores = model(inputs)
        model.zero_grad()
        scores[:, class_idx].sum().backward()
        grad = inputs.grad.detach().clone()
    finally:
        for name, relu in originals:
            parent_name, _, attr = name.rpartition(".")
            setattr(model.get_submodule(parent_name) if parent_name else model, attr, relu)
        for p in model.parameters():
            p.grad = None
    return grad
