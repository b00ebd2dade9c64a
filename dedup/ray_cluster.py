"""Ray cluster set-up for the Ray engine: connecting (a loopback-only local Ray, or a cluster), the
session both ``check`` and ``clean`` share, and running a function per input file in the workers.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from .settings import RAY_SEMANTIC_PARTITION_KEYS
from .settings import RAY_WORKERS


class RayEngineError(ValueError):
    """A request the Ray engine cannot run (the CLI exits 2)."""


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide to run.

    ``address`` ``None`` starts a local Ray with ``workers`` CPUs bound to
    loopback; ``"auto"`` or ``"ray://host:10001"`` joins an existing cluster.
    ``workers`` is also the size of the embedding actor pool.
    ``partition_keys`` overrides ``RAY_SEMANTIC_PARTITION_KEYS`` (tests use it to
    force several partitions on a small corpus).
    """

    address: str | None = None
    workers: int = RAY_WORKERS
    output_dir: str | None = None
    partition_keys: int = RAY_SEMANTIC_PARTITION_KEYS



# --------------------------------------------------------------------------- cluster


# Ray 2.60 replaces a 127.0.0.1 node address by the host's own and then listens on every
# interface; in its single-node mode (this variable at 0, made for laptops) it takes 127.0.0.1
# and listens there alone (measured with ``ss -ltnp``).  A local engine is one node.
_SINGLE_NODE_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


def connect(address: str | None, workers: int) -> bool:
    """Join or start Ray; True when this call started it (so the caller shuts it down)."""
    import ray

    if ray.is_initialized():
        return False
    quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
    if address:
        ray.init(address=address, **quiet)
    else:
        ray.init(num_cpus=workers, include_dashboard=False, _node_ip_address="127.0.0.1", **quiet)
    return True


@contextmanager
def _loopback_only(local: bool):
    """A local Ray started in single-node mode, so it listens on loopback alone; put back after.

    The driver reads the mode from ``ray_constants`` (set when ray was first
    imported) and the processes Ray starts read it from the environment, so
    both are set for the session and restored when it ends (a later
    ``--ray-address`` in the same process joins a cluster normally).
    """
    if not local:
        yield
        return
    import ray._private.ray_constants as constants

    saved_env, saved_flag = os.environ.get(_SINGLE_NODE_ENV), getattr(constants, "ENABLE_RAY_CLUSTER", True)
    os.environ[_SINGLE_NODE_ENV] = "0"
    constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        constants.ENABLE_RAY_CLUSTER = saved_flag
        if saved_env is None:
            os.environ.pop(_SINGLE_NODE_ENV, None)
        else:
            os.environ[_SINGLE_NODE_ENV] = saved_env


@contextmanager
def session(address: str | None = None, workers: int = RAY_WORKERS):
    """Ray connected for the block: started here (and stopped after) unless already connected."""
    import ray

    with _loopback_only(local=not address and not ray.is_initialized()):
        started = connect(address, workers)
        try:
            yield
        finally:
            if started:
                ray.shutdown()


def configure_data_context(progress: bool) -> None:
    import os as _os

    from ray.data import DataContext
    from ray.data.context import ShuffleStrategy

    context = DataContext.get_current()
    context.enable_progress_bars = progress
    context.print_on_execution_start = False
    context.enable_auto_log_stats = False
    strategy = _os.environ.get("DEDUP_RAY_SHUFFLE", "sort_shuffle_pull_based")
    context.shuffle_strategy = ShuffleStrategy(strategy)
    logging.getLogger("ray.data").setLevel(logging.WARNING)



# --------------------------------------------------------------------------- work per input file


def file_stage(batch: dict, work, shared: list) -> dict:
    """Input files → ``work(path, output, payload)`` for each, run by this worker; results pickled back."""
    import ray

    payload = ray.get(shared[0])
    outcomes = [pickle.dumps(work(path, output, payload))
                for path, output in zip(batch["path"].tolist(), batch["output"].tolist())]
    return {"rank": batch["rank"], "outcome": np.array(outcomes, dtype=object)}


def map_files(items: Sequence[tuple[str, str]], work, payload) -> list:
    """``work`` over (input path, output name) pairs in the workers, results in input order.

    ``payload`` travels once, through the object store; ``work`` must be a
    module-level function (it is pickled by name).  ``clean`` writes its
    cleaned copies this way, so this module never imports a command.
    """
    import ray
    import ray.data

    shared = ray.put(payload)
    rows = [{"rank": r, "path": path, "output": output} for r, (path, output) in enumerate(items)]
    done = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows), 16))).map_batches(
        file_stage, fn_kwargs={"work": work, "shared": [shared]}, batch_format="numpy", batch_size=16,
    ).take_all()
    return [pickle.loads(r["outcome"]) for r in sorted(done, key=lambda r: r["rank"])]
