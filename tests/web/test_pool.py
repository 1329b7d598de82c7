"""The answer pool on its own: who gets a slot, in what order, and who is told to come back."""

from __future__ import annotations

import asyncio

import pytest

from app.http.pool import SHUTTING_DOWN, AnswerPool, PoolConfig, ServerBusy
from app.settings import Settings


def _pool(slots: int, per_client: int, queue: int = 8, wait_s: float = 60.0) -> AnswerPool:
    return AnswerPool(PoolConfig(slots, per_client, queue, wait_s))


async def _settle() -> None:
    for _ in range(5):  # let woken waiters run
        await asyncio.sleep(0)


def test_sized_from_the_cores_unless_set() -> None:
    assert PoolConfig.of(Settings(), cores=2) == PoolConfig(4, 1, 32, 5.0)
    assert PoolConfig.of(Settings(), cores=16).slots == 32
    set_ = Settings(answer_slots=3, answer_slots_per_client=5, answer_queue=1)
    assert PoolConfig.of(set_, cores=2) == PoolConfig(3, 3, 1, 5.0)  # a share never exceeds all


def test_a_freed_slot_goes_to_the_client_holding_fewest() -> None:
    async def run() -> list[str]:
        pool = _pool(slots=2, per_client=2)
        await pool.acquire("a")
        await pool.acquire("a")  # "a" alone may use every slot
        order: list[str] = []

        async def wait(client: str) -> None:
            await pool.acquire(client)
            order.append(client)

        tasks = [asyncio.create_task(wait("a"))]
        await _settle()
        tasks.append(asyncio.create_task(wait("b")))  # arrives after "a"'s third
        await _settle()
        assert order == [] and pool.waiting == 2
        pool.release("a")
        await _settle()
        assert order == ["b"]  # "b" holds none, "a" holds one: "b" first
        pool.release("a")
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(run()) == ["b", "a"]


def test_one_client_gets_its_share_and_no_more() -> None:
    async def run() -> None:
        pool = _pool(slots=4, per_client=2, wait_s=0.01)
        await pool.acquire("a")
        await pool.acquire("a")
        with pytest.raises(ServerBusy) as busy:
            await pool.acquire("a")  # two free slots, but not for "a"
        assert busy.value.retry_after >= 1
        await pool.acquire("b")  # another client gets one at once
        assert pool.running == 3 and pool.waiting == 0

    asyncio.run(run())


def test_a_full_queue_is_refused_at_once() -> None:
    async def run() -> None:
        pool = _pool(slots=1, per_client=1, queue=1)
        await pool.acquire("a")
        waiter = asyncio.create_task(pool.acquire("b"))
        await _settle()
        with pytest.raises(ServerBusy, match="as many questions as it can"):
            await pool.acquire("c")  # refused without waiting: the queue holds one
        assert not waiter.done()
        pool.release("a")
        await waiter  # the one that waited got the slot

    asyncio.run(run())


def test_a_waiter_that_gives_up_leaves_the_queue() -> None:
    async def run() -> None:
        pool = _pool(slots=1, per_client=1)
        await pool.acquire("a")
        waiter = asyncio.create_task(pool.acquire("b"))
        await _settle()
        waiter.cancel()  # the client went away
        await _settle()
        assert pool.waiting == 0
        pool.release("a")
        assert pool.running == 0

    asyncio.run(run())


def test_closing_refuses_waiters_and_new_answers_then_halts_those_in_flight() -> None:
    async def run() -> None:
        pool = _pool(slots=1, per_client=1)
        async with pool.slot("a"):
            waiter = asyncio.create_task(pool.acquire("b"))
            await _settle()
            assert pool.halt() == ""
            pool.close(grace_s=0)
            with pytest.raises(ServerBusy, match="shutting down"):
                await waiter
            with pytest.raises(ServerBusy, match="shutting down"):
                await pool.acquire("c")
            assert pool.halt() == SHUTTING_DOWN  # the answer in flight stops at its next step
        assert pool.running == 0

    asyncio.run(run())
