"""Ruta's application layer: settings, answer(), LLM backends and the edges (CLI, web, API)."""
