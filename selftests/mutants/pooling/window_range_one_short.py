"""Counts windows with range(0, H + 2p - k, s) (no + 1): the last window is lost whenever it ends exactly at the edge."""
HINT = "output_size"


def max_pool(x, kernel_size, stride=None, padding=0):
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    padded = F.pad(x, (pw, pw, ph, ph), value=float("-inf"))
    H, W = padded.shape[-2:]
    rows = []
    for top in range(0, H - kh, sh):
        cols = []
        for left in range(0, W - kw, sw):
            cols.append(padded[..., top:top + kh, left:left + kw].amax(dim=(-2, -1)))
        rows.append(torch.stack(cols, -1) if cols else x.new_zeros(*x.shape[:-2], 0))
    return torch.stack(rows, -2) if rows else x.new_zeros(*x.shape[:-2], 0, 0)
