"""Ruta's application layer: settings, the composition root, the answering core (rag/) and the
edges (cli/, http/)."""
