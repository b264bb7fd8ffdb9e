"""Query workers: separate processes, so a query past its time limit can really be stopped.

pyoxigraph cannot interrupt a running query, and a thread cannot be killed, so
ad-hoc SPARQL runs in a small pool of processes that each open the store
read-only. A worker whose query overruns is killed (its CPU and memory come
back at once) and a fresh one takes its place in the background, while the
server itself keeps answering.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from .sparql import QueryJob, Reply, StoreCache, run_job

log = logging.getLogger("diplokg.serve")
_READY = "ready"
# How long a query may wait for a worker beyond its own time limit: a replacement worker
# needs a second or two to start, more on a loaded machine.
_WAIT_FOR_WORKER = 30.0
# spawn, not fork: the server process runs threads and an event loop that a fork would copy half-way.
_CONTEXT = multiprocessing.get_context("spawn")


def _work(connection: Connection) -> None:
    cache = StoreCache()
    connection.send(_READY)
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return  # the server has gone
        try:
            reply = run_job(cache, job)
        except Exception:  # noqa: BLE001 - reported to the client without details, logged here
            logging.getLogger("diplokg.serve.worker").exception("query failed")
            reply = Reply.error(500, "the query failed inside the server")
        connection.send(reply)


class _Worker:
    def __init__(self) -> None:
        self.connection, child = _CONTEXT.Pipe()
        self.process: BaseProcess = _CONTEXT.Process(target=_work, args=(child,), daemon=True, name="diplokg-query")
        self.process.start()
        child.close()

    def wait_ready(self, seconds: float) -> bool:
        return self.connection.poll(seconds) and self.connection.recv() == _READY

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class QueryPool:
    """``size`` workers; ``run`` blocks its (thread's) caller until the answer, the time limit, or a free worker."""

    def __init__(self, size: int, timeout: float):
        self.size = size
        self.timeout = timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self.replaced = 0  # workers killed at their time limit or lost, for the logs and tests
        starting = [_Worker() for _ in range(size)]
        for worker in starting:
            self._admit(worker)

    def run(self, job: QueryJob) -> Reply:
        try:
            worker = self._idle.get(timeout=self.timeout + _WAIT_FOR_WORKER)
        except queue.Empty:
            return Reply.error(503, f"all {self.size} query workers are busy; try again shortly")
        try:
            worker.connection.send(job)
            if worker.connection.poll(self.timeout):
                reply = worker.connection.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError):
            log.warning("a query worker died; replacing it")
            self._replace(worker)
            return Reply.error(500, "the query failed inside the server")
        self._replace(worker)
        return Reply.error(503, f"the query was stopped after {self.timeout:g} s, the time limit of this server")

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return

    def _replace(self, worker: _Worker) -> None:
        self.replaced += 1
        worker.stop()
        threading.Thread(target=self._admit, args=(_Worker(),), daemon=True).start()

    def _admit(self, worker: _Worker) -> None:
        if worker.wait_ready(60) and not self._closed:
            self._idle.put(worker)
        else:
            worker.stop()
