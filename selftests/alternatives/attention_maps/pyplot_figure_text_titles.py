"""Correct, written differently: plotting with pyplot and one colorbar per panel, the figure title as
fig.text, panel titles like "Layer 1 / Head 2", the path used through os.fspath, tick labels with
set_xticks(ticks, labels) per list given."""
import os


def plot_attention_maps(maps, path, *, query_tokens=None, key_tokens=None, title=None, cmap="viridis"):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    maps = [m.detach().cpu() for m in maps]
    per_head = maps[0].dim() == 3
    heads = maps[0].shape[0] if per_head else 1
    fig, axes = plt.subplots(len(maps), heads, figsize=(2.5 * heads, 2.5 * len(maps)), squeeze=False)
    for l, m in enumerate(maps):
        for h in range(heads):
            ax = axes[l][h]
            im = ax.imshow((m[h] if per_head else m).numpy(), cmap=plt.get_cmap(cmap), vmin=0.0, vmax=1.0)
            fig.colorbar(im, ax=ax)
            ax.set_title(f"Layer {l + 1} / Head {h + 1}" if per_head else f"Layer {l + 1}")
            if key_tokens:
                ax.set_xticks(range(len(key_tokens)), list(key_tokens))
            if query_tokens:
                ax.set_yticks(range(len(query_tokens)), list(query_tokens))
    if title:
        fig.text(0.5, 0.995, title, ha="center", va="top")
    fig.savefig(os.fspath(path))
    plt.close(fig)
    return fig
