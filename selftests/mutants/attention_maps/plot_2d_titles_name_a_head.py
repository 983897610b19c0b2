"""Titles every panel "layer l, head h", also for 2-D maps (one map per layer, e.g. averaged over the
heads), where the docstring asks for the layer number alone: an averaged map is labelled as head 1."""
HINT = "panel_titles_2d"

import torch


def plot_attention_maps(maps, path, *, query_tokens=None, key_tokens=None, title=None, cmap="viridis"):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    arrays = [m.detach().to(torch.float64).cpu() for m in maps]
    arrays = [a if a.dim() == 3 else a.unsqueeze(0) for a in arrays]
    layers, heads = len(arrays), arrays[0].shape[0]
    L_q, L_k = arrays[0].shape[-2:]
    side = 0.35 * max(L_q, L_k) + 1.2
    fig = Figure(figsize=(side * heads + 0.8, side * layers + 0.5), dpi=80)
    FigureCanvasAgg(fig)
    axes = fig.subplots(layers, heads, squeeze=False)
    for l in range(layers):
        for h in range(heads):
            ax = axes[l][h]
            ax.imshow(arrays[l][h].numpy(), vmin=0.0, vmax=1.0, cmap=cmap)
            ax.set_title(f"layer {l + 1}, head {h + 1}", fontsize=8)
            if key_tokens is not None:
                ax.set_xticks(range(L_k), labels=list(key_tokens), rotation=90, fontsize=6)
            if query_tokens is not None:
                ax.set_yticks(range(L_q), labels=list(query_tokens), fontsize=6)
    if title:
        fig.suptitle(title)
    fig.savefig(str(path), format="png")
    return fig
