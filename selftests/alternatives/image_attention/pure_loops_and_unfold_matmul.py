"""Scalar loops everywhere in the loop version (with a log-sum-exp softmax); the vectorised version
builds the windows by fancy indexing and uses matmul; the count is factored."""
import math


def normalize_channels(image):
    image = np.asarray(image, dtype=np.float64)
    return image / np.linalg.norm(image.reshape(-1, image.shape[2]), axis=0)


def answer_num_parameters():
    return 3 * 3 * C_out * (C_in + 1)


def attention_loops(x, k, v):
    H, W, C = x.shape
    O = k.shape[0]
    y = np.empty((H - 2, W - 2, O))
    for i in range(H - 2):
        for j in range(W - 2):
            for o in range(O):
                s = []
                for a_ in range(3):
                    for b_ in range(3):
                        s.append(sum(float(x[i + a_, j + b_, c]) * float(k[o, a_, b_, c]) for c in range(C)))
                m = max(s)
                log_z = m + math.log(sum(math.exp(t - m) for t in s))
                y[i, j, o] = sum(math.exp(t - log_z) * float(v[o, n // 3, n % 3]) for n, t in enumerate(s))
    return y


def attention_vectorized(x, k, v):
    H, W, C = x.shape
    rows = np.arange(H - 2)[:, None, None, None] + np.arange(3)[None, None, :, None]      # (H-2, 1, 3, 1)
    cols = np.arange(W - 2)[None, :, None, None] + np.arange(3)[None, None, None, :]      # (1, W-2, 1, 3)
    patches = x[rows, cols].reshape(H - 2, W - 2, 9, C)                                    # (H-2, W-2, 9, C)
    keys = k.reshape(k.shape[0], 9, C)                                                     # (O, 9, C)
    s = np.matmul(patches[:, :, None, :, None, :], keys[None, None, :, :, :, None])[..., 0, 0]   # (H-2, W-2, O, 9)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return (e * v.reshape(1, 1, -1, 9)).sum(-1) / e.sum(-1)
