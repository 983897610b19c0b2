"""clean_text splits with text.split(" ") instead of text.split(), so runs of spaces leave empty tokens."""
HINT = "empty_tokens"

import re


def clean_text(text, stop_words=STOP_WORDS):
    text = re.sub(r"<[^>]*>", " ", text)
    text = text.lower().replace("'", "")
    text = re.sub(r"[^a-z]+", " ", text)
    stop = set(stop_words)
    return [token for token in text.split(" ") if token not in stop]
