"""Draws the heat map with a fixed alpha=0.5, whatever alpha is passed."""
HINT = "overlay_alpha"


def save_cam_overlay(image, cam, path, alpha=0.5, cmap="jet"):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    picture = image.detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()
    fig = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    if picture.shape[2] == 1:
        ax.imshow(picture[:, :, 0], cmap="gray", vmin=0, vmax=1)
    else:
        ax.imshow(picture)
    ax.imshow(cam.detach().cpu().numpy(), cmap=cmap, alpha=0.5, vmin=0, vmax=1)   # bug: alpha ignored
    ax.set_axis_off()
    fig.savefig(str(path), format="png")
    return str(path)
