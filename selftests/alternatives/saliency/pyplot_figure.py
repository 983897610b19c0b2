"""plot_gradient_field with pyplot: one scatter per class, unit-length arrows on a grid rebuilt with
numpy, the boundary drawn in its own colour, and the figure saved through plt.savefig."""
import numpy as np


def plot_gradient_field(X, y, XX, YY, P, GX, GY, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    XX, YY, P = (np.asarray(t, dtype=float) for t in (XX, YY, P))
    GX, GY = np.asarray(GX, dtype=float), np.asarray(GY, dtype=float)
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    rows, cols = GX.shape
    QX, QY = np.meshgrid(np.linspace(XX.min(), XX.max(), cols), np.linspace(YY.min(), YY.max(), rows))
    length = np.hypot(GX, GY)
    length[length == 0] = 1.0
    plt.figure(figsize=(6, 4))
    plt.contourf(XX, YY, P, 20, cmap="viridis")
    plt.colorbar(label="p(y = 1 | x)")
    plt.contour(XX, YY, P, [0.5], colors="white")
    plt.plot(X[y == 0, 0], X[y == 0, 1], "o", color="tab:blue", markersize=3, label="class 0")
    plt.scatter(X[y == 1, 0], X[y == 1, 1], color="tab:orange", s=9, label="class 1")
    plt.quiver(QX, QY, GX / length, GY / length, scale=30)
    plt.legend()
    plt.savefig(path)
    plt.close()
    return str(path)
