"""What every command shares: the exit codes and the JSON and timing helpers."""

from __future__ import annotations

import json
import sys
import time

EXIT_USAGE, EXIT_ERROR, EXIT_PARTIAL, EXIT_NOT_READY, EXIT_BUSY = 2, 1, 3, 4, 5
EXIT_STORAGE = 6  # the disk refused a write: full, or a read-only data folder


def emit_json(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def elapsed(since: float) -> str:
    return f"{time.perf_counter() - since:.1f}s"
