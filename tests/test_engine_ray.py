"""The Ray engine gives the local engine's answers: same linked pairs, same clean, on real BBC text.

One local Ray (2 CPUs, loopback, no dashboard) serves the whole module; the
two-node and fault tests start and stop their own Ray processes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'dedup[ray]')")

from dedup.clean import REMOVED_LOG, clean, restore  # noqa: E402
from dedup.documents import decode  # noqa: E402
from dedup.engine_ray import check_ray  # noqa: E402
from dedup.ray_cluster import RayOptions  # noqa: E402
from dedup.pipeline import check  # noqa: E402
from dedup.report.json_report import to_dict  # noqa: E402
from dedup.settings import Settings  # noqa: E402

from .conftest import ROOT  # noqa: E402

LEXICAL = Settings(methods=("exact", "fuzzy"), cache=False)
VENV_BIN = Path(sys.executable).parent


def linked_pairs(result, kind: str | None = None) -> set:
    """Every pair of occurrences a finding links, by (document, offset): what "the same answers" means."""
    pairs = set()
    for finding in result.findings:
        if kind is not None and finding.kind != kind:
            continue
        occurrences = [(o.document.name, o.start, o.end) for o in finding.occurrences]
        pairs.update((finding.kind, a, b) for i, a in enumerate(occurrences) for b in occurrences[i + 1 :])
    return pairs


def json_pairs(report: dict) -> set:
    pairs = set()
    for finding in report["findings"]:
        occurrences = [(o["path"], o.get("record"), o["start"]) for o in finding["occurrences"]]
        pairs.update((finding["kind"], a, b) for i, a in enumerate(occurrences) for b in occurrences[i + 1 :])
    return pairs


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the module, started as the engine starts it (loopback only)."""
    from dedup.engine_ray import session

    if ray.is_initialized():
        ray.shutdown()
    try:
        with session(None, 2):
            yield
    except Exception as exc:  # pragma: no cover - only where Ray cannot start at all
        if not ray.is_initialized():
            pytest.skip(f"Ray cannot start here: {exc}")
        raise


def test_local_ray_listens_on_loopback_only(local_ray):
    """Asked for 127.0.0.1, Ray 2.60 would listen on every interface; the engine's local Ray must not."""
    import ipaddress

    import psutil

    listening = []
    for process in psutil.Process().children(recursive=True):  # the GCS, raylet and workers we started
        try:
            listening += [(process.name(), c.laddr.ip) for c in process.net_connections(kind="inet")
                          if c.status == psutil.CONN_LISTEN]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    assert any(name.startswith("gcs_server") for name, _ in listening), listening
    for name, ip in listening:
        address = ipaddress.ip_address(ip)
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        assert address.is_loopback, f"{name} listens on {ip}"
    assert ray.get(ray.remote(lambda: 6 * 7).remote()) == 42  # and it works


@pytest.fixture(scope="module")
def business_slice(bbc, tmp_path_factory) -> Path:
    """160 business articles, including the copied pair 007/253 and several updated stories."""
    root = tmp_path_factory.mktemp("slice") / "business"
    root.mkdir()
    for path in sorted((bbc / "business").glob("*.txt"))[:160]:
        shutil.copy(path, root / path.name)
    shutil.copy(bbc / "business" / "253.txt", root / "253.txt")
    return root


def test_exact_and_fuzzy_equal_local(local_ray, business_slice):
    local = check([business_slice], LEXICAL)
    distributed = check_ray([business_slice], LEXICAL)
    assert linked_pairs(local)  # the slice has repeats to find
    assert linked_pairs(distributed) == linked_pairs(local)
    assert to_dict(distributed) == to_dict(local)  # the whole JSON contract, documents and warnings included


