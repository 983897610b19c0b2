"""build_vocab orders by Counter.most_common(), which breaks ties by first appearance, not alphabetically."""
HINT = "vocab_ties"

from collections import Counter


def build_vocab(token_lists, min_count=1, max_size=None):
    counts = Counter(t for tokens in token_lists for t in tokens)
    words = [w for w, c in counts.most_common() if c >= min_count]
    if max_size is not None:
        words = words[:max_size]
    vocab = {PAD: PAD_ID, UNK: UNK_ID}
    for word in words:
        vocab[word] = len(vocab)
    return vocab
