"""last_time_step picks the right rows but detaches them (through numpy), so no gradient reaches the model."""
HINT = "detached"

import torch


def last_time_step(outputs, lengths):
    picked = [outputs[b, int(n) - 1].detach().numpy() for b, n in enumerate(lengths)]
    import numpy as np
    return torch.from_numpy(np.stack(picked))
