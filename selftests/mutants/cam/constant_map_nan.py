"""Min-max normalisation without a guard: a constant map gives 0/0 = NaN."""
HINT = "constant_map"


def normalize_cam(maps):
    flat = maps.flatten(1)
    low = flat.amin(1, keepdim=True)
    high = flat.amax(1, keepdim=True)
    return ((flat - low) / (high - low)).reshape(maps.shape)
