"""The chapter "Where knowledge lives", in three pages.

Recall: a synthetic world (:mod:`knowledge_base`), a model that learns it (:mod:`fact_model`), where
its parameters are (:mod:`parameters`), hidden states read and patched by hooks (:mod:`hooks`), the
logit lens (:mod:`logit_lens`), causal tracing (:mod:`tracing`), the MLP as key-value memory
(:mod:`memories`), attention knockout (:mod:`knockout`) and
sparse probes of neurons (:mod:`neurons`). Editing: ROME (:mod:`editing`), MEMIT and AlphaEdit
(:mod:`mass_editing`), localisation against editability (:mod:`localisation`). Capacity: bits per
parameter (:mod:`capacity`), superposition (:mod:`superposition`) and training-data attribution
(:mod:`attribution`).
"""
