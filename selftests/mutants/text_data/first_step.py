"""last_time_step takes the output of the FIRST time step, outputs[:, 0], instead of each sequence's last real one."""
HINT = "first_step"


def last_time_step(outputs, lengths):
    return outputs[:, 0]
