"""The scaling-laws chapter: the addition task, the model family, power-law fits and the IsoFLOP sweep.

``addition`` (the task), ``family`` (the members and their held-out scores), ``laws`` (the fits),
``flops`` (counting compute), ``text_data`` and ``isoflop`` (the text sweep at fixed compute),
``readings`` (what the chapter reads off them). The family is shared: the metric-mirage and
prediction chapters score the same cached models.
"""
