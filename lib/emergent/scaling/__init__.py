"""Chapter 2, Scaling laws: the addition task, the model family, power-law fits and the IsoFLOP sweep.

The family is shared: the metric-mirage chapter scores the same cached models.
"""
