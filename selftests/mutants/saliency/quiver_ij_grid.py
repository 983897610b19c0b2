"""Rebuilds the coarse arrow grid with indexing="ij", so each arrow is drawn at the transposed point."""
HINT = "quiver_positions"

import numpy as np
import torch


def plot_gradient_field(X, y, XX, YY, P, GX, GY, path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def arr(t):
        return torch.as_tensor(t).detach().double().cpu().numpy()

    XX_, YY_, P_, GX_, GY_ = map(arr, (XX, YY, P, GX, GY))
    xs = np.linspace(XX_[0, 0], XX_[0, -1], GX_.shape[1])
    ys = np.linspace(YY_[0, 0], YY_[-1, 0], GX_.shape[0])
    QX, QY = np.meshgrid(xs, ys, indexing="ij")                  # bug: rows follow x1
    fig = Figure(figsize=(5, 4), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.contourf(XX_, YY_, P_, levels=10, cmap="RdBu_r", vmin=0, vmax=1)
    ax.contour(XX_, YY_, P_, levels=[0.5], colors="k")
    ax.scatter(arr(X)[:, 0], arr(X)[:, 1], c=arr(y), cmap="coolwarm", edgecolors="k", s=12)
    ax.quiver(QX, QY, GX_, GY_)
    fig.savefig(str(path), format="png")
    return str(path)
