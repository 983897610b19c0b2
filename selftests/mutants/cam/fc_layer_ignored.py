"""Ignores the fc_layer argument and always takes the weights of model.fc."""
HINT = "fc_layer_ignored"

import torch


def class_activation_map(model, x, target_layer, fc_layer="fc", class_idx=None):
    layer = model.get_submodule(target_layer) if isinstance(target_layer, str) else target_layer
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
    cams = cam_from_activations(feats[-1], model.fc.weight.detach(), classes, tuple(x.shape[-2:]))  # bug
    return cams, classes
