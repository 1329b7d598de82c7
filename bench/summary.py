"""The headline figures of a run, one line per part, in the order of the brief."""

from __future__ import annotations

from typing import Any


def summary(r: dict[str, Any]) -> list[str]:
    """The headline figures, in the order of the brief; a part that did not run is left out."""
    out = []
    if "ingest_s" in (i := r.get("ingest", {})):
        out.append(
            f"  1 ingest/embedders {i['ingest_over_embedding']} wall, "
            f"{i['ingest_over_embedding_cpu']} CPU (goal < 1.15); pipeline alone "
            f"+{100 * i['pipeline_share_measured']:.1f}%"
        )
    if "modes" in (m := r.get("ingest_modes", {})):
        modes = m["modes"]
        out.append(
            "  1b ingest chars/s: issue-time {} / default {} / direct {} / sentences {} / "
            "LlamaIndex {}; default {}x issue-time (goal >= 3)".format(
                *(modes[k]["chars_per_s"] for k in ("issue", "default", "direct")),
                modes["sentences"]["chars_per_s"],
                modes["llamaindex"]["chars_per_s"],
                m["default_over_issue"],
            )
        )
    for key, label in (("latency_real", "real"), ("latency_generated", "generated")):
        for regime in ("cold", "warm"):
            if (x := r.get(key, {}).get(regime, {})).get("answer", {}).get("n"):
                out.append(
                    f"  2 {label} ({r[key]['chunks']} chunks, {regime}): retrieval p50/p95 "
                    f"{x['retrieval']['p50_ms']}/{x['retrieval']['p95_ms']} ms, answer "
                    f"{x['answer']['p50_ms']}/{x['answer']['p95_ms']} ms"
                )
    if "200 KB" in (x := r.get("history_abuse", {})):
        out.append(
            f"  2 history abuse: follow-up after a 200 KB turn p50 {x['200 KB']['p50_ms']} ms "
            f"(20 KB {x['20 KB']['p50_ms']} ms, normal {x['normal']['p50_ms']} ms)"
        )
    if "latency" in (x := r.get("load", {})):
        out.append(
            f"  3 load: {x['ok']} answered, errors {x['errors'] or 'none'}, p50/p95 "
            f"{x['latency'].get('p50_ms')}/{x['latency'].get('p95_ms')} ms (first ask of a "
            f"question p50 {x['latency_first_ask'].get('p50_ms')} ms), "
            f"{x['throughput_rps']} answers/s"
        )
    if "ready_s" in (x := r.get("cold_start", {})):
        out.append(
            f"  4 cold start {x['ready_s']} s to /healthz 200; RSS after load "
            f"{x.get('rss_after_load_mib')} MiB"
        )
    if "cold" in (x := r.get("baseline", {})):
        out.append(
            f"  5 baseline build {x['index_build_s']} s, query p50 cold "
            f"{x['cold']['query']['p50_ms']} ms = {x['cold']['query_p50_over_ruta']} x Ruta's "
            f"retrieval p50; warm {x['warm']['query_p50_over_ruta']} x"
        )
    profiles = (
        "answer",
        "answer_warm",
        "ingest",
        "start",
        "answer_generated",
        "index_load_generated",
    )
    for key in (f"profile_{p}" for p in profiles):
        if (x := r.get(key, {})).get("self"):
            top = ", ".join(f"{k} {v}%" for k, v in x["self"][:2])
            out.append(f"  6 {key.removeprefix('profile_')}: {top}")
    return out
