"""Takes the features that enter the fc layer (already globally pooled) instead of hooking the conv layer."""
HINT = "features_after_pooling"

import torch


def class_activation_map(model, x, target_layer, fc_layer="fc", class_idx=None):
    fc = model.get_submodule(fc_layer) if isinstance(fc_layer, str) else fc_layer
    feats = []
    handle = fc.register_forward_pre_hook(lambda m, inputs: feats.append(inputs[0].detach()))
    try:
        with torch.no_grad():
            logits = model(x)
    finally:
        handle.remove()
    if class_idx is None:
        classes = logits.argmax(dim=1)
    else:
        classes = torch.as_tensor(class_idx, dtype=torch.long).reshape(-1).expand(x.shape[0]).clone()
    pooled = feats[-1][:, :, None, None]            # (B, C, 1, 1): no spatial extent left
    cams = cam_from_activations(pooled, fc.weight.detach(), classes, tuple(x.shape[-2:]))
    return cams, classes
