"""Upsamples with a scale factor (input size // feature size) instead of the exact input size."""
HINT = "wrong_output_size"

import torch
import torch.nn.functional as F


def cam_from_activations(activations, fc_weight, classes, size):
    maps = torch.einsum("bc,bchw->bhw", fc_weight[classes], activations)
    factor = (size[0] // maps.shape[-2], size[1] // maps.shape[-1])
    maps = F.interpolate(maps.unsqueeze(1), scale_factor=factor, mode="bilinear", align_corners=False).squeeze(1)
    return normalize_cam(maps)
