"""Builds A by running F.conv1d on the columns of a float64 identity matrix, with the kernel as given:
right for a float64 kernel, a dtype error for a float32 one (the docstring allows any float kernel)."""
HINT = "kernel_dtype"


def conv_matrix(w, length, stride=1, padding=0):
    eye = torch.eye(length, dtype=torch.float64).unsqueeze(1)
    return F.conv1d(eye, w.view(1, 1, -1), stride=stride, padding=padding)[:, 0, :].T
