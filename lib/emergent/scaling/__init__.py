"""The scaling-laws chapter: the addition task, the model family, power-law fits and the IsoFLOP sweep.

The family is shared: the metric-mirage and prediction chapters score the same cached models.
"""