def test_semantic_claim_pairs_recall(local_ray, bbc, tmp_path):
    """With the embedding space split into partitions, Ray keeps ~98% of the local claim pairs.

    200 BBC tech articles hold ~3,500 embeddable keys; ``partition_keys=1000``
    forces ~7 k-means partitions (each key searched in its nearest 2), so the
    search is really approximate here, as it is on a big corpus.
    """
    root = tmp_path / "tech"
    root.mkdir()
    for path in sorted((bbc / "tech").glob("*.txt"))[:200]:
        shutil.copy(path, root / path.name)
    # One cache for both runs: the Ray actors read the vectors the local run wrote.
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    local = check([root], settings)
    distributed = check_ray([root], settings, partition_keys=1000)
    local_claims = linked_pairs(local, "claim")
    assert len(local_claims) >= 100
    recall = len(local_claims & linked_pairs(distributed, "claim")) / len(local_claims)
    assert recall >= 0.98, recall
    assert linked_pairs(local, "repeat") == linked_pairs(distributed, "repeat")


def test_clean_on_ray_is_the_local_clean_and_lossless(local_ray, business_slice, tmp_path):
    out_local, out_ray = tmp_path / "local", tmp_path / "ray"
    clean([business_slice], out_local, LEXICAL)
    report = clean([business_slice], out_ray, LEXICAL, engine=RayOptions(workers=2))
    assert report.spans_removed > 0
    files = sorted(p.relative_to(out_ray).as_posix() for p in out_ray.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(out_local).as_posix() for p in out_local.rglob("*") if p.is_file())
    for name in files:
        assert (out_ray / name).read_bytes() == (out_local / name).read_bytes(), name
    entries = [json.loads(line) for line in (out_ray / REMOVED_LOG).read_text(encoding="utf-8").splitlines()]
    for path in sorted(business_slice.glob("*.txt")):
        mine = [e for e in entries if e["path"] == str(path)]
        cleaned = decode((out_ray / path.name).read_bytes())[0]
        assert restore(cleaned, mine) == decode(path.read_bytes())[0]


