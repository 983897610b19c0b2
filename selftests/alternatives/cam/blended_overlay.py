"""save_cam_overlay blends the image and the colour-mapped map by hand in numpy and writes the result with
plt.imsave (no axes at all); the grey image is repeated over three channels."""
import numpy as np


def save_cam_overlay(image, cam, path, alpha=0.5, cmap="jet"):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    picture = image.detach().double().clamp(0, 1).numpy().transpose(1, 2, 0)
    if picture.shape[2] == 1:
        picture = np.repeat(picture, 3, axis=2)
    heat = matplotlib.colormaps[cmap](cam.detach().double().clamp(0, 1).numpy())[:, :, :3]
    plt.imsave(path, (1 - alpha) * picture + alpha * heat)
    return str(path)
