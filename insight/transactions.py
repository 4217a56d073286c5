"""A study is never lost half-way: a lock, a build folder beside the study, a swap.

``insight run`` and ``insight add`` work like this (see :mod:`insight.pipeline`):

1. every input is read and checked first (nothing on disk changes when it fails);
2. :class:`StudyLock` takes ``OUT/.insight.lock`` (a second process gets
   "another insight process (pid N) is using this study");
3. the new study is built in :class:`BuildDir` ``OUT/.insight-build/`` (``add``
   starts from a copy of the current ``study.duckdb``); each stage's writes are one
   store transaction that also records the stage as done, so a killed command
   re-run with the same inputs resumes after the last completed stage;
4. only when every stage succeeded are the files moved over the old ones
   (:meth:`BuildDir.swap_into`): the old study stays whole until then.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from insight.errors import StoreError

LOCK_NAME = ".insight.lock"
BUILD_NAME = ".insight-build"
BUILD_META = "build.json"
STAGES_META = "stages_done"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


class StudyLock:
    """An exclusive lock on a study folder (``OUT/.insight.lock`` holding pid, host, time).

    A lock left by a process that no longer runs (killed) is taken over. Used as a
    context manager; re-entrant within one process is not needed and not supported.

    Raises:
        StoreError: another live insight process holds the lock.
    """

    def __init__(self, folder: str | Path, command: str = "insight") -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.command = command
        self.took_over: dict[str, Any] | None = None

    def _holder(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    def check(self) -> None:
        """Raise when another live insight process holds the lock (without taking it)."""
        if not self.path.exists():
            return
        holder = self._holder()
        pid = int(holder.get("pid") or 0)
        if pid and pid != os.getpid() and _pid_alive(pid):
            raise StoreError(
                f"another insight process (pid {pid}) is using this study"
                f" ({holder.get('command', 'insight')}, since {holder.get('since', '?')})",
                file=str(self.folder),
                fix=f"wait for it to finish; if no insight process runs, delete {self.path}",
            )

    def acquire(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": self.command,
            "since": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                pid = int(holder.get("pid") or 0)
                same_host = holder.get("host") in (None, socket.gethostname())
                if pid and (_pid_alive(pid) or not same_host) and pid != os.getpid():
                    raise StoreError(
                        f"another insight process (pid {pid}) is using this study"
                        f" ({holder.get('command', 'insight')}, since {holder.get('since', '?')})",
                        file=str(self.folder),
                        fix=f"wait for it to finish; if no insight process runs, delete {self.path}",
                    ) from None
                # stale: its process is gone (killed); take it over
                self.took_over = holder
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(info, f)
            return
        raise StoreError(
            "could not take the study lock", file=str(self.path), fix="delete the lock file"
        )

    def release(self) -> None:
        if self._holder().get("pid") == os.getpid():
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def __enter__(self) -> StudyLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def fingerprint(data: Mapping[str, Any]) -> str:
    """A short stable hash of JSON-able ``data`` (settings + input content hashes)."""
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class BuildDir:
    """``OUT/.insight-build``: where a run or add writes before it is swapped in.

    Args:
        out: the study folder.
        key: the fingerprint of what is being built; a build folder left by a killed
            command with the same key is resumed, any other is discarded.
    """

    def __init__(self, out: str | Path, key: str) -> None:
        self.out = Path(out)
        self.path = self.out / BUILD_NAME
        self.key = key
        self.resumed = False

    def _meta(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.path / BUILD_META).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    def prepare(self, seed_store: Path | None = None) -> Path:
        """Resume a matching build folder or start a fresh one; returns its path.

        ``seed_store``: a study file copied in as the starting point (``add``).
        """
        meta = self._meta()
        if self.path.is_dir() and meta.get("key") == self.key:
            self.resumed = True
            return self.path
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        if seed_store is not None and seed_store.exists():
            # a study closed cleanly has no WAL; copy one if a crash left it
            shutil.copy2(seed_store, self.path / seed_store.name)
            wal = seed_store.with_name(seed_store.name + ".wal")
            if wal.exists():
                shutil.copy2(wal, self.path / wal.name)
        (self.path / BUILD_META).write_text(
            json.dumps({"key": self.key, "pid": os.getpid()}), encoding="utf-8"
        )
        return self.path

    def mark_complete(self, files: list[str]) -> None:
        """Every stage done: record which files to move (a killed swap is finished
        by the next command with the same key)."""
        meta = self._meta()
        meta["complete"] = True
        meta["files"] = files
        (self.path / BUILD_META).write_text(json.dumps(meta), encoding="utf-8")

    @property
    def complete(self) -> bool:
        return bool(self._meta().get("complete"))

    def swap_into(self, stale: list[str] = ()) -> list[Path]:  # type: ignore[assignment]
        """Move the built files over the study's (each move atomic), then drop the
        build folder; ``stale`` names old outputs the new study no longer has."""
        meta = self._meta()
        moved = []
        for name in meta.get("files", []):
            src = self.path / name
            dst = self.out / name
            if not src.exists():  # already moved by a swap that was interrupted
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            if dst.is_dir() and not src.is_dir():
                shutil.rmtree(dst)
            os.replace(src, dst)
            moved.append(dst)
        wal = self.out / "study.duckdb.wal"
        if wal.exists() and not (self.path / "study.duckdb.wal").exists():
            # a WAL beside the new store would belong to the old one
            wal.unlink()
        for name in stale:
            p = self.out / name
            if name not in meta.get("files", []) and p.is_file():
                p.unlink()
        shutil.rmtree(self.path, ignore_errors=True)
        return moved


def finish_interrupted_swap(out: str | Path) -> bool:
    """A command killed while moving a finished build into place: finish the move
    (the build was complete and consistent). Returns whether there was one."""
    build = BuildDir(out, key="")
    if not build.path.is_dir() or not build.complete:
        return False
    build.swap_into()
    return True


def stages_done(store: Any) -> dict[str, Any]:
    """Stage name -> its completion record (written by :func:`stage_transaction`)."""
    return dict(store.get_meta(STAGES_META, {}) or {})


@contextlib.contextmanager
def stage_transaction(
    store: Any, name: str, record: dict[str, Any] | None = None
) -> Iterator[dict]:
    """Everything a stage writes inside, plus its completion marker, in one transaction.

    Yields a dict the stage may fill with a summary (saved with the marker). On an
    exception nothing the stage wrote is kept.
    """
    summary: dict[str, Any] = dict(record or {})
    store.begin()
    try:
        yield summary
        done = stages_done(store)
        done[name] = {**summary, "at": time.strftime("%Y-%m-%dT%H:%M:%S")}
        store.put_meta(STAGES_META, done)
    except BaseException:
        store.rollback()
        raise
    store.commit()
