""""Freezes" the filters by zeroing their gradient in a hook instead of setting requires_grad=False: the optimiser
still holds them, and its weight decay shrinks them at every step."""
HINT = "not_frozen"

import torch
from torch import nn


class ManualCNN(nn.Module):
    def __init__(self, filters=None, n_classes=10, image_size=8):
        super().__init__()
        if filters is None:
            filters = make_filters()
        filters = torch.as_tensor(filters).detach().to(torch.float32).reshape(4, 1, 3, 3).clone()
        self.conv = nn.Conv2d(1, 4, kernel_size=3, padding=1, bias=False)
        with torch.no_grad():
            self.conv.weight.copy_(filters)
        self.conv.weight.register_hook(torch.zeros_like)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(4 * (image_size // 2) ** 2, n_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))
