"""The chapter "Where knowledge lives", in three pages.

Recall: a synthetic world (:mod:`knowledge_base`), a model that learns it (:mod:`fact_model`), the
logit lens and causal tracing (:mod:`interpretability`), attention knockout (:mod:`knockout`) and
sparse probes of neurons (:mod:`neurons`). Editing: ROME (:mod:`editing`), MEMIT and AlphaEdit
(:mod:`mass_editing`), localisation against editability (:mod:`localisation`). Capacity: bits per
parameter (:mod:`capacity`), superposition (:mod:`superposition`) and training-data attribution
(:mod:`attribution`).
"""
