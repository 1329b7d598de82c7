"""Benchmarks (not tests): the LlamaIndex default baseline, ingest throughput, latency, load."""
