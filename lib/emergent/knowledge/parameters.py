"""Where a GPT-2's parameters are: per block, per kind (attention, MLP, embeddings), for our
tiny models and for the four published sizes."""

from __future__ import annotations

from transformers import GPT2Config, GPT2LMHeadModel


PUBLISHED_GPT2 = {  # (n_layer, n_embd) of the four published GPT-2 sizes (Radford et al. 2019)
    "gpt2": (12, 768),
    "gpt2-medium": (24, 1024),
    "gpt2-large": (36, 1280),
    "gpt2-xl": (48, 1600),
}


def block_parameters(d: int, d_ff: int | None = None) -> dict[str, int]:
    """Parameters of one GPT-2 block with model width ``d`` and MLP width ``d_ff`` (default 4d).

    Attention: the fused query/key/value projection (d × 3d + 3d) and the output projection
    (d × d + d): 4d² + 4d. MLP: d × d_ff + d_ff up, d_ff × d + d down: 8d² + 5d when d_ff = 4d.
    The two layer norms hold 2d each.
    """
    if not isinstance(d, int) or d < 1:
        raise ValueError(f"d must be a positive integer, got {d!r}.")
    d_ff = 4 * d if d_ff is None else d_ff
    if not isinstance(d_ff, int) or d_ff < 1:
        raise ValueError(f"d_ff must be a positive integer, got {d_ff!r}.")
    return {"attention": 4 * d * d + 4 * d, "mlp": 2 * d * d_ff + d_ff + d, "layer_norm": 4 * d}


def parameter_share(model_or_config) -> dict:
    """Attention, MLP, layer-norm and embedding parameters of a GPT-2, counted from its modules
    (a model) or from the shapes in its configuration (a ``GPT2Config``: nothing is downloaded).

    Returns per-layer lists and totals, with ``mlp_share`` = MLP / (attention + MLP) parameters.
    """
    if isinstance(model_or_config, GPT2LMHeadModel):
        model = model_or_config
        layers = []
        for block in model.transformer.h:
            count = lambda module: sum(p.numel() for p in module.parameters())
            layers.append(
                {
                    "attention": count(block.attn),
                    "mlp": count(block.mlp),
                    "layer_norm": count(block.ln_1) + count(block.ln_2),
                }
            )
        embeddings = model.transformer.wte.weight.numel() + model.transformer.wpe.weight.numel()
        final_norm = sum(p.numel() for p in model.transformer.ln_f.parameters())
    elif isinstance(model_or_config, GPT2Config):
        c = model_or_config
        layers = [block_parameters(c.n_embd, c.n_inner) for _ in range(c.n_layer)]
        embeddings = c.vocab_size * c.n_embd + c.n_positions * c.n_embd
        final_norm = 2 * c.n_embd
    else:
        raise TypeError(
            f"Pass a GPT2LMHeadModel or a GPT2Config, got {type(model_or_config).__name__}."
        )
    attention = sum(l["attention"] for l in layers)
    mlp = sum(l["mlp"] for l in layers)
    norms = sum(l["layer_norm"] for l in layers) + final_norm
    return {
        "layers": layers,
        "attention": attention,
        "mlp": mlp,
        "layer_norm": norms,
        "embeddings": embeddings,
        "total": attention + mlp + norms + embeddings,
        "mlp_share": mlp / (attention + mlp),
        "mlp_share_of_total": mlp / (attention + mlp + norms + embeddings),
    }


def published_config(name: str) -> GPT2Config:
    """The ``GPT2Config`` of a published GPT-2 size, built from its shape alone (no download)."""
    if name not in PUBLISHED_GPT2:
        raise ValueError(f"Unknown GPT-2 size {name!r}; choose one of {list(PUBLISHED_GPT2)}.")
    n_layer, n_embd = PUBLISHED_GPT2[name]
    return GPT2Config(
        n_layer=n_layer, n_embd=n_embd, n_head=n_embd // 64, vocab_size=50257, n_positions=1024
    )
