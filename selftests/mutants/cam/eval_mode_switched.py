"""Calls model.eval() inside topk_predictions and class_activation_map, changing the caller's model."""
HINT = "model_state_changed"

import torch


def topk_predictions(model, x, labels, k=5):
    model.eval()                                # bug: the caller's model changes mode
    with torch.no_grad():
        probs = torch.softmax(model(x), dim=1)
    k = min(k, probs.shape[1])
    values, indices = torch.sort(probs, dim=1, descending=True, stable=True)
    return [[(labels[int(i)], float(p)) for p, i in zip(vs[:k], ix[:k])] for vs, ix in zip(values, indices)]


def class_activation_map(model, x, target_layer, fc_layer="fc", class_idx=None):
    model.eval()                                # bug
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
    cams = cam_from_activations(feats[-1], fc.weight.detach(), classes, tuple(x.shape[-2:]))
    return cams, classes
