"""count_parameters counts every parameter, the frozen ones too."""
HINT = "count_frozen"


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
