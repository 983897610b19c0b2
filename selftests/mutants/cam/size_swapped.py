"""Upsamples to (W, H): reads the input size as x.shape[-1], x.shape[-2]."""
HINT = "size_swapped"

import torch


def class_activation_map(model, x, target_layer, fc_layer="fc", class_idx=None):
    layer = model.get_submodule(target_layer) if isinstance(target_layer, str) else target_layer
    fc = model.get_submodule(fc_layer) if isinstance(fc_layer, str) else fc_layer
    feats = []
    handle = layer.register_forward_hook(lambda m, i, o: feats.append(o.detach()))
    try:
        with torch.no_grad():
            logits = model(x)
    finally:
        handle.remove()
    if class_idx is None:
        classes = logits.argmax(dim=1)
    else:
        classes = torch.as_tensor(class_idx, dtype=torch.long).reshape(-1).expand(x.shape[0]).clone()
    width, height = x.shape[-1], x.shape[-2]
    cams = cam_from_activations(feats[-1], fc.weight.detach(), classes, (width, height))   # bug: (W, H)
    return cams, classes
