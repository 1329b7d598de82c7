"""The index: embeddings, the Chroma store and its wiring, and hybrid retrieval returning Hits."""
