"""Upsamples the map with F.interpolate's default mode, 'nearest'."""
HINT = "nearest_upsampling"

import torch
import torch.nn.functional as F


def cam_from_activations(activations, fc_weight, classes, size):
    maps = torch.einsum("bc,bchw->bhw", fc_weight[classes], activations)
    maps = F.interpolate(maps.unsqueeze(1), size=tuple(size)).squeeze(1)
    return normalize_cam(maps)
