"""Chapter 3, The metric mirage: metrics of the scaling chapter's family, and emergence made to order."""
