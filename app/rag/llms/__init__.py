"""LLM backends behind one small protocol; ``make_llm`` picks one from Settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from app.rag.types import Message

if TYPE_CHECKING:
    from app.settings import Settings


class LLM(Protocol):
    """Streams the reply to a chat as text pieces; raises LLMUnavailable on any failure."""

    name: str

    def stream(self, messages: list[Message]) -> Iterator[str]: ...


def make_llm(settings: Settings) -> LLM | None:
    """The configured generative backend; None for the extractive default (no model at all)."""
    match settings.llm:
        case "extractive":
            return None
        case "openai":
            from app.rag.llms.openai_compat import OpenAICompatLLM

            return OpenAICompatLLM(
                base_url=settings.openai_base_url,
                model=settings.openai_model,
                api_key=settings.openai_api_key,
                timeout_s=settings.llm_timeout_s,
                max_tokens=settings.llm_max_tokens,
            )
        case "llamacpp":
            from app.rag.llms.llamacpp import LlamaCppLLM

            return LlamaCppLLM(
                model_path=settings.llamacpp_model_path,
                max_tokens=settings.llm_max_tokens,
                timeout_s=settings.llm_timeout_s,
                n_threads=settings.llm_threads,
            )
        case "transformers":
            from app.rag.llms.transformers_local import TransformersLLM

            return TransformersLLM(
                model_path=settings.transformers_model_path,
                max_tokens=settings.llm_max_tokens,
                timeout_s=settings.llm_timeout_s,
            )
