"""clean_text does not strip the HTML tags: "<br />" leaves the token "br"."""
HINT = "html_kept"

import re


def clean_text(text, stop_words=STOP_WORDS):
    text = text.lower().replace("'", "")
    text = re.sub(r"[^a-z]+", " ", text)
    stop = set(stop_words)
    return [token for token in text.split() if token not in stop]
