"""encode gives unknown words the id 0 (the padding id) instead of 1 (<unk>)."""
HINT = "unknown_as_pad"


def encode(tokens, vocab):
    return [vocab.get(token, 0) for token in tokens]
