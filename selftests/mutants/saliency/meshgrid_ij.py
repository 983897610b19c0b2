"""Builds the grid with indexing="ij" (rows follow x1), in both grid functions."""
HINT = "grid_indexing"

import torch


def _grid_ij(x_range, y_range, steps):
    xs = torch.linspace(x_range[0], x_range[1], steps)
    ys = torch.linspace(y_range[0], y_range[1], steps)
    return torch.meshgrid(xs, ys, indexing="ij")


def evaluate_on_grid(model, x_range=(-1.5, 2.5), y_range=(-1.0, 1.5), steps=100):
    XX, YY = _grid_ij(x_range, y_range, steps)
    grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)
    with torch.no_grad():
        probs = torch.softmax(model(grid), dim=1)
    return XX, YY, probs[:, 1].reshape(steps, steps)


def compute_input_gradients(model, x_range=(-1.5, 2.5), y_range=(-1.0, 1.5), steps=25):
    XX, YY = _grid_ij(x_range, y_range, steps)
    grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1).requires_grad_(True)
    torch.softmax(model(grid), dim=1)[:, 1].sum().backward()
    return XX, YY, grid.grad[:, 0].reshape(steps, steps), grid.grad[:, 1].reshape(steps, steps)
