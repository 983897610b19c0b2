"""Works in torch (F.unfold, torch.softmax, float64) and returns numpy; the loop version loops
over output channels and pixels with torch tensors; the count comes from the sizes of real kernels."""
import torch as _torch
from torch.nn import functional as _F


def normalize_channels(image):
    t = _torch.as_tensor(np.asarray(image, dtype=np.float64))
    return (t / t.pow(2).sum(dim=(0, 1)).sqrt()).numpy()


def answer_num_parameters():
    per_output = 3 * 3 * C_in + 3 * 3 * 1
    return sympy.expand(per_output * C_out)


def attention_loops(x, k, v):
    xt, kt, vt = (_torch.as_tensor(np.asarray(t, dtype=np.float64)) for t in (x, k, v))
    H, W, _ = xt.shape
    out = _torch.zeros(H - 2, W - 2, kt.shape[0], dtype=_torch.float64)
    for o in range(kt.shape[0]):
        for i in range(H - 2):
            for j in range(W - 2):
                s = (xt[i:i + 3, j:j + 3] * kt[o]).sum(-1).flatten()
                out[i, j, o] = _torch.softmax(s, 0) @ vt[o].flatten()
    return out.numpy()


def attention_vectorized(x, k, v):
    xt = _torch.as_tensor(np.asarray(x, dtype=np.float64))
    kt = _torch.as_tensor(np.asarray(k, dtype=np.float64))
    vt = _torch.as_tensor(np.asarray(v, dtype=np.float64))
    H, W, C = xt.shape
    cols = _F.unfold(xt.permute(2, 0, 1)[None], kernel_size=3)[0]          # (C*9, L), rows ordered (c, a, b)
    cols = cols.view(C, 9, -1)
    s = _torch.einsum("cnl,onc->lon", cols, kt.reshape(kt.shape[0], 9, C))
    y = (_torch.softmax(s, dim=-1) * vt.reshape(1, -1, 9)).sum(-1)
    return y.reshape(H - 2, W - 2, -1).numpy()
