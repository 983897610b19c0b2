"""Lays the panels out with one row per head and one column per layer."""
HINT = "panel_order"

import torch


def plot_attention_maps(maps, path, *, query_tokens=None, key_tokens=None, title=None, cmap="viridis"):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    arrays = [m.detach().double() if m.dim() == 3 else m.detach().double().unsqueeze(0) for m in maps]
    layers, heads = len(arrays), arrays[0].shape[0]
    fig = Figure(figsize=(2.5 * layers, 2.5 * heads), dpi=60)
    FigureCanvasAgg(fig)
    axes = fig.subplots(heads, layers, squeeze=False)
    for h in range(heads):
        for l in range(layers):
            axes[h][l].imshow(arrays[l][h].numpy(), vmin=0, vmax=1, cmap=cmap)
            axes[h][l].set_title(f"layer {l + 1}, head {h + 1}" if heads > 1 else f"layer {l + 1}")
            if key_tokens is not None:
                axes[h][l].set_xticks(range(len(key_tokens)), labels=list(key_tokens))
            if query_tokens is not None:
                axes[h][l].set_yticks(range(len(query_tokens)), labels=list(query_tokens))
    fig.savefig(str(path), format="png")
    return fig
