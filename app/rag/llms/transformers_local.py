"""The `transformers` backend: a Hugging Face causal LM from a local folder, run in process on
the CPU and streamed token by token. Nothing is downloaded: the folder must hold the weights,
the config and the tokenizer (what `save_pretrained` writes)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.rag.errors import LLMUnavailable
from app.rag.types import Message

# For tokenizers saved without a chat template: ChatML, which most small instruct models use.
CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


class TransformersLLM:
    """One model per process, loaded on first use; one generation at a time."""

    name = "transformers"

    def __init__(self, model_path: str, max_tokens: int = 256, timeout_s: float = 30.0) -> None:
        if not model_path:
            raise LLMUnavailable(
                "the transformers backend needs a model folder: set RUTA_TRANSFORMERS_MODEL_PATH "
                "to a local Hugging Face model (config.json, weights, tokenizer)"
            )
        self.model_path = Path(model_path).expanduser()
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        self._loaded: tuple[Any, Any] | None = None
        self._load_lock = threading.Lock()
        self._generate_lock = threading.Lock()

    def _load(self) -> tuple[Any, Any]:
        with self._load_lock:
            if self._loaded is not None:
                return self._loaded
            if not (self.model_path / "config.json").is_file():
                raise LLMUnavailable(
                    f"{self.model_path} is not a Hugging Face model folder (no config.json); "
                    "point RUTA_TRANSFORMERS_MODEL_PATH at one"
                )
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                from transformers import AutoModelForCausalLM, AutoTokenizer

                tokenizer = AutoTokenizer.from_pretrained(self.model_path, local_files_only=True)
                model = AutoModelForCausalLM.from_pretrained(self.model_path, local_files_only=True)
            except Exception as exc:  # a broken folder fails in many ways, all the same here
                raise LLMUnavailable(f"cannot load the model in {self.model_path}: {exc}") from exc
            if not tokenizer.chat_template:
                tokenizer.chat_template = CHATML
            model.eval()
            self._loaded = (tokenizer, model)
            return self._loaded

    def stream(self, messages: list[Message]) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        tokenizer, model = self._load()
        started = time.monotonic()
        if not self._generate_lock.acquire(timeout=self.timeout_s):
            raise LLMUnavailable(
                f"the transformers model stayed busy with another answer for {self.timeout_s:g} s"
            )
        try:
            inputs = tokenizer.apply_chat_template(
                [{"role": m.role, "content": m.content} for m in messages],
                add_generation_prompt=True,
                return_tensors="pt",
                return_dict=True,
            )
            streamer = TextIteratorStreamer(
                tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=self.timeout_s
            )
            failure: list[BaseException] = []

            def generate() -> None:
                try:
                    model.generate(
                        **inputs,
                        streamer=streamer,
                        max_new_tokens=self.max_tokens,
                        do_sample=False,  # reproducible answers that stick to the sources
                        max_time=self.timeout_s,  # stops the thread too, not only the reader
                        pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
                    )
                except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
                    failure.append(exc)
                    streamer.end()

            worker = threading.Thread(target=generate, name="ruta-transformers", daemon=True)
            worker.start()
            try:
                for piece in streamer:
                    if time.monotonic() - started > self.timeout_s:
                        raise LLMUnavailable(
                            f"the transformers model did not finish within {self.timeout_s:g} s "
                            "(time-out); raise RUTA_LLM_TIMEOUT_S or lower RUTA_LLM_MAX_TOKENS"
                        )
                    if piece:
                        yield piece
            except Exception as exc:  # queue.Empty: no token within the time-out
                if isinstance(exc, LLMUnavailable):
                    raise
                raise LLMUnavailable(
                    f"the transformers model produced no token within {self.timeout_s:g} s"
                ) from exc
            finally:
                worker.join(timeout=self.timeout_s)
            if time.monotonic() - started > self.timeout_s:  # max_time cut the answer short
                raise LLMUnavailable(
                    f"the transformers model did not finish within {self.timeout_s:g} s (time-out)"
                )
            if failure:
                raise LLMUnavailable(f"the transformers model failed: {failure[0]}") from failure[0]
        finally:
            self._generate_lock.release()
