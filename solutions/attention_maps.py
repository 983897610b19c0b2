"""Attention maps of an encoder-decoder transformer: self-attention and cross-attention, per layer.

A translation transformer has three kinds of attention, and each layer of each kind produces one
attention map per head: a matrix whose row i says how much query position i draws on each key
position (every row is a probability distribution, so it sums to 1).

* encoder self-attention: source tokens attend to source tokens, shape (S, S) per head;
* decoder self-attention: target tokens attend to EARLIER target tokens only (a causal mask),
  shape (T, T), zero above the diagonal;
* decoder cross-attention: target tokens attend to the encoder's output ("memory"), shape (T, S);
  in a trained translation model these maps show which source words each target word is aligned
  with.

For one head with head size d = E / H, queries q_i and keys k_j (the inputs projected by that head's
rows of the module's ``in_proj_weight`` plus ``in_proj_bias``), the map is

    A[i, j] = softmax_j( q_i . k_j / sqrt(d) + mask[i, j] )

where a masked entry has mask = -inf (so its weight is exactly 0).

Conventions (fixed for every function below):

* Everything is batch-first: ``src`` is (B, S, E), ``tgt`` is (B, T, E) (already embedded: the
  models here take vectors, not token ids), and models are ``nn.Transformer(..., batch_first=True)``.
* Masks follow ``nn.MultiheadAttention``: a boolean ``attn_mask`` of shape (L_q, L_k) has True where
  attention is NOT allowed; a float ``attn_mask`` is added to the scores; a ``key_padding_mask`` is a
  boolean (B, L_k) tensor with True at padding positions (those keys get weight 0).
* Per-head maps have shape (B, H, L_q, L_k); maps averaged over the heads have shape (B, L_q, L_k).
* Layers are listed in the order the input flows through them (first layer first).
* Use the model as given: it is in eval mode (no dropout); do not train it or change its weights.

Approach for ``extract_attention_maps`` (the reference's; any correct one is accepted):
``nn.TransformerEncoderLayer`` and ``nn.TransformerDecoderLayer`` call their attention modules
(``self_attn``; ``multihead_attn`` for cross-attention) with ``need_weights=False``, so the weights
are never computed in a normal forward pass. A forward PRE-hook registered with ``with_kwargs=True``
on every ``nn.MultiheadAttention`` can rewrite those keyword arguments to ``need_weights=True,
average_attn_weights=False``, and a forward hook then receives ``(output, weights)``. Two PyTorch
details matter:

* in eval mode and without gradients, ``nn.TransformerEncoder`` may run a "fast path" that packs a
  padded batch into a nested tensor: padded query positions then get no attention row at all (the
  returned rows are all zeros). Switch it off with ``torch.backends.mha.set_fastpath_enabled(False)``
  while extracting, and restore the previous setting afterwards (also when something fails);
* remove every hook before returning: the model must be left exactly as it was.

Recomputing the maps yourself from each layer's actual inputs (``attention_weights`` below) is
equally fine, as long as every layer sees the input it really gets in the forward pass (mind
``norm_first`` and the encoder's final ``LayerNorm`` before the memory reaches the decoder).

Graded automatically (on small ``nn.Transformer`` models with seeded random weights, built by the
grader): ``attention_weights``, ``extract_attention_maps`` (shapes per layer, rows summing to 1,
values against the grader's own recomputation, the causal structure of decoder self-attention,
padding, and that the model is left unchanged) and ``plot_attention_maps`` (the number and content
of the panels, its readable grid layout, and that the PNG opens).

Graded by hand (write it up as the problem set asks): translating a sentence of your choice with a
pretrained translation model, plotting its self- and cross-attention at early and late layers, and
what patterns you see. ``load_translation_model`` and ``translation_attention_maps`` below are given
code for that part; they need the ``transformers`` package and downloaded weights, which the
autograder does not have, so no test calls them.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import torch
from torch import nn


# ----------------------------------------------------------------------------- given code (not graded)
def load_translation_model(name: str = "Helsinki-NLP/opus-mt-en-de"):
    """A pretrained translation model and its tokenizer, for the by-hand part: ``(model, tokenizer)``.

    ``name`` is a Hugging Face model id (downloaded on first use, needs internet) or a local folder
    saved with ``save_pretrained``. The MarianMT models ("Helsinki-NLP/opus-mt-<src>-<tgt>") are small
    encoder-decoders (6 + 6 layers, 8 heads). ``transformers`` is imported here, only when called.
    """
    try:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    except Exception as exc:
        raise RuntimeError("load_translation_model needs the transformers package (pip install transformers "
                           f"sentencepiece); it could not be imported: {exc}") from exc
    tokenizer = AutoTokenizer.from_pretrained(name)
    model = AutoModelForSeq2SeqLM.from_pretrained(name, attn_implementation="eager")  # eager: weights returned
    model.eval()
    return model, tokenizer


def translation_attention_maps(model, tokenizer, source_text: str, target_text: str | None = None):
    """Translate ``source_text`` (unless ``target_text`` is given), then run the model once on both
    with ``output_attentions=True``.

    Returns ``(maps, source_tokens, target_tokens, translation)``: ``maps`` is a dict shaped like the
    result of ``extract_attention_maps`` for the single sentence (lists over layers of (1, H, L_q, L_k)
    tensors), so ``plot_attention_maps([m[0] for m in maps["decoder_cross"][:2]], "cross.png",
    query_tokens=target_tokens, key_tokens=source_tokens)`` plots two layers' cross-attention.
    """
    with torch.no_grad():
        inputs = tokenizer(source_text, return_tensors="pt")
        if target_text is None:
            generated = model.generate(**inputs, max_new_tokens=64)
            target_text = tokenizer.batch_decode(generated, skip_special_tokens=True)[0]
        batch = tokenizer(source_text, text_target=target_text, return_tensors="pt")
        out = model(**batch, output_attentions=True)
    maps = {"encoder_self": list(out.encoder_attentions), "decoder_self": list(out.decoder_attentions),
            "decoder_cross": list(out.cross_attentions)}
    # The decoder is fed the labels shifted right (a start token first), as during training.
    decoder_ids = model.prepare_decoder_input_ids_from_labels(labels=batch["labels"])[0]
    source_tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][0])
    target_tokens = tokenizer.convert_ids_to_tokens(decoder_ids)
    return maps, source_tokens, target_tokens, target_text


# ----------------------------------------------------------------------------- Part 1: one attention module
def attention_weights(attn: nn.MultiheadAttention, query: torch.Tensor, key: torch.Tensor,
                      attn_mask: torch.Tensor | None = None,
                      key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
    """The per-head attention weights of ``attn`` for the given queries and keys.

    Args:
    - attn: an ``nn.MultiheadAttention`` with ``embed_dim`` E and ``num_heads`` H (key and value have
      the same size E: its projections are packed in ``attn.in_proj_weight`` (3E, E), rows
      [0, E) for queries and [E, 2E) for keys, and ``attn.in_proj_bias`` (3E,) the same way; it has
      no ``bias_k`` and ``add_zero_attn`` is False). Use its weights as they are.
    - query: (B, L_q, E) and key: (B, L_k, E), batch-first whatever ``attn.batch_first`` says
    - attn_mask: None, or (L_q, L_k): boolean (True = not allowed) or float (added to the scores)
    - key_padding_mask: None, or a boolean (B, L_k) tensor, True at padding keys

    Head h uses rows [h*d, (h+1)*d) of each projection, with d = E // H.

    Returns:
    - shape (B, H, L_q, L_k): ``softmax(q_h k_h^T / sqrt(d) + mask)`` over the last axis, for every
      batch element and head. (No dropout: these are the weights of an eval-mode module.)

    You may compute it from the weights yourself or call ``attn`` with ``need_weights=True`` and
    ``average_attn_weights=False`` (mind its ``batch_first``); either way the result is the same. Leave
    ``attn`` as it was given: the same ``batch_first``, training flag and weights after the call.
    """
    # BEGIN SOLUTION
    E, H = attn.embed_dim, attn.num_heads
    d = E // H
    w_q, w_k, _ = attn.in_proj_weight.detach().chunk(3)
    if attn.in_proj_bias is not None:
        b_q, b_k, _ = attn.in_proj_bias.detach().chunk(3)
    else:
        b_q = b_k = None
    q = nn.functional.linear(query, w_q, b_q)                                 # (B, L_q, E)
    k = nn.functional.linear(key, w_k, b_k)                                   # (B, L_k, E)
    B, L_q, L_k = query.shape[0], query.shape[1], key.shape[1]
    q = q.reshape(B, L_q, H, d).transpose(1, 2)                               # (B, H, L_q, d)
    k = k.reshape(B, L_k, H, d).transpose(1, 2)                               # (B, H, L_k, d)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)                           # (B, H, L_q, L_k)
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask.bool()[:, None, None, :], float("-inf"))
    return torch.softmax(scores, dim=-1)
    # END SOLUTION


# ----------------------------------------------------------------------------- Part 2: a whole model
def extract_attention_maps(model: nn.Transformer, src: torch.Tensor, tgt: torch.Tensor,
                           src_key_padding_mask: torch.Tensor | None = None,
                           average_heads: bool = False) -> dict:
    """Every attention map of one forward pass of an encoder-decoder ``nn.Transformer``.

    Args:
    - model: an ``nn.Transformer`` built with ``batch_first=True`` (post-LN or ``norm_first=True``),
      in eval mode; its layers are ``model.encoder.layers`` and ``model.decoder.layers``
    - src: the embedded source, (B, S, E); tgt: the embedded (shifted) target, (B, T, E)
    - src_key_padding_mask: None, or a boolean (B, S) tensor, True at padding source positions;
      padding keys are masked both in encoder self-attention and in cross-attention (pass it as
      ``src_key_padding_mask`` and ``memory_key_padding_mask``)
    - average_heads: False for per-head maps, True for maps averaged over the heads

    The forward pass is the one of teacher-forced translation: the decoder self-attention uses the
    causal mask ``nn.Transformer.generate_square_subsequent_mask(T)`` (position t sees 0..t only);
    there is no other mask.

    Returns:
    - a dict with exactly three keys, each a list with one tensor per layer, first layer first:
      ``"encoder_self"``: len(model.encoder.layers) tensors of shape (B, H, S, S);
      ``"decoder_self"``: len(model.decoder.layers) tensors of shape (B, H, T, T);
      ``"decoder_cross"``: len(model.decoder.layers) tensors of shape (B, H, T, S).
      With ``average_heads=True`` the head axis is averaged away: (B, S, S), (B, T, T), (B, T, S).
      Every row (also the row of a padded source position) sums to 1.

    Leave the model as you found it: no hooks left on any module, same training flag, and the
    fast-path setting ``torch.backends.mha.get_fastpath_enabled()`` restored to whatever it was before
    the call (True or False); all of this also when the forward pass raises an exception.
    """
    # BEGIN SOLUTION
    captured: dict[nn.Module, torch.Tensor] = {}

    def ask_for_weights(module, args, kwargs):
        kwargs["need_weights"] = True
        kwargs["average_attn_weights"] = False
        return args, kwargs

    def keep_weights(module, args, kwargs, output):
        captured[module] = output[1].detach()

    attention = ([("encoder_self", layer.self_attn) for layer in model.encoder.layers]
                 + [("decoder_self", layer.self_attn) for layer in model.decoder.layers]
                 + [("decoder_cross", layer.multihead_attn) for layer in model.decoder.layers])
    handles = []
    fast = torch.backends.mha.get_fastpath_enabled()
    try:
        torch.backends.mha.set_fastpath_enabled(False)   # no nested tensors: every row is computed
        for _, module in attention:
            handles.append(module.register_forward_pre_hook(ask_for_weights, with_kwargs=True))
            handles.append(module.register_forward_hook(keep_weights, with_kwargs=True))
        causal = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1], device=tgt.device, dtype=tgt.dtype)
        with torch.no_grad():
            model(src, tgt, tgt_mask=causal, src_key_padding_mask=src_key_padding_mask,
                  memory_key_padding_mask=src_key_padding_mask)
    finally:
        for handle in handles:
            handle.remove()
        torch.backends.mha.set_fastpath_enabled(fast)
    maps: dict[str, list] = {"encoder_self": [], "decoder_self": [], "decoder_cross": []}
    for kind, module in attention:
        weights = captured[module]
        maps[kind].append(weights.mean(dim=1) if average_heads else weights)
    return maps
    # END SOLUTION


# ----------------------------------------------------------------------------- Part 3: plotting
def plot_attention_maps(maps: Sequence[torch.Tensor], path: str | Path, *,
                        query_tokens: Sequence[str] | None = None, key_tokens: Sequence[str] | None = None,
                        title: str | None = None, cmap: str = "viridis"):
    """Plot the attention maps of several layers of ONE example as a grid of panels; save it as a PNG.

    Args:
    - maps: one tensor per layer (first layer first), each either (H, L_q, L_k) (per head) or
      (L_q, L_k) (one map for the layer); all of the same shape
    - path: where to write the PNG (the folder exists): a ``str`` or a ``pathlib.Path``
    - query_tokens: None or L_q strings, the labels of the rows (y axis)
    - key_tokens: None or L_k strings, the labels of the columns (x axis)
    - title: None or a title for the whole figure (``fig.suptitle``)
    - cmap: a matplotlib colormap name, used for every panel

    Layout: one row of panels per layer and one column per head (a single column for 2-D maps), so
    the panels, read row by row, are layer 1 head 1, layer 1 head 2, ..., layer 2 head 1, ...
    Each panel is ONE ``imshow`` of that map as it is (row i = query i, column j = key j) with
    ``vmin=0, vmax=1``, titled with its layer and head numbers counted from 1, e.g. "layer 2, head 1"
    (for 2-D maps the layer number alone, e.g. "layer 2"). With tokens given, put them as tick labels:
    every key token on the x axis and every query token on the y axis of each panel (either list may be
    given without the other). A colorbar is
    welcome (its axes holds no image, so it is not counted as a panel).

    Size the figure for what it holds, so that it stays readable (the size itself is yours to choose,
    e.g. a ``figsize`` that grows with the number of layers, heads and tokens, or ``fig.tight_layout()``):
    the panels sit in that grid without overlapping, every cell of a map is at least 0.1 inch a side,
    and no panel's title or tick labels cover another panel.

    Use matplotlib with the Agg backend (no window): ``matplotlib.figure.Figure`` with
    ``FigureCanvasAgg``, or ``matplotlib.use("Agg")`` before importing pyplot.

    Returns:
    - the ``matplotlib.figure.Figure`` that was saved; the grader counts its panels (axes holding an
      image) and reads back what each shows.
    """
    # BEGIN SOLUTION
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    arrays = [m.detach().to(torch.float64).cpu() for m in maps]
    arrays = [a if a.dim() == 3 else a.unsqueeze(0) for a in arrays]
    layers, heads = len(arrays), arrays[0].shape[0]
    L_q, L_k = arrays[0].shape[-2:]
    side = 0.35 * max(L_q, L_k) + 1.2
    fig = Figure(figsize=(side * heads + 0.8, side * layers + (0.5 if title else 0.2)), dpi=80)
    FigureCanvasAgg(fig)
    axes = fig.subplots(layers, heads, squeeze=False)
    image = None
    for l in range(layers):
        for h in range(heads):
            ax = axes[l][h]
            image = ax.imshow(arrays[l][h].numpy(), vmin=0.0, vmax=1.0, cmap=cmap)
            ax.set_title(f"layer {l + 1}, head {h + 1}" if heads > 1 else f"layer {l + 1}", fontsize=8)
            if key_tokens is not None:
                ax.set_xticks(range(L_k), labels=list(key_tokens), rotation=90, fontsize=6)
            if query_tokens is not None:
                ax.set_yticks(range(L_q), labels=list(query_tokens), fontsize=6)
    if title:
        fig.suptitle(title)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6)
    fig.savefig(str(path), format="png")
    return fig
    # END SOLUTION
