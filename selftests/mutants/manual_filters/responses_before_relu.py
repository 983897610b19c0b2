"""Returns the raw convolution outputs, before the ReLU."""
HINT = "responses_before_relu"

import torch


def filter_responses(model, images):
    with torch.no_grad():
        return model.conv(images)
