"""build_vocab numbers the words from 0 (enumerate), so the most frequent words share ids 0 and 1 with <pad> and
<unk>."""
HINT = "word_ids_collide"

from collections import Counter


def build_vocab(token_lists, min_count=1, max_size=None):
    counts = Counter(t for tokens in token_lists for t in tokens)
    words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    if max_size is not None:
        words = words[:max_size]
    vocab = {PAD: PAD_ID, UNK: UNK_ID}
    for i, word in enumerate(words):
        vocab[word] = i
    return vocab