def _shards(bbc: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The same 120 articles as JSON Lines shards and as Parquet shards (id in its own field)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    articles = sorted((bbc / "business").glob("*.txt"))[:119] + [bbc / "business" / "253.txt"]
    records = [{"doc_id": f"business/{p.stem}", "body": decode(p.read_bytes())[0]} for p in articles]
    jsonl, parquet = tmp_path / "jsonl", tmp_path / "parquet"
    jsonl.mkdir()
    parquet.mkdir()
    for shard in range(3):
        part = records[shard::3]
        (jsonl / f"part-{shard}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
        pq.write_table(pa.Table.from_pylist(part), parquet / f"part-{shard}.parquet")
    return jsonl, parquet


def test_jsonl_and_parquet_shards_with_id_field(local_ray, bbc, tmp_path):
    jsonl, parquet = _shards(bbc, tmp_path)
    settings = LEXICAL.replace(text_field="body", id_field="doc_id")
    local = check([jsonl], settings)
    from_jsonl = check_ray([jsonl], settings)
    from_parquet = check_ray([parquet], settings)
    ids = lambda result: {(f.kind, tuple(sorted(o.document.id for o in f.occurrences))) for f in result.findings}  # noqa: E731
    assert ("repeat", ("business/007", "business/253")) in ids(local)
    assert to_dict(from_jsonl) == to_dict(local)
    assert ids(from_parquet) == ids(local)
    assert len(linked_pairs(from_parquet)) == len(linked_pairs(local))


def _written_findings(out: Path) -> list[dict]:
    return [json.loads(line) for f in sorted((out / "findings").glob("*.jsonl")) for line in f.read_text().splitlines()]


@pytest.fixture(scope="module")
def wire_slice(tmp_path_factory) -> Path:
    """1,500 reuters_dev stories: earnings tables (template lines), re-sent updates and house phrases."""
    from .conftest import SHARED

    source = SHARED / "corpora" / "reuters_dev.jsonl"
    if not source.is_file():
        pytest.skip(f"reuters_dev.jsonl not found at {source}")
    path = tmp_path_factory.mktemp("wire") / "wire.jsonl"
    with source.open(encoding="utf-8") as handle:
        path.write_text("".join(line for _, line in zip(range(1500), handle)), encoding="utf-8")
    return path


def test_wire_templates_updates_and_boilerplate_equal_local(local_ray, wire_slice, tmp_path):
    """Both engines tell templates from updates and name the same boilerplate, in a report and in shards."""
    settings = LEXICAL.replace(id_field="id")
    local = to_dict(check([wire_slice], settings))
    kinds = {f["kind"] for f in local["findings"]}
    assert {"repeat", "boilerplate"} <= kinds
    assert any(f["conflicts"] for f in local["findings"] if f["kind"] == "repeat")  # an update names its change
    assert to_dict(check_ray([wire_slice], settings)) == local
    check_ray([wire_slice], settings, output_dir=tmp_path / "out")
    assert _as_set(_written_findings(tmp_path / "out")) == _as_set(local["findings"])


def _as_set(findings: list[dict]) -> list[str]:
    return sorted(json.dumps(f, sort_keys=True, ensure_ascii=False) for f in findings)


def test_output_dir_findings_equal_local_json(local_ray, business_slice, tmp_path):
    """The findings the workers write are the local run's JSON findings, as a set, field for field."""
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    (out / "findings").mkdir(parents=True)
    (out / "findings" / "part-00099.jsonl").write_text('{"stale": true}\n')  # an earlier run's shard
    result = check_ray([business_slice], LEXICAL, output_dir=out)
    local = to_dict(check([business_slice], LEXICAL))
    written = _written_findings(out)
    assert _as_set(written) == _as_set(local["findings"])
    assert result.finding_count == len(written)
    documents = pq.read_table(out / "documents").to_pylist()
    assert len(documents) == len(local["documents"])
    assert {"path", "sentences", "encoding"} <= set(documents[0])


def test_output_dir_with_claims_and_records_equals_local(local_ray, bbc, tmp_path):
    """Claim groups (representatives, conflicts) and JSON Lines records (record, id) through the workers."""
    jsonl, _ = _shards(bbc, tmp_path)
    settings = Settings(model="fast", cache=False, text_field="body", id_field="doc_id")
    local = to_dict(check([jsonl], settings))
    check_ray([jsonl], settings, output_dir=tmp_path / "out")
    written = _written_findings(tmp_path / "out")
    assert {f["kind"] for f in local["findings"]} == {"repeat", "claim"}
    assert any(f["conflicts"] for f in local["findings"])  # conflicting details are found in the workers too
    assert _as_set(written) == _as_set(local["findings"])


def test_output_dir_driver_never_holds_documents(local_ray, business_slice, tmp_path, monkeypatch):
    """With an output directory the driver keeps edges and counts: no document, sentence or finding comes back."""
    import dedup.engine_ray as engine_ray

    def fetched(*args, **kwargs):
        raise AssertionError("the driver fetched documents and sentences")

    monkeypatch.setattr(engine_ray, "_documents_and_sentences", fetched)
    result = check_ray([business_slice], LEXICAL, output_dir=tmp_path / "out")
    assert result.documents == [] and result.sentences == [] and result.findings == []
    assert result.finding_count > 0 and set(result.written) <= {"conflict", "repeat", "claim"}


def test_cli_output_dir_counts_and_exit_status(business_slice, tmp_path):
    out = tmp_path / "out"
    args = ["check", str(business_slice), "--methods", "exact,fuzzy", "--no-cache", "--engine", "ray", "--workers", "2"]
    run = _run_cli(*args, "--output-dir", str(out))
    assert run.returncode == 1, run.stderr[-2000:]
    assert run.stdout == "" and "finding(s)" in run.stderr
    assert len(_written_findings(out)) > 0
    usage = _run_cli(*args, "--output-dir", str(out), "--write-baseline", str(tmp_path / "b.json"))
    assert usage.returncode == 2 and "--output-dir" in usage.stderr


def test_local_path_never_imports_ray(tmp_path):
    code = (
        "import sys, dedup; from dedup.settings import Settings;"
        f"dedup.check([{str(ROOT / 'seeds')!r}], Settings(methods=('exact', 'fuzzy')));"
        "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.') or m == 'pyarrow'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "[]"


def _run_cli(*args, env=None, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "dedup"), *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_cli_engine_ray_json_equals_local(business_slice):
    args = ["check", str(business_slice), "--methods", "exact,fuzzy", "--format", "json", "--no-cache"]
    local = _run_cli(*args)
    distributed = _run_cli(*args, "--engine", "ray", "--workers", "2")
    assert local.returncode == distributed.returncode == 1, distributed.stderr[-2000:]
    assert json.loads(distributed.stdout) == json.loads(local.stdout)
    usage = _run_cli("check", str(business_slice), "--ray-address", "auto")
    assert usage.returncode == 2 and "--engine ray" in usage.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ray_start(*args, temp_dir: Path, env: dict) -> None:
    subprocess.run([str(VENV_BIN / "ray"), "start", *args, "--temp-dir", str(temp_dir), "--disable-usage-stats"],
                   check=True, capture_output=True, text=True, env=env, timeout=180)


@pytest.fixture
def two_nodes(tmp_path):
    """A head and a worker node on this host, token authentication on, in their own temp dir.

    Asked for 127.0.0.1, Ray 2.60 registers the host's own address instead and
    listens on every interface (README "Beyond one machine"): the token guards it.
    """
    temp_dir = Path("/tmp") / f"dedup-ray-{os.getpid()}-{int(time.time())}"
    port = _free_port()
    # A multi-node cluster, whatever single-node mode the module's local Ray set in this process.
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "1"}
    before = _ray_pids()
    try:
        _ray_start("--head", "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", "1",
                   "--include-dashboard", "false", temp_dir=temp_dir, env=env)
        _ray_start("--address", f"127.0.0.1:{port}", "--node-ip-address", "127.0.0.1", "--num-cpus", "1",
                   temp_dir=temp_dir, env=env)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        _stop(before, str(temp_dir))
        shutil.rmtree(temp_dir, ignore_errors=True)
        pytest.skip(f"Ray cannot start a two-node cluster here: {getattr(exc, 'stderr', exc)}")
    yield f"127.0.0.1:{port}", env
    _stop(before, str(temp_dir))
    shutil.rmtree(temp_dir, ignore_errors=True)


def _ray_pids() -> set[int]:
    import psutil

    return {p.pid for p in psutil.process_iter(["cmdline"]) if "ray" in " ".join(p.info["cmdline"] or [])}


def _stop(before: set[int], temp_dir: str) -> None:
    """Stop only our cluster's processes (new since ``before``, naming our temp dir, and their children).

    Never ``ray stop``: it stops every Ray on the machine, another engineer's too.
    """
    import psutil

    mine = []
    for pid in _ray_pids() - before:
        try:
            process = psutil.Process(pid)
            if temp_dir in " ".join(process.cmdline()):
                mine.extend([process, *process.children(recursive=True)])
        except psutil.NoSuchProcess:
            continue
    for process in mine:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(mine, timeout=15)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


@pytest.mark.slow
def test_two_node_cluster_same_findings(two_nodes, business_slice):
    address, env = two_nodes
    args = ["check", str(business_slice), "--methods", "exact,fuzzy", "--format", "json", "--no-cache"]
    local = _run_cli(*args)
    distributed = _run_cli(*args, "--engine", "ray", "--ray-address", address, env=env)
    assert distributed.returncode == 1, distributed.stderr[-3000:]
    assert json_pairs(json.loads(distributed.stdout)) == json_pairs(json.loads(local.stdout))
    assert json.loads(distributed.stdout) == json.loads(local.stdout)


@pytest.mark.slow
def test_killed_worker_same_findings(local_ray, bbc):
    """A Ray worker process killed mid-job: Ray retries its tasks and the findings do not change."""
    import psutil

    settings = LEXICAL
    local = check([bbc / "business", bbc / "politics"], settings)
    killed: list[int] = []

    def kill_a_worker():
        deadline = time.time() + 60
        while time.time() < deadline and not killed:
            for process in psutil.Process().children(recursive=True):  # our own Ray's workers only
                try:
                    cmdline = " ".join(process.cmdline())
                except psutil.NoSuchProcess:
                    continue
                if "ray::" in cmdline and "read_stage" in cmdline:
                    try:
                        process.send_signal(signal.SIGKILL)
                        killed.append(process.pid)
                    except psutil.NoSuchProcess:
                        continue
                    break
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    try:
        distributed = check_ray([bbc / "business", bbc / "politics"], settings, workers=2)
    finally:
        killer.join()
    assert killed, "no Ray worker was running a stage to kill"
    assert linked_pairs(distributed) == linked_pairs(local)
