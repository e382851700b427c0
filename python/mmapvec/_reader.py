"""Opening a vector file read-only: the file, its reader locks, the header and the mapping."""

import builtins
import errno as _errno
import fcntl
import os
import stat
import struct
import time

import numpy as np

from . import _format as fmt
from ._format import LockedError, MmapvecError, Reason

# fcntl(2) open-file-description locks, as the Java library takes them (Linux >= 3.15).
_F_OFD_GETLK = getattr(fcntl, "F_OFD_GETLK", 36)
_F_OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", 37)
_FLOCK = "@hhqqi4x"  # struct flock on x86_64 and aarch64: type, whence, start, len, pid


def _ofd(fd, command, lock_type, start, length):
    """One fcntl OFD call on the byte range ``[start, start + length)``; returns the struct flock
    the kernel gives back as ``(type, whence, start, len, pid)``."""
    raw = fcntl.fcntl(fd, command, struct.pack(_FLOCK, lock_type, os.SEEK_SET, start, length, 0))
    return struct.unpack(_FLOCK, raw)


def _take_reader_lock(fd, path):
    """Shares the reader byte R, as every live reader does (docs/FORMAT.md, "Live readers"). A
    writer locks R only for the moment it shrinks the file: then this waits, up to 2 s. Any other
    conflict (a writer of an older version, or of the FileChannel fallback, or a program holding a
    whole-file lock) refuses the open."""
    delay = 0.0001
    deadline = time.monotonic() + 2.0
    while True:
        try:
            _ofd(fd, _F_OFD_SETLK, fcntl.F_RDLCK, fmt.READER_LOCK_BYTE, 1)
            return
        except OSError as e:
            if e.errno not in (_errno.EAGAIN, _errno.EACCES):
                raise
        held = _ofd(fd, _F_OFD_GETLK, fcntl.F_RDLCK, fmt.READER_LOCK_BYTE, 1)
        shrinking = held[0] != fcntl.F_UNLCK and held[2] == fmt.READER_LOCK_BYTE and held[3] == 1
        if not shrinking or time.monotonic() > deadline:
            raise LockedError(
                Reason.LOCKED,
                "a writer holds the file and excludes readers (an older mmapvec, the FileChannel "
                "fallback, or a whole-file lock)"
                if not shrinking
                else "the writer has been shrinking the file for 2 s",
                path,
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.01)


def _writer_alive(fd):
    """Whether a writer holds the writer byte W: a query, never a lock taken."""
    return _ofd(fd, _F_OFD_GETLK, fcntl.F_RDLCK, fmt.WRITER_LOCK_BYTE, 1)[0] != fcntl.F_UNLCK


def _read_at(fd, length, offset):
    out = bytearray()
    while len(out) < length:
        chunk = os.pread(fd, length - len(out), offset + len(out))
        if not chunk:
            break
        out += chunk
    return bytes(out)


