"""Ingestion: load documents, clean them, cut them into citable chunks."""
