"""A fixed figure size (matplotlib's default 6.4 x 4.8 inches) whatever the number of layers, heads and
tokens: the rotated key tokens of one row of panels run into the row below."""
HINT = "layout"

import torch


def plot_attention_maps(maps, path, *, query_tokens=None, key_tokens=None, title=None, cmap="viridis"):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    arrays = [m.detach().to(torch.float64).cpu() for m in maps]
    arrays = [a if a.dim() == 3 else a.unsqueeze(0) for a in arrays]
    layers, heads = len(arrays), arrays[0].shape[0]
    L_q, L_k = arrays[0].shape[-2:]
    fig = Figure(figsize=(6.4, 4.8), dpi=80)
    FigureCanvasAgg(fig)
    axes = fig.subplots(layers, heads, squeeze=False)
    for l in range(layers):
        for h in range(heads):
            ax = axes[l][h]
            ax.imshow(arrays[l][h].numpy(), vmin=0.0, vmax=1.0, cmap=cmap)
            ax.set_title(f"layer {l + 1}, head {h + 1}" if heads > 1 else f"layer {l + 1}")
            if key_tokens is not None:
                ax.set_xticks(range(L_k), labels=list(key_tokens), rotation=90)
            if query_tokens is not None:
                ax.set_yticks(range(L_q), labels=list(query_tokens))
    if title:
        fig.suptitle(title)
    fig.savefig(str(path), format="png")
    return fig
