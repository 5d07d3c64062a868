"""The metric mirage chapter: metrics of the scaling chapter's family, and emergence made to order."""
