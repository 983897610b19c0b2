"""Returns the derivative with respect to x2 as GX and the one with respect to x1 as GY."""
HINT = "gx_gy_swapped"

import torch


def compute_input_gradients(model, x_range=(-1.5, 2.5), y_range=(-1.0, 1.5), steps=25):
    XX, YY = make_grid(x_range, y_range, steps)
    grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1).requires_grad_(True)
    model.zero_grad()
    torch.softmax(model(grid), dim=1)[:, 1].sum().backward()
    return XX, YY, grid.grad[:, 1].reshape(steps, steps), grid.grad[:, 0].reshape(steps, steps)
