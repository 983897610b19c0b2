"""Registers the forward hook and never removes it."""
HINT = "hook_not_removed"

import torch


def class_activation_map(model, x, target_layer, fc_layer="fc", class_idx=None):
    layer = model.get_submodule(target_layer) if isinstance(target_layer, str) else target_layer
    fc = model.get_submodule(fc_layer) if isinstance(fc_layer, str) else fc_layer
    feats = []
    layer.register_forward_hook(lambda m, i, o: feats.append(o.detach()))
    with torch.no_grad():
        logits = model(x)
    classes = logits.argmax(dim=1) if class_idx is None else \
        torch.as_tensor(class_idx, dtype=torch.long).reshape(-1).expand(x.shape[0]).clone()
    cams = cam_from_activations(feats[-1], fc.weight.detach(), classes, tuple(x.shape[-2:]))
    return cams, classes
