"""The model zoo page: the smallest end-to-end use of the factory, the trainer and the cache."""
