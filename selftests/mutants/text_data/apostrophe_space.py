"""clean_text turns the apostrophe into a space like other punctuation: "don't" -> "don", "t"."""
HINT = "apostrophe"

import re


def clean_text(text, stop_words=STOP_WORDS):
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"[^a-z]+", " ", text.lower())
    stop = set(stop_words)
    return [token for token in text.split() if token not in stop]
