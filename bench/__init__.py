"""Benchmarks (not tests): ingest throughput, latency, load, cold start, profiles; they only time
(the LlamaIndex baseline they time is eval/baseline.py)."""
