"""build_vocab keeps every word, whatever min_count says."""
HINT = "min_count_ignored"

from collections import Counter


def build_vocab(token_lists, min_count=1, max_size=None):
    counts = Counter(t for tokens in token_lists for t in tokens)
    words = sorted(counts, key=lambda w: (-counts[w], w))
    if max_size is not None:
        words = words[:max_size]
    vocab = {PAD: PAD_ID, UNK: UNK_ID}
    for word in words:
        vocab[word] = len(vocab)
    return vocab
