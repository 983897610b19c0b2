"""clean_text deletes the HTML tags without putting a space in their place: "good<br />bad" -> "goodbad"."""
HINT = "tag_glues_words"

import re


def clean_text(text, stop_words=STOP_WORDS):
    text = re.sub(r"<[^>]*>", "", text)
    text = text.lower().replace("'", "")
    text = re.sub(r"[^a-z]+", " ", text)
    stop = set(stop_words)
    return [token for token in text.split() if token not in stop]
