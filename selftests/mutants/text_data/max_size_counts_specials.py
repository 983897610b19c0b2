"""build_vocab counts <pad> and <unk> in max_size (len(vocab) <= max_size), keeping two words fewer."""
HINT = "max_size_specials"

from collections import Counter


def build_vocab(token_lists, min_count=1, max_size=None):
    counts = Counter(t for tokens in token_lists for t in tokens)
    words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    if max_size is not None:
        words = words[:max(max_size - 2, 0)]
    vocab = {PAD: PAD_ID, UNK: UNK_ID}
    for word in words:
        vocab[word] = len(vocab)
    return vocab
