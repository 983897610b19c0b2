"""normalize_cam subtracts and divides in place, changing the maps passed in."""
HINT = "input_modified"

import torch


def normalize_cam(maps):
    low = maps.flatten(1).amin(1)[:, None, None]
    maps -= low                                            # bug: the caller's tensor changes
    span = maps.flatten(1).amax(1)[:, None, None]
    maps /= torch.where(span > 0, span, torch.ones_like(span))
    return maps
