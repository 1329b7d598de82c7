"""Evaluation: load a question set, run Ruta over it, score retrieval/answers/citations, report."""
