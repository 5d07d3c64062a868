"""The chapter "What is emergence?": the published thresholds, the shapes of scaling, induction heads."""
