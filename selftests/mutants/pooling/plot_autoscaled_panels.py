"""Draws every panel with imshow(..., cmap="gray") but no vmin/vmax: each panel is stretched to its own range."""
HINT = "plot_display"


def plot_comparison(img, path, iterations=(0, 1, 2, 3, 4), kernel=None):
    from matplotlib.figure import Figure

    kernel = gauss_kernel_2d(5, 1.0) if kernel is None else kernel
    fig = Figure(figsize=(12, 5.4))
    axes = fig.subplots(2, 5)
    for col, n in enumerate(iterations):
        rows = (maxpool_iter(img, n), gaussian_blur_iter(img, kernel, n))
        for row, result in enumerate(rows):
            axes[row, col].imshow(result[0, 0].detach().numpy(), cmap="gray")
    fig.savefig(path, format="png", dpi=80)
    return fig
