"""A FireWorks LaunchPad on one mongomock file that several processes share (the embedded LaunchPad).

Every LaunchPad call holds an exclusive ``flock`` on ``<file>.lock``, reads the file first if another process
changed it, and writes it back atomically when it changed something. No lock is held while a Firework runs, so
worker jobs on one node share the work; readers (``ssbi status``) read the file without a lock. The file must
live where every worker reaches it with working ``flock``: one node, or a shared filesystem that supports it.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import threading
import time
from pathlib import Path

from fireworks import LaunchPad

from ssbi.workflows._compat import detach_mongomock_file, reload_mongomock_file, write_mongomock_file

# LaunchPad methods that only read: no write-back after them
READ_ONLY = frozenset({
    "to_dict", "get_launch_by_id", "get_fw_dict_by_id", "get_fw_by_id", "get_wf_by_fw_id", "get_wf_by_fw_id_lzyfw",
    "get_wf_summary_dict", "get_fw_ids", "get_wf_ids", "get_fw_ids_in_wfs", "run_exists", "future_run_exists",
    "get_fw_ids_from_reservation_id", "get_reservation_id_from_fw_id", "get_logdir", "get_tracker_data",
    "get_launchdir", "get_recovery"})
NOT_WRAPPED = frozenset({"from_dict", "auto_load", "from_file", "to_file", "to_format", "from_format", "as_dict"})
LOCK_WAIT_LINE_AFTER_S = 5.0  # a worker that waits this long for the file says so, once


def _signature(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


class FileLaunchPad(LaunchPad):
    """A LaunchPad whose database is the mongomock file ``db_file``, shared with other processes (see module)."""

    def __init__(self, db_file: str | Path, *args, on_wait=None, **kwargs):
        self.db_file = Path(db_file)
        self._thread_lock = threading.RLock()
        self._depth, self._writes, self._lock_fh = 0, False, None
        self._on_wait = on_wait
        self._loaded = None
        with self._file_lock():  # mongomock reads the file when the client is made
            super().__init__(*args, **kwargs)
            detach_mongomock_file(self)
            self._loaded = _signature(self.db_file)

    @contextlib.contextmanager
    def _file_lock(self):
        fh = open(self.db_file.with_name(self.db_file.name + ".lock"), "a+")
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                start = time.monotonic()
                if self._on_wait is not None:
                    timer = threading.Timer(LOCK_WAIT_LINE_AFTER_S, self._on_wait, args=(self.db_file,))
                    timer.daemon = True
                    timer.start()
                fcntl.flock(fh, fcntl.LOCK_EX)
                if self._on_wait is not None:
                    timer.cancel()
                self.lock_waited = getattr(self, "lock_waited", 0.0) + time.monotonic() - start
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()

    @contextlib.contextmanager
    def shared(self, writes: bool = True):
        """Hold the file for a sequence of calls: read it if it changed; write it back at the end if ``writes``."""
        with self._thread_lock:
            outer = self._depth == 0
            if outer:
                self._lock_cm = self._file_lock()
                self._lock_cm.__enter__()
                try:
                    if self._loaded is not None and _signature(self.db_file) != self._loaded:
                        reload_mongomock_file(self, self.db_file)
                except BaseException:
                    self._lock_cm.__exit__(None, None, None)
                    raise
                self._writes = False
            self._depth += 1
            self._writes = self._writes or writes
            try:
                yield self
            finally:
                self._depth -= 1
                if outer:
                    try:
                        if self._writes:
                            write_mongomock_file(self, self.db_file)
                        self._loaded = _signature(self.db_file)
                    finally:
                        self._lock_cm.__exit__(None, None, None)


def _held(name: str, method):
    writes = name not in READ_ONLY

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        if self._loaded is None:  # still in __init__
            return method(self, *args, **kwargs)
        with self.shared(writes=writes):
            return method(self, *args, **kwargs)

    return call


for _name, _value in vars(LaunchPad).items():
    if not _name.startswith("_") and _name not in NOT_WRAPPED and callable(_value) \
            and not isinstance(_value, (staticmethod, classmethod)):
        setattr(FileLaunchPad, _name, _held(_name, _value))


def prepare_file(db_file: Path) -> None:
    """An empty mongomock file where none is (FireWorks' collections are made by the first reset)."""
    db_file.parent.mkdir(parents=True, exist_ok=True)
    if db_file.exists() and db_file.stat().st_size > 0:
        return
    tmp = db_file.with_name(f"{db_file.name}.{os.getpid()}.tmp")
    tmp.write_text("{}")
    if db_file.exists():
        os.replace(tmp, db_file)
        return
    with contextlib.suppress(FileExistsError):
        os.link(tmp, db_file)  # never over a file another process has just made
    tmp.unlink()
