"""Point-by-point loops where they are cheap, the probability as sigmoid(s1 - s0), a manual grid stacked row by
row, GuidedReLU written with clamp and a mask product, a recursive replace_relus that walks every module's
_modules dict, and guided_backprop on a deep copy with backward() on x."""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_classifier(model, X, y, epochs=10, batch_size=32, lr=0.02):
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        correct = (model(X).argmax(dim=1) == y).numpy()
    return float(np.mean(correct))


def _points(x_range, y_range, steps):
    xs = np.linspace(x_range[0], x_range[1], steps, dtype=np.float32)
    ys = np.linspace(y_range[0], y_range[1], steps, dtype=np.float32)
    rows = [[(xs[j], ys[i]) for j in range(steps)] for i in range(steps)]
    pts = torch.tensor(np.array(rows, dtype=np.float32)).reshape(-1, 2)
    return pts, pts[:, 0].reshape(steps, steps), pts[:, 1].reshape(steps, steps)


def evaluate_on_grid(model, x_range=(-1.5, 2.5), y_range=(-1.0, 1.5), steps=100):
    pts, XX, YY = _points(x_range, y_range, steps)
    with torch.no_grad():
        s = model(pts)
    return XX, YY, torch.sigmoid(s[:, 1] - s[:, 0]).reshape(steps, steps)


def compute_input_gradients(model, x_range=(-1.5, 2.5), y_range=(-1.0, 1.5), steps=25):
    pts, XX, YY = _points(x_range, y_range, steps)
    pts.requires_grad_(True)
    s = model(pts)
    p1 = torch.sigmoid(s[:, 1] - s[:, 0])
    (g,) = torch.autograd.grad(p1, pts, grad_outputs=torch.ones_like(p1))
    return XX, YY, g[:, 0].reshape(steps, steps), g[:, 1].reshape(steps, steps)


class GuidedReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        out = torch.relu(x)
        ctx.save_for_backward(out)      # out > 0 exactly where x > 0
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output.clamp(min=0) * (out > 0).float()


def replace_relus(model):
    for name, child in list(model._modules.items()):
        if type(child) is nn.ReLU:
            model._modules[name] = GuidedReLUModule()
        elif child is not None:
            replace_relus(child)
    return model


def guided_backprop(model, x, class_idx):
    guided = replace_relus(copy.deepcopy(model))
    inputs = x.clone().detach()
    inputs.requires_grad = True
    out = guided(inputs)
    one_hot = torch.zeros_like(out)
    one_hot[:, class_idx] = 1.0
    out.backward(one_hot)
    return inputs.grad
