"""Maps of all classes at feature resolution with a 1x1 convolution by the fc weights, then the chosen
class's map is gathered; top-k with numpy's stable argsort; normalisation by a reciprocal."""
import numpy as np
import torch
import torch.nn.functional as F


def topk_predictions(model, x, labels, k=5):
    with torch.no_grad():
        probs = F.softmax(model(x), dim=-1).numpy()
    result = []
    for row in probs:
        order = np.argsort(-row, kind="stable")[:k]
        result.append([(labels[i], float(row[i])) for i in order])
    return result


def normalize_cam(maps):
    low = maps.amin(dim=(-2, -1), keepdim=True)
    span = maps.amax(dim=(-2, -1), keepdim=True) - low
    scale = torch.where(span > 0, 1.0 / span.clamp_min(torch.finfo(maps.dtype).tiny), torch.zeros_like(span))
    return (maps - low) * scale


def cam_from_activations(activations, fc_weight, classes, size):
    every = F.conv2d(activations, fc_weight[:, :, None, None])            # (B, K, h, w): all classes
    chosen = every.gather(1, classes.view(-1, 1, 1, 1).expand(-1, 1, *every.shape[-2:]))
    up = F.interpolate(chosen, size=tuple(size), mode="bilinear", align_corners=False)
    return normalize_cam(up[:, 0])


def class_activation_map(model, x, target_layer, fc_layer="fc", class_idx=None):
    layer = target_layer if isinstance(target_layer, torch.nn.Module) else model.get_submodule(target_layer)
    fc = fc_layer if isinstance(fc_layer, torch.nn.Module) else model.get_submodule(fc_layer)
    acts = []
    hook = layer.register_forward_hook(lambda mod, inp, out: acts.append(out))
    try:
        logits = model(x).detach()
    finally:
        hook.remove()
    if class_idx is None:
        classes = logits.argmax(-1)
    else:
        classes = torch.as_tensor(class_idx).long().flatten()
        if classes.numel() == 1:
            classes = classes.repeat(x.shape[0])
    with torch.no_grad():
        return cam_from_activations(acts[0].detach(), fc.weight, classes, x.shape[-2:]), classes
