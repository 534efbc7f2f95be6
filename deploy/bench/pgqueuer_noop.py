"""The peer queue's rate on the same server: PgQueuer draining no-op jobs with batch 100.

    python pgqueuer_noop.py DSN COUNT

Installs PgQueuer's schema, enqueues COUNT no-op jobs in chunks, then times one QueueManager (batch size 100, drain
mode) from start to an empty queue, and prints "pgqueuer no-op, batch 100: N jobs in S s = R jobs/s". Run by
deploy/bench/worker.sh from a virtualenv with pgqueuer and asyncpg from PyPI.
"""

import asyncio
import subprocess
import sys
import time

import asyncpg
from pgqueuer.db import AsyncpgDriver
from pgqueuer.qm import QueueManager
from pgqueuer.queries import Queries
from pgqueuer.types import QueueExecutionMode


async def main(dsn: str, count: int) -> None:
    subprocess.run([sys.executable, "-m", "pgqueuer", "--pg-dsn", dsn, "install"], check=True, capture_output=True)
    connection = await asyncpg.connect(dsn)
    queries = Queries(AsyncpgDriver(connection))
    chunk = 10_000
    for start in range(0, count, chunk):
        size = min(chunk, count - start)
        await queries.enqueue(["noop"] * size, [None] * size, [0] * size)
    await connection.close()

    connection = await asyncpg.connect(dsn)
    manager = QueueManager(Queries(AsyncpgDriver(connection)))
    done = 0

    @manager.entrypoint("noop")
    async def noop(job) -> None:
        nonlocal done
        done += 1

    started = time.monotonic()
    await manager.run(batch_size=100, mode=QueueExecutionMode.drain)
    elapsed = time.monotonic() - started
    await connection.close()
    print(f"pgqueuer no-op, batch 100: {done} jobs in {elapsed:.2f} s = {done / elapsed:.0f} jobs/s")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
