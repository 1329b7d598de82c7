"""Answers kept for repeated questions: the extractive answer is a function of the question,
its history, its filters and the index, so a question asked again is answered from memory."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence

from app.rag.rules import switched_off
from app.rag.types import Answer, Message
from index.filters import FiltersIn

Key = tuple[Hashable, ...]


def answer_key(question: str, history: Sequence[Message], filters: FiltersIn | None) -> Key:
    """What an extractive answer depends on besides the Answerer's own parts (its retriever,
    fitted model and embedder, fixed for its life): the cleaned question, the bounded history,
    the filters as given and the rules an ablation switched off."""
    given = repr(sorted((filters or {}).items()))  # lists are unhashable; order is not
    return question, tuple(history), given, switched_off()


class AnswerCache:
    """The last ``size`` answers by key (least recently used out first); thread-safe. An
    Answerer holds one: a new index means a new Answerer, so an answer never outlives its
    index."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._answers: OrderedDict[Key, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: Key, counted: bool = True) -> Answer | None:
        """The answer kept under ``key``; ``counted``: a None counts as a miss (a look-up
        ahead of the one that computes the answer leaves it to that one)."""
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                self.misses += counted
                return None
            self.hits += 1
            self._answers.move_to_end(key)
            return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def put(self, key: Key, answer: Answer) -> None:
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
