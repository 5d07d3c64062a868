"""The chapter "Thinking out loud": scratchpads, serial depth and in-context learning in a family of tiny GPT-2s."""
