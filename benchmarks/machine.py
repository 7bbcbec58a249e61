"""Machine accounting shared by the benchmark scripts: who used the CPUs during a measurement.

On a 2-core machine anything else running (a test suite, another session) steals time from the
process under test and from Elasticsearch. These helpers let a benchmark wait for a quiet machine
(bounded) and report, for each measurement, the CPU seconds used by Elasticsearch, by the
benchmark and its children, and by everything else ("other"), so a disturbed figure is visible.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

_TICK = os.sysconf("SC_CLK_TCK")


def _machine_busy_s() -> tuple[float, float]:
    """(busy CPU seconds, total CPU seconds) of all CPUs since boot, from /proc/stat."""
    fields = [int(value) for value in open("/proc/stat").readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return (total - idle) / _TICK, total / _TICK


def _process_cpu_s(pid: int | None) -> float:
    if not pid:
        return 0.0
    try:
        parts = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(parts[11]) + int(parts[12])) / _TICK  # utime, stime


def _own_cpu_s() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def elasticsearch_pid(settings) -> int | None:
    """The local node's JVM pid (None for an external cluster)."""
    if settings.connection.external:
        return None
    from locator.node import files, process

    return process.running_pid(files.paths_for(settings))


@dataclass
class CpuUse:
    wall_s: float
    busy_s: float
    es_s: float
    own_s: float  # this process (and its waited-for children unless self_only)
    extra_s: float = 0.0  # CPU of processes we started, counted by the caller (a server, a process tree)

    @property
    def other_s(self) -> float:
        return max(0.0, self.busy_s - self.es_s - self.own_s - self.extra_s)

    def describe(self) -> str:
        return (f"CPU over {self.wall_s:.1f}s wall: elasticsearch {self.es_s:.1f}s, benchmark+children "
                f"{self.own_s + self.extra_s:.1f}s, other processes {self.other_s:.1f}s")


class CpuMeter:
    """CPU use over a block. ``self_only``: count this process alone (its children are measured by
    the caller, e.g. with a TreeMemory, and passed in through ``add_extra``)."""

    def __init__(self, es_pid: int | None, extra_pids: tuple[int, ...] = (), self_only: bool = False):
        self.es_pid, self.extra_pids, self.self_only = es_pid, extra_pids, self_only
        self.added = 0.0

    def add_extra(self, seconds: float) -> None:
        self.added += seconds

    def _own_now(self) -> float:
        return _self_cpu_s() if self.self_only else _own_cpu_s()

    def __enter__(self) -> "CpuMeter":
        self._wall = time.perf_counter()
        self._busy = _machine_busy_s()[0]
        self._es = _process_cpu_s(self.es_pid)
        self._own = self._own_now()
        self._extra = sum(_process_cpu_s(pid) for pid in self.extra_pids)
        return self

    def __exit__(self, *exc_info) -> None:
        self.use = CpuUse(
            wall_s=time.perf_counter() - self._wall,
            busy_s=_machine_busy_s()[0] - self._busy,
            es_s=_process_cpu_s(self.es_pid) - self._es,
            own_s=self._own_now() - self._own,
            extra_s=sum(_process_cpu_s(pid) for pid in self.extra_pids) - self._extra + self.added,
        )


def _self_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


def busy_share(seconds: float = 1.0) -> float:
    """Share of all CPUs that were busy over the next ``seconds``."""
    busy0, total0 = _machine_busy_s()
    time.sleep(seconds)
    busy1, total1 = _machine_busy_s()
    return (busy1 - busy0) / max(total1 - total0, 1e-9)


def wait_until_quiet(limit: float = 0.15, timeout_s: float = 300.0, say=print) -> float:
    """Wait (at most ``timeout_s``) until under ``limit`` of the CPUs are busy; return the last share."""
    deadline = time.monotonic() + timeout_s
    share = busy_share()
    warned = False
    while share > limit and time.monotonic() < deadline:
        if not warned:
            say(f"  machine busy ({share:.0%} of CPUs): waiting up to {timeout_s:.0f}s for it to calm down")
            warned = True
        share = busy_share(2.0)
    if share > limit:
        say(f"  still {share:.0%} busy after {timeout_s:.0f}s: measuring anyway (see 'other processes' CPU)")
    return share


def _children(pid: int) -> list[int]:
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            text = open(f"/proc/{pid}/task/{tid}/children").read()
            found += [int(child) for child in text.split()]
    except OSError:
        pass
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and every live descendant."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += _children(current)
    return tree


def _memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB; PSS shares pages a fork still has in common among the processes using them."""
    rss = pss = 0
    try:
        for line in open(f"/proc/{pid}/smaps_rollup"):
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def _ppid(pid: int) -> int:
    try:
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def _role(pid: int, root: int) -> str:
    """A short name: the root's command, or what a multiprocessing helper process is."""
    try:
        text = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"
    if "resource_tracker" in text:
        return "resource tracker"
    if "forkserver" in text:  # workers forked by the forkserver keep its command line
        return "forkserver" if _ppid(pid) == root else "worker"
    if "multiprocessing" in text:
        return "worker"
    return " ".join(part.rsplit("/", 1)[-1] for part in text.split()[:3])[:40]


class TreeMemory:
    """Polls a process and its descendants (e.g. worker processes): summed RSS and PSS, each
    process's own peak RSS, and the CPU seconds of every process seen (its last sample: a process
    that ends loses at most one polling interval of CPU)."""

    def __init__(self, pid: int, interval_s: float = 0.05):
        import threading

        self.pid, self.interval_s = pid, interval_s
        self.peak_rss_kib = self.peak_pss_kib = self.peak_single_rss_kib = self.max_processes = 0
        self.cpu_by_pid: dict[int, float] = {}
        self.peak_by_pid: dict[int, tuple[int, str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-memory", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            tree = process_tree(self.pid)
            memory = [_memory_kib(pid) for pid in tree]
            self.peak_rss_kib = max(self.peak_rss_kib, sum(rss for rss, _ in memory))
            self.peak_pss_kib = max(self.peak_pss_kib, sum(pss for _, pss in memory))
            self.peak_single_rss_kib = max([self.peak_single_rss_kib, *(rss for rss, _ in memory)])
            self.max_processes = max(self.max_processes, len([m for m in memory if m[0]]))
            for pid, (rss, _) in zip(tree, memory):
                cpu = _process_cpu_s(pid)
                if cpu:
                    self.cpu_by_pid[pid] = cpu
                if rss and rss > self.peak_by_pid.get(pid, (0, ""))[0]:
                    self.peak_by_pid[pid] = (rss, self.peak_by_pid.get(pid, (0, ""))[1] or _role(pid, self.pid))
            self._stop.wait(self.interval_s)

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu_by_pid.values())

    def peaks(self) -> str:
        """Each process's own peak RSS, largest first: "partner-locator index 140, worker 120, ..."."""
        ordered = sorted(self.peak_by_pid.values(), reverse=True)
        return ", ".join(f"{role} {rss / 1024:.0f}" for rss, role in ordered)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def code_fingerprint(root, packages=("indexer", "locator", "config")) -> str:
    """A short hash of the product's source files, so figures can be tied to the code measured."""
    import hashlib
    from pathlib import Path

    digest = hashlib.sha256()
    for package in packages:
        for path in sorted(Path(root, package).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".toml"):
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]
