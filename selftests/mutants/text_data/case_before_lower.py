"""clean_text keeps only a-z BEFORE lowercasing, so every capital letter is lost: "GREAT" disappears, "Film"
becomes "ilm"."""
HINT = "case_dropped"

import re


def clean_text(text, stop_words=STOP_WORDS):
    text = re.sub(r"<[^>]*>", " ", text)
    text = text.replace("'", "")
    text = re.sub(r"[^a-z]+", " ", text).lower()
    stop = set(stop_words)
    return [token for token in text.split() if token not in stop]
