"""Run a command and measure its wall time and peak memory.

Two peak-memory figures are taken for every measured process:

- ``peak_rss_tree``: the largest sum of the resident set sizes of the process and
  all its descendants, polled with psutil every ``poll_interval`` seconds. This is
  what the machine has to hold at once; a peak shorter than the interval can be
  missed.
- ``max_rss``: the kernel's high-water mark (``ru_maxrss`` of ``wait4``) of the
  largest single process of the tree. It misses nothing, but does not add up
  concurrent processes. dbt runs DuckDB inside its own process, so for dbt the
  two agree closely and ``max_rss`` is exact.

  One catch: Python starts a child with vfork, and Linux then carries the
  *parent's* high-water mark into the child's ``ru_maxrss`` (a child that used
  300 MB reports 14 GB after this process held 14 GB). So ``max_rss`` is used only
  where it is above ``parent_max_rss``, this process's own high-water mark when
  the child started; otherwise it is the parent's figure, and the psutil figure
  stands alone.

The report uses the larger of the usable ones as "peak RSS".

``SpillWatch`` samples the size of DuckDB's temp directory while a command runs:
what DuckDB spilled to disk beyond its memory_limit (the disk the build needs
besides the warehouse file).
"""
from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil


@dataclass
class Measurement:
    command: list[str]
    returncode: int
    wall_seconds: float
    peak_rss_tree_bytes: int
    max_rss_bytes: int
    samples: int
    stdout_path: str
    stderr_path: str
    # the largest size of DuckDB's temp directory while it ran, where it was watched (SpillWatch)
    peak_spill_bytes: int | None = None
    # this process's own high-water mark when the child started (see the module's docstring)
    parent_max_rss_bytes: int = 0

    @property
    def max_rss_is_the_childs(self) -> bool:
        """False where ru_maxrss may be the parent's high-water mark, carried over at the start."""
        return self.max_rss_bytes > self.parent_max_rss_bytes

    @property
    def peak_rss_bytes(self) -> int:
        if not self.max_rss_is_the_childs:
            return self.peak_rss_tree_bytes
        return max(self.peak_rss_tree_bytes, self.max_rss_bytes)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["peak_rss_bytes"] = self.peak_rss_bytes
        return data

    def tail(self, chars: int = 6000) -> str:
        text = ""
        for path in (self.stdout_path, self.stderr_path):
            try:
                text += Path(path).read_text(errors="replace")[-chars:]
            except OSError:
                pass
        return text


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_measured(
    command: list[str],
    *,
    cwd: str | os.PathLike,
    env: dict[str, str],
    stdout_path: str | os.PathLike,
    stderr_path: str | os.PathLike,
    poll_interval: float = 0.05,
    timeout: float | None = None,
) -> Measurement:
    """Run command to completion, polling the RSS of its process tree.

    Output goes to files (no pipes to fill up). The wall time runs from just
    before the process is started to the moment it is reaped.
    """
    Path(stdout_path).parent.mkdir(parents=True, exist_ok=True)
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        started = time.perf_counter()
        popen = subprocess.Popen(command, cwd=cwd, env=env, stdout=stdout, stderr=stderr)
        # read after the start: at least what the child can have carried over (Linux reports kilobytes)
        parent_max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        try:
            process = psutil.Process(popen.pid)
        except psutil.Error:
            process = None
        peak = 0
        samples = 0
        while True:
            pid, status, usage = os.wait4(popen.pid, os.WNOHANG)
            if pid != 0:
                wall = time.perf_counter() - started
                break
            if process is not None:
                peak = max(peak, _tree_rss(process))
                samples += 1
            if timeout is not None and time.perf_counter() - started > timeout:
                # end the process we started (and its children), then reap it
                for member in ([process, *process.children(recursive=True)] if process else []):
                    try:
                        member.kill()
                    except psutil.Error:
                        pass
                _, status, usage = os.wait4(popen.pid, 0)
                wall = time.perf_counter() - started
                break
            time.sleep(poll_interval)
    popen.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(
        command=[str(part) for part in command],
        returncode=popen.returncode,
        wall_seconds=wall,
        peak_rss_tree_bytes=peak,
        max_rss_bytes=usage.ru_maxrss * 1024,  # Linux reports kilobytes
        samples=samples,
        stdout_path=str(stdout_path),
        stderr_path=str(stderr_path),
        parent_max_rss_bytes=parent_max_rss,
    )


class SpillWatch:
    """The largest size DuckDB's temp directory reaches, sampled every 0.2 s."""

    def __init__(self, directory: Path):
        self.directory, self.peak, self.done = directory, 0, threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _size(self) -> int:
        total = 0
        for path in self.directory.glob("*"):
            try:
                total += path.stat().st_blocks * 512  # allocated, not apparent, size
            except OSError:  # removed meanwhile
                pass
        return total

    def _watch(self) -> None:
        while not self.done.wait(0.2):
            self.peak = max(self.peak, self._size())

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return max(self.peak, self._size())
