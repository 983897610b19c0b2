"""build_vocab counts in how many token lists a word appears (document frequency), not its occurrences."""
HINT = "document_frequency"

from collections import Counter


def build_vocab(token_lists, min_count=1, max_size=None):
    counts = Counter(t for tokens in token_lists for t in set(tokens))
    words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    if max_size is not None:
        words = words[:max_size]
    vocab = {PAD: PAD_ID, UNK: UNK_ID}
    for word in words:
        vocab[word] = len(vocab)
    return vocab
