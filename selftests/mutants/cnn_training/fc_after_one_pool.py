"""Sizes fc1 as if only one pooling had halved the image (channels[1] * (image_size // 2) ** 2 inputs)."""
HINT = "fc_input_size"

from torch import nn


class CNN(nn.Module):
    def __init__(self, in_channels=1, n_classes=10, image_size=8, channels=(16, 32), hidden=64, dropout=0.25):
        super().__init__()
        side = image_size // 2
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, channels[0], kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(channels[0], channels[1], kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Linear(channels[1] * side * side, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))
