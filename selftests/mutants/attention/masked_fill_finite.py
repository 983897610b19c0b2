"""Fills masked scores with -1e9 instead of -inf: right while the scores are moderate, wrong once they are
far below -1e9 (the masked positions then get the weight)."""
HINT = "mask_finite_fill"


def masked_softmax(scores, mask):
    return torch.softmax(scores.masked_fill(~mask, -1e9), dim=-1)
