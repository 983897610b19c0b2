"""Builds the uniform limit with a hard-coded dtype (torch.full(..., dtype=torch.float64)): float32 logits get
float64 probabilities back."""
HINT = "dtype_changed"


def softmax_limit_hot(z):
    return torch.full(z.shape, 1.0 / z.shape[-1], dtype=torch.float64)
