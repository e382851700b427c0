"""Opening a vector file read-only: the file, its reader locks, the header and the mapping."""

import builtins
import errno as _errno
import fcntl
import os
import stat
import struct

import numpy as np

from . import _format as fmt
from ._format import LockedError, MmapvecError, Reason

# fcntl(2) open-file-description locks, as the Java library takes them (Linux >= 3.15).
_F_OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", 37)
_F_RDLCK = fcntl.F_RDLCK


def _ofd_read_lock(fd, start, length):
    """Tries a shared OFD lock on ``[start, start + length)`` (length 0: to the end of the file).
    Returns False when a writer's lock conflicts."""
    lock = struct.pack("@hhqqi4x", _F_RDLCK, os.SEEK_SET, start, length, 0)
    try:
        fcntl.fcntl(fd, _F_OFD_SETLK, lock)
        return True
    except OSError as e:
        if e.errno in (_errno.EAGAIN, _errno.EACCES):
            return False
        raise


def _take_reader_locks(fd, path):
    """The locks a read-only open of the Java library takes: a shared OFD lock over the whole file
    and a shared ``flock``. Both fail while a writer holds the file."""
    if not _ofd_read_lock(fd, 0, 0):
        raise LockedError(Reason.LOCKED, "a writer holds the file (its fcntl lock excludes readers)", path)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as e:
        if e.errno in (_errno.EAGAIN, _errno.EWOULDBLOCK):
            raise LockedError(Reason.LOCKED, "a writer holds the file (its flock excludes readers)", path)
        raise


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
            _take_reader_locks(fd, self.path)
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
        self._size = -1
        try:
            self._read_commit(head[fmt.SLOT_OFFSETS[0] :], head[fmt.SLOT_OFFSETS[1] :], st.st_size)
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
        """Reads the newest commit again and returns its size; :attr:`array` then covers it."""
        self._check_open()
        size = os.fstat(self._fd).st_size
        slot0 = _read_at(self._fd, fmt.SLOT_BYTES, fmt.SLOT_OFFSETS[0])
        slot1 = _read_at(self._fd, fmt.SLOT_BYTES, fmt.SLOT_OFFSETS[1])
        before = self._size
        self._read_commit(slot0, slot1, size)
        if self._size != before:
            self._array = None
        return self._size

    def _read_commit(self, raw0, raw1, file_size):
        order = self._identity.byte_order
        slots = (fmt.parse_slot(raw0[: fmt.SLOT_BYTES], order), fmt.parse_slot(raw1[: fmt.SLOT_BYTES], order))
        _, (sequence, size, _) = fmt.choose_slot(slots, self.path)
        fmt.check_size(size, self._identity.element_size, file_size, self.path)
        self._sequence, self._size = sequence, size

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
