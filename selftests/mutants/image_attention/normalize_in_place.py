"""Divides the caller's image in place (image /= norms): the returned values are right, but the array
passed in is changed."""
HINT = "in_place"


def normalize_channels(image):
    image /= np.sqrt(np.sum(image ** 2, axis=(0, 1)))
    return image
