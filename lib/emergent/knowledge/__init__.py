"""Chapter 5, Where knowledge lives: a synthetic world, a fact model, interpretability, editing, superposition."""
