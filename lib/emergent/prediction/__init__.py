"""The chapter "Can emergence be predicted?": forecasts of a larger model's exact match made from smaller
ones and sealed before it is trained; compression against ability; memorisation with scale."""
