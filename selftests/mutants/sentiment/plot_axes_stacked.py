"""plot_history draws the accuracy on a second full-size axes stacked on the loss axes (add_subplot twice, not
twinx): the accuracy axes' white background hides the loss curve."""
HINT = "curve_hidden"


def plot_history(history, path, title=""):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    epochs = list(range(1, len(history["loss"]) + 1))
    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    ax_loss = fig.add_subplot(1, 1, 1)
    ax_loss.plot(epochs, history["loss"], color="tab:red")
    ax_acc = fig.add_subplot(1, 1, 1)
    ax_acc.plot(epochs, history["accuracy"], color="tab:blue")
    ax_acc.yaxis.tick_right()
    ax_loss.set_xlabel("epoch")
    fig.suptitle(title)
    fig.savefig(str(path), format="png")
    return str(path)
