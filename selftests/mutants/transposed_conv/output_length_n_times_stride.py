"""Scatters z[i] * w at i*stride into a buffer of len(z)*stride + K - 1 values: stride - 1 trailing zeros
more than nn.ConvTranspose1d returns."""
HINT = "torch_length"


def conv_transpose_output(w, z, stride=2):
    K = w.shape[0]
    out = torch.zeros(z.shape[0] * stride + K - 1, dtype=z.dtype)
    for i in range(z.shape[0]):
        out[i * stride:i * stride + K] += z[i] * w
    return out
