"""Opening a column group (a directory written by the Java ``VecGroup`` or ``ColumnarVec``)."""

import os
import stat
import struct
import sys
import time

from . import _format as fmt
from ._format import FormatError, LockedError, MmapvecError, Reason
from ._reader import Vector, _read_at, _take_reader_lock, _writer_alive


class Group:
    """A column group opened read-only: a group commit, and each column at the size that commit
    gives it (whatever the column's own commit slots say: the manifest is the truth).

    :attr:`columns` maps each column's name to its :class:`Vector`; :meth:`arrays` gives a dict of
    read-only ``numpy.memmap`` arrays, one per column, all of one commit. A live Java group writer
    may be working: the group shows the newest commit whose manifest slot is durable (the published
    sequence, docs/FORMAT.md "Live group readers"), and :meth:`refresh` moves to a newer one.
    """

    def __init__(self, path, magic=None, data_version=None):
        self.path = os.fspath(path)
        self.columns = {}
        self.sequence = 0
        self.rewrites = 0
        self._ids = {}
        self._fd = -1
        if not os.path.isdir(self.path):
            raise MmapvecError(Reason.NOT_A_GROUP, "not a directory", self.path)
        manifest = os.path.join(self.path, fmt.MANIFEST_NAME)
        self._manifest = manifest
        try:
            fd = os.open(manifest, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
        except FileNotFoundError:
            raise MmapvecError(Reason.NOT_A_GROUP, "no %s in the directory" % fmt.MANIFEST_NAME, self.path) from None
        self._fd = fd
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise MmapvecError(Reason.NOT_A_REGULAR_FILE, "not a regular file", manifest)
            _take_reader_lock(fd, manifest)
            buf = _read_at(fd, fmt.MANIFEST_BYTES, 0)
            self.magic, self.data_version = fmt.parse_manifest_identity(buf, manifest, magic, data_version)
            if not self._adopt_newest():
                raise LockedError(Reason.LOCKED, "the group writer has published no commit yet", manifest)
            if not _writer_alive(fd):
                self._check_no_extra_files()
        except BaseException:
            self.close()
            raise

    def refresh(self):
        """Moves to the newest durable group commit (never back) and returns its sequence; every
        column then has that commit's size, and :meth:`arrays` covers it. Columns the commit added
        appear in :attr:`columns`; dropped ones leave it (arrays handed out stay readable)."""
        if self._fd < 0:
            raise ValueError("the group is closed (%s)" % self.path)
        self._adopt_newest()
        return self.sequence

    def _stable_slot(self, at):
        for _ in range(8):
            a = _read_at(self._fd, fmt.MANIFEST_SLOT_BYTES, at)
            b = _read_at(self._fd, fmt.MANIFEST_SLOT_BYTES, at)
            if a == b:
                return fmt.parse_manifest_slot(a) if len(a) == fmt.MANIFEST_SLOT_BYTES else None
        return None

    def _choose(self):
        """The newest group commit a reader may show (the vector's gate over the manifest):
        ``(sequence, columns, rewrites)``, or ``None`` while nothing durable can be told."""
        native = "<" if sys.byteorder == "little" else ">"
        delay = 0.00002
        for _ in range(100):
            published = 0
            if os.fstat(self._fd).st_size >= fmt.MANIFEST_PUBLISHED_OFFSET + 8:
                (published,) = struct.unpack(native + "Q", _read_at(self._fd, 8, fmt.MANIFEST_PUBLISHED_OFFSET))
            valid = [s for s in (self._stable_slot(at) for at in fmt.MANIFEST_SLOTS) if s is not None]
            if not valid:
                raise FormatError(Reason.CHECKSUM_MISMATCH, "neither manifest slot is valid: damaged", self._manifest)
            newest = max(valid, key=lambda s: s[0])  # slot 0 wins a tie
            if newest[0] <= published:
                return newest
            if _writer_alive(self._fd):
                older = [s for s in valid if s[0] <= published]
                return max(older, key=lambda s: s[0]) if older else None
            os.fdatasync(self._fd)  # a dead writer's last slot: make it durable, then trust it
            if not _writer_alive(self._fd):
                return newest
            time.sleep(delay)
            delay = min(delay * 2, 0.001)
        return None

    def _adopt_newest(self):
        chosen = self._choose()
        if chosen is None:
            return self.sequence > 0
        if chosen[0] > self.sequence:
            self._open_columns(chosen[1])
            self.sequence, self.rewrites = chosen[0], chosen[2]
        return True

    def _check_no_extra_files(self):
        for name in sorted(os.listdir(self.path)):
            if name.endswith(".vec") and not name.startswith(".") and name[: -len(".vec")] not in self.columns:
                raise FormatError(Reason.COLUMN_EXTRA, "the manifest does not list this column file", os.path.join(self.path, name))

    def _open_columns(self, entries):
        columns, ids = {}, {}
        try:
            for e in entries:
                file = self._column_file(e.name)
                st = os.stat(file)
                key = (st.st_dev, st.st_ino)
                v = self.columns.get(e.name)
                if v is None or self._ids.get(e.name) != key:
                    v = Vector(file)  # a new column, or the name leads to a new file
                    kind = "struct" if e.type_code == fmt.STRUCT_CODE else fmt.PRIMITIVES[e.type_code][0]
                    if v._identity.element_type != kind or v.element_size != e.element_size:
                        v.close()
                        raise FormatError(Reason.ELEMENT_TYPE_MISMATCH, "the column file holds %s elements of %d bytes, the manifest says otherwise" % (v.element_type, v.element_size), file)
                else:
                    v._adopt_newest()  # its own newest durable commit: at least the group's
                columns[e.name], ids[e.name] = v, key
                v._pin(e.size, e.sequence)
        except BaseException:
            for name, v in columns.items():
                if self.columns.get(name) is not v:
                    v.close()
            raise
        for name, v in self.columns.items():
            if columns.get(name) is not v:
                v.close()  # dropped or replaced; arrays handed out keep their own mapping
        self.columns, self._ids = columns, ids

    def _column_file(self, name):
        plain = os.path.join(self.path, name + ".vec")
        pending = [os.path.join(self.path, "." + kind + "." + name + ".vec") for kind in ("add", "drop")]
        present = [p for p in [plain] + pending if os.path.exists(p)]
        if not present:
            raise FormatError(Reason.COLUMN_MISSING, "column '%s' of the manifest has no file" % name, plain)
        if len(present) > 1:
            raise FormatError(Reason.COLUMN_EXTRA, "column '%s' has more than one file" % name, present[1])
        return present[0]

    @property
    def names(self):
        """The committed columns, in column order."""
        return list(self.columns)

    def arrays(self):
        """{name: read-only numpy.memmap of that column's committed elements}, all of one commit."""
        return {name: v.array for name, v in self.columns.items()}

    def __len__(self):
        sizes = {len(v) for v in self.columns.values()}
        return sizes.pop() if len(sizes) == 1 else max(sizes, default=0)

    def close(self):
        """Closes every column and the manifest. Idempotent."""
        for v in self.columns.values():
            v.close()
        self.columns = {}
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<mmapvec.Group %s: %s at commit %d>" % (self.path, ", ".join(self.columns), self.sequence)


def open_group(path, magic=None, data_version=None):
    """Opens a column group directory read-only; see :class:`Group`.

    :raises MmapvecError: ``NOT_A_GROUP``, ``COLUMN_MISSING``, ``COLUMN_EXTRA``, or any reason of
        :func:`open` for the manifest or a column file
    :raises LockedError: a group writer holds the group and has published no commit (or holds
        the whole manifest: an older writer)
    """
    return Group(path, magic, data_version)