class Vector:
    """A mmapvec file opened read-only: its header, checked as the Java library checks it, and its
    committed elements as a zero-copy, read-only ``numpy.memmap`` (:attr:`array`).

    The vector holds the reader locks until :meth:`close` (and every array it handed out keeps the
    file mapped until it is garbage). Not thread-safe: one thread at a time.
    """

    def __init__(self, path, magic=None, data_version=None, allow_foreign_order=False):
        self.path = os.fspath(path)
        self._fd = -1
        self._array = None
        flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
        try:
            fd = os.open(self.path, flags)
        except FileNotFoundError:
            raise FileNotFoundError(_errno.ENOENT, "no such file", self.path) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise MmapvecError(Reason.NOT_A_REGULAR_FILE, "not a regular file", self.path)
            _take_reader_lock(fd, self.path)
            self._fd = fd
            head = _read_at(fd, fmt.HEADER_BYTES, 0)
            ident = fmt.parse_identity(head, st.st_size, self.path, magic, data_version, allow_foreign_order)
        except BaseException:
            self._fd = -1
            os.close(fd)
            raise
        self._identity = ident
        self.dtype = np.dtype(fmt.dtype_spec(ident))
        self._sequence = 0
        self._size = 0
        self._rewrites = 0
        try:
            if not self._adopt_newest():
                raise LockedError(Reason.LOCKED, "the writer has published no commit yet", self.path)
        except BaseException:
            self.close()
            raise

    # --- what the header says -----------------------------------------------------------------

    magic = property(lambda self: self._identity.magic, doc="the application's 8 ASCII characters")
    data_version = property(lambda self: self._identity.data_version, doc="(major, minor, patch)")
    format_version = property(lambda self: self._identity.format_version)
    byte_order = property(lambda self: self._identity.byte_order, doc="'little' or 'big'")
    element_type = property(lambda self: self._identity.element_type, doc="'long', ..., 'struct'")
    element_size = property(lambda self: self._identity.element_size, doc="bytes per element")
    fields = property(lambda self: list(self._identity.fields), doc="record fields (name, type, offset)")
    sequence = property(lambda self: self._sequence, doc="the sequence of the commit in view")
    rewrites = property(
        lambda self: self._rewrites,
        doc="the writer's count of commits that changed elements below the size before them: when "
        "it differs after refresh(), elements below the old size may have changed (re-read them); "
        "when equal, only the elements from the old size on are new",
    )

    @property
    def size(self):
        """The committed number of elements in view: fixed until :meth:`refresh`."""
        return self._size

    def __len__(self):
        return self._size

    @property
    def array(self):
        """The committed elements: a read-only ``numpy.memmap`` over the file (an empty array when
        there are none), with :attr:`dtype`. Zero-copy: a writer's later stores to elements below
        the size may show through, as the crash contract allows."""
        self._check_open()
        if self._array is None:
            if self._size == 0:
                self._array = np.empty((0,), dtype=self.dtype)
                self._array.flags.writeable = False
            else:
                with builtins.open(self._fd, "rb", closefd=False) as f:
                    self._array = np.memmap(
                        f, dtype=self.dtype, mode="r", offset=fmt.DATA_OFFSET, shape=(self._size,)
                    )
        return self._array

    # --- following a writer -------------------------------------------------------------------

    def refresh(self):
        """Moves to the newest durable commit and returns its size; :attr:`array` then covers it.

        Costs two small reads when nothing changed. Never goes back to an older commit. A commit
        becomes visible only once the writer has made its slot durable (the published sequence,
        docs/FORMAT.md), so a size seen here survives a power loss."""
        self._check_open()
        if getattr(self, "_pinned", False):
            raise ValueError("a column of a group shows the group's commit; reopen the group (%s)" % self.path)
        order = self._identity.byte_order
        o = "<" if order == "little" else ">"
        newest = max(
            struct.unpack(o + "Q", _read_at(self._fd, 8, at))[0] for at in fmt.SLOT_OFFSETS
        )
        if newest > self._sequence:
            before = self._size
            self._adopt_newest()
            if self._size != before:
                self._array = None
        return self._size

    def _pin(self, size, min_sequence):
        """Shows ``size`` elements, as a column group's manifest says, instead of the column's own
        commit: the file must hold a commit at least as new as ``min_sequence`` and be long enough."""
        if self._sequence < min_sequence:
            raise fmt.FormatError(
                Reason.TRUNCATED,
                "the column's newest commit %d is older than the group's (%d)" % (self._sequence, min_sequence),
                self.path,
            )
        fmt.check_size(size, self._identity.element_size, os.fstat(self._fd).st_size, self.path)
        self._size, self._array, self._pinned = size, None, True

    def _stable_slot(self, at):
        """A slot read twice until both copies agree (a writer may be rewriting it): parsed, or
        ``None`` when invalid or still changing."""
        for _ in range(8):
            a = _read_at(self._fd, fmt.SLOT_BYTES, at)
            b = _read_at(self._fd, fmt.SLOT_BYTES, at)
            if a == b:
                return fmt.parse_slot(a, self._identity.byte_order) if len(a) == fmt.SLOT_BYTES else None
        return None

    def _choose(self):
        """The newest commit a reader may see: one whose slot is durable. ``None``: nothing new can
        be told yet (a writer is committing right now)."""
        o = "<" if self._identity.byte_order == "little" else ">"
        delay = 0.00002
        for _ in range(100):
            (published,) = struct.unpack(o + "Q", _read_at(self._fd, 8, fmt.PUBLISHED_SEQUENCE_OFFSET))
            slots = (self._stable_slot(fmt.SLOT_OFFSETS[0]), self._stable_slot(fmt.SLOT_OFFSETS[1]))
            newest = fmt.newest_slot(slots, self.path)
            if newest[0] <= published:
                return newest  # published after its slot was durable
            if _writer_alive(self._fd):
                return fmt.newest_slot(slots, self.path, at_most=published)
            # No writer: the newest valid slot is the last commit of a writer that is gone (or of
            # a file written before live readers). Make it durable before trusting it.
            os.fdatasync(self._fd)
            if not _writer_alive(self._fd):
                return newest
            time.sleep(delay)
            delay = min(delay * 2, 0.001)
        return None

    def _adopt_newest(self):
        chosen = self._choose()
        if chosen is None or chosen[0] <= self._sequence:
            return chosen is not None
        sequence, size, rewrites = chosen
        fmt.check_size(size, self._identity.element_size, os.fstat(self._fd).st_size, self.path)
        self._sequence, self._size, self._rewrites = sequence, size, rewrites
        return True

    # --- lifetime -----------------------------------------------------------------------------

    def close(self):
        """Releases the file descriptor (and with it the locks, once no array maps the file).
        Idempotent."""
        fd, self._fd = self._fd, -1
        self._array = None
        if fd >= 0:
            os.close(fd)

    def __del__(self):
        if getattr(self, "_fd", -1) >= 0:
            self.close()

    @property
    def closed(self):
        return self._fd < 0

    def _check_open(self):
        if self._fd < 0:
            raise ValueError("the vector is closed (%s)" % self.path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<mmapvec.Vector %s: %d x %s, magic %r, data version %s, %s-endian>" % (
            self.path,
            self._size,
            self.element_type,
            self.magic,
            self.data_version,
            self.byte_order,
        )


def open(path, magic=None, data_version=None, allow_foreign_order=False):  # noqa: A001
    """Opens a mmapvec file read-only, checking its header as the Java library does.

    :param path: the file
    :param magic: when given, the application's 8-character magic the file must carry
    :param data_version: when given, ``(major, minor, patch)`` the file must carry
    :param allow_foreign_order: open a file of the other byte order (its dtype is byte-swapped)
        instead of refusing it with ``BYTE_ORDER_MISMATCH``
    :raises FormatError: a header check failed; ``reason`` names it as the Java library does
    :raises LockedError: a writer holds the file
    :raises FileNotFoundError: no such file
    """
    return Vector(path, magic, data_version, allow_foreign_order)
