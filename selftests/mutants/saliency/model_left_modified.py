"""Swaps the ReLUs of the model itself and never puts them back."""
HINT = "model_left_modified"


def guided_backprop(model, x, class_idx):
    guided = replace_relus(model)
    inputs = x.detach().clone().requires_grad_(True)
    guided(inputs)[:, class_idx].sum().backward()
    return inputs.grad
