"""Uses the centre pixel of the window as the one query for all nine key positions."""
HINT = "centre_query"


def attention_loops(x, k, v):
    height, width, _ = x.shape
    y = np.zeros((height - 2, width - 2, k.shape[0]))
    for i in range(height - 2):
        for j in range(width - 2):
            query = x[i + 1, j + 1]
            for o in range(k.shape[0]):
                s = k[o] @ query
                w = np.exp(s - s.max())
                y[i, j, o] = np.sum(w / w.sum() * v[o])
    return y


def attention_vectorized(x, k, v):
    centre = x[1:-1, 1:-1]
    s = np.einsum("ijc,oabc->ijoab", centre, k).reshape(centre.shape[0], centre.shape[1], k.shape[0], 9)
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    w /= w.sum(axis=-1, keepdims=True)
    return np.einsum("ijon,on->ijo", w, v.reshape(v.shape[0], 9))
