"""The index: embeddings, the Chroma store, and hybrid retrieval returning plain Hits."""
