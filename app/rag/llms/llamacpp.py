"""Runs a GGUF model in-process with llama-cpp-python; the bundled SmolLM2 by default."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.rag.errors import LLMUnavailable
from app.rag.llms.smollm2 import bundled_gguf
from app.rag.types import Message

if TYPE_CHECKING:
    from llama_cpp import Llama


class LlamaCppLLM:
    """Loads the model on first use and streams chat completions from it, one at a time."""

    name = "llamacpp"

    def __init__(
        self, model_path: str, max_tokens: int, timeout_s: float, n_threads: int = 2
    ) -> None:
        self.model_path = Path(model_path) if model_path else bundled_gguf()
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        # ggml's threads meet at a spinning barrier after every layer: on a busy machine with
        # fewer free cores than threads, each token waits for a descheduled thread, so a
        # caller sharing the cores may do far better with 1.
        self.n_threads = n_threads
        self._model: Llama | None = None
        self._load_lock = threading.Lock()
        # A Llama object keeps one KV cache: two generations at once would corrupt each other.
        self._generate_lock = threading.Lock()

    def _load(self) -> Llama:
        with self._load_lock:  # concurrent first requests must not load the model twice
            if self._model is not None:
                return self._model
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise LLMUnavailable(
                    f"the llamacpp backend needs llama-cpp-python ({exc}); "
                    "install it with: pip install 'ruta[llamacpp]'"
                ) from exc
            if not self.model_path.is_file():
                raise LLMUnavailable(f"the GGUF model {self.model_path} does not exist")
            try:
                self._model = Llama(
                    model_path=str(self.model_path),
                    n_ctx=2048,
                    n_threads=self.n_threads,
                    verbose=False,
                    chat_format="chatml",  # SmolLM2's template; GGUF metadata is not always present
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise LLMUnavailable(
                    f"cannot load the GGUF model {self.model_path}: {exc}"
                ) from exc
            return self._model

    def stream(self, messages: list[Message]) -> Iterator[str]:
        model = self._load()
        started = time.monotonic()
        if not self._generate_lock.acquire(timeout=self.timeout_s):
            raise LLMUnavailable(
                f"the llamacpp model stayed busy with another answer for {self.timeout_s:g} s"
            )
        chunks: Iterator[Any] | None = None
        got_text = False
        try:
            try:
                chunks = model.create_chat_completion(
                    messages=[{"role": m.role, "content": m.content} for m in messages],
                    stream=True,
                    temperature=0,  # reproducible answers that stick to the sources
                    max_tokens=self.max_tokens,
                )
                for chunk in chunks:
                    # Generation cannot be interrupted inside a token, so the time limit is
                    # checked between tokens; a prompt longer than the limit still finishes.
                    if time.monotonic() - started > self.timeout_s:
                        raise LLMUnavailable(
                            f"the llamacpp model {self.model_path.name} did not finish within "
                            f"{self.timeout_s:g} s (time-out); raise RUTA_LLM_TIMEOUT_S, lower "
                            "RUTA_LLM_MAX_TOKENS or use a smaller model"
                        )
                    content = chunk["choices"][0]["delta"].get("content")
                    if content:
                        got_text = True
                        yield content
            except (ValueError, RuntimeError, KeyError, IndexError) as exc:
                # e.g. "Requested tokens (2100) exceed context window of 2048"
                raise LLMUnavailable(
                    f"the llamacpp model {self.model_path.name} failed: {exc}"
                ) from exc
        finally:
            if chunks is not None and hasattr(chunks, "close"):
                chunks.close()  # stop llama.cpp generating for a reader that has gone away
            self._generate_lock.release()
        if not got_text:
            raise LLMUnavailable(
                f"the llamacpp model {self.model_path.name} returned an empty reply"
            )
