"""Min-max normalises at feature resolution, then upsamples (the maximum no longer reaches 1)."""
HINT = "normalise_after_upsampling"

import torch
import torch.nn.functional as F


def cam_from_activations(activations, fc_weight, classes, size):
    maps = normalize_cam(torch.einsum("bc,bchw->bhw", fc_weight[classes], activations))
    return F.interpolate(maps.unsqueeze(1), size=tuple(size), mode="bilinear", align_corners=False).squeeze(1)
