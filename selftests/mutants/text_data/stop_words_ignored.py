"""clean_text never drops the stop words (the stop_words argument is ignored)."""
HINT = "stop_words_kept"

import re


def clean_text(text, stop_words=STOP_WORDS):
    text = re.sub(r"<[^>]*>", " ", text)
    text = text.lower().replace("'", "")
    text = re.sub(r"[^a-z]+", " ", text)
    return text.split()
