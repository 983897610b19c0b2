"""Float64 throughout, an explicit loop over channels, Python's sort for top-k (stable on ties)."""
import torch
import torch.nn.functional as F


def topk_predictions(model, x, labels, k=5):
    with torch.no_grad():
        logits = model(x).double()
    out = []
    for row in logits:
        probs = torch.exp(row - row.max())
        probs = probs / probs.sum()
        order = sorted(range(len(probs)), key=lambda i: (-float(probs[i]), i))
        out.append([(labels[i], float(probs[i])) for i in order[:k]])
    return out


def normalize_cam(maps):
    out = torch.zeros_like(maps, dtype=torch.float64)
    for b in range(maps.shape[0]):
        m = maps[b].double()
        low, high = m.min(), m.max()
        if high > low:
            out[b] = (m - low) / (high - low)
    return out


def cam_from_activations(activations, fc_weight, classes, size):
    A, W = activations.double(), fc_weight.double()
    maps = torch.zeros(A.shape[0], A.shape[2], A.shape[3], dtype=torch.float64)
    for b in range(A.shape[0]):
        for c in range(A.shape[1]):
            maps[b] += W[int(classes[b]), c] * A[b, c]
    maps = F.interpolate(maps[:, None], size=(int(size[0]), int(size[1])), mode="bilinear", align_corners=False)
    return normalize_cam(maps[:, 0])


def class_activation_map(model, x, target_layer, fc_layer="fc", class_idx=None):
    modules = dict(model.named_modules())
    layer = modules[target_layer] if isinstance(target_layer, str) else target_layer
    fc = modules[fc_layer] if isinstance(fc_layer, str) else fc_layer
    seen = {}

    def grab(module, inputs, output):
        seen["A"] = output

    handle = layer.register_forward_hook(grab)
    with torch.no_grad():
        logits = model(x)
    handle.remove()
    if class_idx is None:
        classes = torch.tensor([max(range(row.numel()), key=lambda i: (float(row[i]), -i)) for row in logits])
    elif isinstance(class_idx, int):
        classes = torch.full((x.shape[0],), class_idx, dtype=torch.long)
    else:
        classes = torch.tensor([int(c) for c in class_idx], dtype=torch.long)
    return cam_from_activations(seen["A"], fc.weight.detach(), classes, x.shape[-2:]), classes
