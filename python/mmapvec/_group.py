"""Opening a column group (a directory written by the Java ``VecGroup`` or ``ColumnarVec``)."""

import os
import stat

from . import _format as fmt
from ._format import FormatError, LockedError, MmapvecError, Reason
from ._reader import Vector, _read_at, _take_reader_lock, _writer_alive


class Group:
    """A column group opened read-only: the manifest's newest commit, and each column at the size
    that commit gives it (whatever the column's own commit slots say: the manifest is the truth).

    :attr:`columns` maps each column's name to its :class:`Vector`; :meth:`arrays` gives a dict of
    read-only ``numpy.memmap`` arrays, one per column, all of one commit. A group that a writer
    holds is refused: following a live group writer is not supported yet.
    """

    def __init__(self, path, magic=None, data_version=None):
        self.path = os.fspath(path)
        self.columns = {}
        if not os.path.isdir(self.path):
            raise MmapvecError(Reason.NOT_A_GROUP, "not a directory", self.path)
        manifest = os.path.join(self.path, fmt.MANIFEST_NAME)
        try:
            fd = os.open(manifest, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
        except FileNotFoundError:
            raise MmapvecError(Reason.NOT_A_GROUP, "no %s in the directory" % fmt.MANIFEST_NAME, self.path) from None
        self._fd = fd
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise MmapvecError(Reason.NOT_A_REGULAR_FILE, "not a regular file", manifest)
            _take_reader_lock(fd, manifest)
            if _writer_alive(fd):
                raise LockedError(Reason.LOCKED, "a group writer holds the group (a live group is not followed yet)", manifest)
            buf = _read_at(fd, fmt.MANIFEST_BYTES, 0)
            self.magic, self.data_version = fmt.parse_manifest_identity(buf, manifest, magic, data_version)
            slots = [fmt.parse_manifest_slot(buf[at : at + 8192]) for at in fmt.MANIFEST_SLOTS]
            valid = [s for s in slots if s is not None]
            if not valid:
                raise FormatError(Reason.CHECKSUM_MISMATCH, "neither manifest slot is valid: damaged", manifest)
            self.sequence, entries = max(valid, key=lambda s: s[0])  # slot 0 wins a tie
            if slots[0] is not None and slots[0][0] == self.sequence:
                entries = slots[0][1]
            self._open_columns(entries)
        except BaseException:
            self.close()
            raise

    def _open_columns(self, entries):
        listed = {e.name for e in entries}
        for name in sorted(os.listdir(self.path)):
            if not name.endswith(".vec") or name.startswith("."):
                continue
            if name[: -len(".vec")] not in listed:
                raise FormatError(Reason.COLUMN_EXTRA, "the manifest does not list this column file", os.path.join(self.path, name))
        for e in entries:
            file = self._column_file(e.name)
            v = Vector(file)
            self.columns[e.name] = v
            if v._identity.element_type != ("struct" if e.type_code == fmt.STRUCT_CODE else fmt.PRIMITIVES[e.type_code][0]) or v.element_size != e.element_size:
                raise FormatError(Reason.ELEMENT_TYPE_MISMATCH, "the column file holds %s elements of %d bytes, the manifest says otherwise" % (v.element_type, v.element_size), file)
            v._pin(e.size, e.sequence)

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
    :raises LockedError: a group writer holds the group
    """
    return Group(path, magic, data_version)
