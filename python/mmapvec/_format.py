"""The bytes of a mmapvec header: the only module of this package that knows offsets.

docs/FORMAT.md in the repository is the specification; this module checks a header in the order
that document gives (steps a to l) and raises :class:`FormatError` with the Java library's reason
names.
"""

import enum
import struct
import sys

SIGNATURE = b"mmapvec\0"
MARKER = 0x1234
FORMAT_VERSION = 1
DATA_OFFSET = 65536
HEADER_BYTES = 12288
IDENTITY_BYTES = 64
FIELD_TABLE_OFFSET = 64
FIELD_ENTRY_BYTES = 48
MAX_FIELDS = 84
SLOT_OFFSETS = (4096, 8192)
SLOT_BYTES = 64
SLOT_CHECKED_BYTES = 60
STRUCT_CODE = 16

# Live readers (docs/FORMAT.md, "Live readers"): bytes format v1 reserves.
PUBLISHED_SEQUENCE_OFFSET = 12288  # u64 P: the newest commit a live writer published
WRITER_LOCK_BYTE = 16384  # W: locked exclusively by the writer, never read or written
READER_LOCK_BYTE = 16385  # R: locked shared by every live reader, never read or written
SLOT_REWRITES = 24  # u64 in a slot: commits that changed elements below the previous size

# code -> (Java name, numpy kind without byte order, size)
PRIMITIVES = {
    1: ("byte", "i1", 1),
    2: ("short", "i2", 2),
    3: ("char", "u2", 2),
    4: ("int", "i4", 4),
    5: ("long", "i8", 8),
    6: ("float", "f4", 4),
    7: ("double", "f8", 8),
    8: ("boolean", "?", 1),
}


class Reason(enum.Enum):
    """Which check failed: the same names as the Java library's ``VecFormatException.Reason``,
    plus ``LOCKED`` (the Java library's ``VecLockedException``) and ``NOT_A_REGULAR_FILE``."""

    NOT_A_MMAPVEC_FILE = "NOT_A_MMAPVEC_FILE"
    MAGIC_MISMATCH = "MAGIC_MISMATCH"
    BAD_BYTE_ORDER_MARKER = "BAD_BYTE_ORDER_MARKER"
    BYTE_ORDER_MISMATCH = "BYTE_ORDER_MISMATCH"
    UNSUPPORTED_FORMAT_VERSION = "UNSUPPORTED_FORMAT_VERSION"
    BAD_DATA_OFFSET = "BAD_DATA_OFFSET"
    DATA_VERSION_MISMATCH = "DATA_VERSION_MISMATCH"
    ELEMENT_TYPE_MISMATCH = "ELEMENT_TYPE_MISMATCH"
    TRUNCATED = "TRUNCATED"
    CHECKSUM_MISMATCH = "CHECKSUM_MISMATCH"
    LOCKED = "LOCKED"
    NOT_A_REGULAR_FILE = "NOT_A_REGULAR_FILE"
    NOT_A_GROUP = "NOT_A_GROUP"
    COLUMN_MISSING = "COLUMN_MISSING"
    COLUMN_EXTRA = "COLUMN_EXTRA"


class MmapvecError(Exception):
    """A file that cannot be read as the vector asked for. ``reason`` says which check failed,
    ``path`` names the file, and the message says what was found and what was expected."""

    def __init__(self, reason, detail, path):
        super().__init__("%s: %s (%s)" % (reason.name, detail, path))
        self.reason = reason
        self.detail = detail
        self.path = path


class FormatError(MmapvecError):
    """The header failed a check of docs/FORMAT.md: the file is someone else's, or damaged."""


class LockedError(MmapvecError):
    """A writer holds the file in a way that excludes readers."""


class DataVersion(tuple):
    """The application's data version, ``major.minor.patch``."""

    __slots__ = ()

    def __new__(cls, major, minor, patch):
        return tuple.__new__(cls, (major, minor, patch))

    major = property(lambda self: self[0])
    minor = property(lambda self: self[1])
    patch = property(lambda self: self[2])

    def __str__(self):
        return "%d.%d.%d" % self


class Field(tuple):
    """One field of a record element: its name, Java type name and byte offset in the element."""

    __slots__ = ()

    def __new__(cls, name, type, offset):
        return tuple.__new__(cls, (name, type, offset))

    name = property(lambda self: self[0])
    type = property(lambda self: self[1])
    offset = property(lambda self: self[2])


def _crc32c_table():
    table = []
    for n in range(256):
        crc = n
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _crc32c_table()


def crc32c(data, crc=0):
    """CRC32C (Castagnoli) of ``data``, continuing from ``crc``: table-driven, no dependency."""
    crc ^= 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


class Identity:
    """What the identity block and the field table say: everything of the header but the slots."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _order_char(byte_order):
    return "<" if byte_order == "little" else ">"


def _fail(reason, detail, path):
    raise FormatError(reason, detail, path)


def parse_identity(buf, file_size, path, magic=None, data_version=None, allow_foreign_order=False):
    """Checks steps a to j of docs/FORMAT.md on the first bytes of a file and returns its identity.

    ``buf`` holds up to HEADER_BYTES bytes read from offset 0; ``magic`` and ``data_version``, when
    given, must match (steps c and h); otherwise any printable magic is accepted, as the Java
    library's inspection does.
    """
    if len(buf) < 16 or file_size < 16:
        _fail(Reason.TRUNCATED, "the file has %d bytes, a header needs %d" % (file_size, DATA_OFFSET), path)
    if buf[8:16] != SIGNATURE:
        _fail(Reason.NOT_A_MMAPVEC_FILE, "no mmapvec signature at byte 8 (found %r)" % bytes(buf[8:16]), path)
    file_magic = bytes(buf[0:8])
    if magic is not None:
        want = magic.encode("ascii") if isinstance(magic, str) else bytes(magic)
        if file_magic != want:
            _fail(Reason.MAGIC_MISMATCH, "magic is %r, expected %r" % (_ascii(file_magic), _ascii(want)), path)
    if file_size < DATA_OFFSET or len(buf) < HEADER_BYTES:
        _fail(Reason.TRUNCATED, "the file has %d bytes, a header needs %d" % (file_size, DATA_OFFSET), path)
    (marker_le,) = struct.unpack_from("<H", buf, 16)
    if marker_le == MARKER:
        byte_order = "little"
    elif marker_le == 0x3412:
        byte_order = "big"
    else:
        _fail(Reason.BAD_BYTE_ORDER_MARKER, "byte-order marker is 0x%04x, expected 0x1234" % marker_le, path)
    if byte_order != sys.byteorder and not allow_foreign_order:
        _fail(
            Reason.BYTE_ORDER_MISMATCH,
            "the file is %s-endian, this machine is %s-endian: convert it with "
            "'mmapvec convert FILE OUT --byte-order %s', or open it with allow_foreign_order=True"
            % (byte_order, sys.byteorder, sys.byteorder),
            path,
        )
    o = _order_char(byte_order)
    (format_version,) = struct.unpack_from(o + "H", buf, 18)
    if format_version != FORMAT_VERSION:
        _fail(
            Reason.UNSUPPORTED_FORMAT_VERSION,
            "format version is %d, this reader reads %d" % (format_version, FORMAT_VERSION),
            path,
        )
    (data_offset,) = struct.unpack_from(o + "I", buf, 20)
    if data_offset != DATA_OFFSET:
        _fail(Reason.BAD_DATA_OFFSET, "data offset is %d, expected %d" % (data_offset, DATA_OFFSET), path)
    version = DataVersion(*struct.unpack_from(o + "HHH", buf, 24))
    if data_version is not None:
        want = DataVersion(*data_version)
        if version != want:
            _fail(Reason.DATA_VERSION_MISMATCH, "data version is %s, expected %s" % (version, want), path)
    type_code = buf[30]
    size, alignment, field_count, page_size = struct.unpack_from(o + "IIII", buf, 32)
    (created_millis,) = struct.unpack_from(o + "q", buf, 48)
    fields = _check_layout(buf, o, type_code, size, alignment, field_count, path)
    table_end = FIELD_TABLE_OFFSET + FIELD_ENTRY_BYTES * field_count
    (stored,) = struct.unpack_from(o + "I", buf, 60)
    actual = crc32c(buf[FIELD_TABLE_OFFSET:table_end], crc32c(buf[0:60]))
    if stored != actual:
        _fail(
            Reason.CHECKSUM_MISMATCH,
            "identity checksum is 0x%08x, the bytes give 0x%08x: the header is damaged" % (stored, actual),
            path,
        )
    if any(b < 0x20 or b > 0x7E for b in file_magic):
        _fail(Reason.MAGIC_MISMATCH, "magic %r is not 8 printable ASCII characters" % file_magic, path)
    return Identity(
        magic=file_magic.decode("ascii"),
        data_version=version,
        format_version=format_version,
        byte_order=byte_order,
        element_type="struct" if type_code == STRUCT_CODE else PRIMITIVES[type_code][0],
        element_size=size,
        element_alignment=alignment,
        fields=fields,
        page_size=page_size,
        created_millis=created_millis,
    )


def _ascii(b):
    return b.decode("ascii", "backslashreplace")


def _check_layout(buf, o, type_code, size, alignment, field_count, path):
    def bad(detail):
        _fail(Reason.ELEMENT_TYPE_MISMATCH, detail, path)

    if type_code != STRUCT_CODE and type_code not in PRIMITIVES:
        bad("element type code %d is unknown" % type_code)
    if alignment not in (1, 2, 4, 8):
        bad("element alignment %d is not 1, 2, 4 or 8" % alignment)
    if size < 1 or size % alignment != 0:
        bad("element size %d is not a positive multiple of its alignment %d" % (size, alignment))
    if type_code != STRUCT_CODE:
        own = PRIMITIVES[type_code][2]
        if size != own or alignment != own or field_count != 0:
            bad(
                "a %s element has size %d, alignment %d and no fields; the header says %d, %d, %d"
                % (PRIMITIVES[type_code][0], own, own, size, alignment, field_count)
            )
        return []
    if not 1 <= field_count <= MAX_FIELDS:
        bad("a record has 1 to %d fields; the header says %d" % (MAX_FIELDS, field_count))
    fields = []
    for i in range(field_count):
        at = FIELD_TABLE_OFFSET + FIELD_ENTRY_BYTES * i
        raw_name = bytes(buf[at : at + 32])
        end = raw_name.find(b"\0")
        if end < 1 or any(raw_name[end:]):
            bad("field %d has no valid name (1 to 31 bytes, then NUL padding)" % i)
        try:
            name = raw_name[:end].decode("utf-8")
        except UnicodeDecodeError:
            bad("field %d's name is not valid UTF-8" % i)
        code = buf[at + 32]
        (offset,) = struct.unpack_from(o + "I", buf, at + 36)
        if code not in PRIMITIVES:
            bad("field %d ('%s') has type code %d, not a primitive" % (i, name, code))
        type_name, _, width = PRIMITIVES[code]
        if offset + width > size:
            bad("field %d ('%s') %s@%d does not fit in an element of %d bytes" % (i, name, type_name, offset, size))
        fields.append(Field(name, type_name, offset))
    return fields


def parse_slot(raw, byte_order):
    """Returns ``(sequence, size, rewrites)`` of a valid 64-byte commit slot, else ``None``."""
    o = _order_char(byte_order)
    sequence, size = struct.unpack_from(o + "QQ", raw, 0)
    (rewrites,) = struct.unpack_from(o + "Q", raw, SLOT_REWRITES)
    (stored,) = struct.unpack_from(o + "I", raw, SLOT_CHECKED_BYTES)
    if sequence < 1 or sequence >= 1 << 63 or stored != crc32c(raw[0:SLOT_CHECKED_BYTES]):
        return None
    return sequence, size, rewrites


def newest_slot(slots, path, at_most=None):
    """The valid slot of ``slots`` (two parsed slots, ``None`` where invalid) with the higher
    sequence, slot 0 on a tie; with ``at_most``, only slots whose sequence is not above it count.
    Raises CHECKSUM_MISMATCH when neither slot is valid; returns ``None`` when none qualifies."""
    s0, s1 = slots
    if s0 is None and s1 is None:
        _fail(Reason.CHECKSUM_MISMATCH, "neither commit slot is valid: the header is damaged", path)
    if at_most is not None:
        s0 = s0 if s0 is not None and s0[0] <= at_most else None
        s1 = s1 if s1 is not None and s1[0] <= at_most else None
    if s1 is not None and (s0 is None or s1[0] > s0[0]):
        return s1
    return s0


def check_size(size, element_size, file_size, path):
    """Step l: the committed elements lie inside the file (computed without overflow)."""
    if size > (file_size - DATA_OFFSET) // element_size:
        _fail(
            Reason.TRUNCATED,
            "the committed size %d needs %d bytes, the file has %d"
            % (size, DATA_OFFSET + size * element_size, file_size),
            path,
        )


def dtype_spec(identity):
    """The numpy dtype description of one element: a scalar kind, or a structured layout."""
    o = _order_char(identity.byte_order)

    def kind(type_name):
        for name, k, width in PRIMITIVES.values():
            if name == type_name:
                return k if width == 1 else o + k
        raise AssertionError(type_name)

    if identity.element_type != "struct":
        return kind(identity.element_type)
    return {
        "names": [f.name for f in identity.fields],
        "formats": [kind(f.type) for f in identity.fields],
        "offsets": [f.offset for f in identity.fields],
        "itemsize": identity.element_size,
    }


# --- column groups: the manifest (docs/FORMAT.md, "Column group manifest") -------------------------

GROUP_SIGNATURE = b"mmapvgrp"
MANIFEST_NAME = "_manifest"
MANIFEST_BYTES = 20480  # read at open: the identity page and both slots (new manifests are 24576)
MANIFEST_SLOTS = (4096, 12288)
MANIFEST_SLOT_BYTES = 8192
MANIFEST_PUBLISHED_OFFSET = 20480  # u64 P of live group readers (docs/FORMAT.md)
MANIFEST_MAX_COLUMNS = 127
_NAME_CHARS = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$-")


class ManifestColumn(tuple):
    """One column of a group commit: name, type code, element size, size, own commit sequence."""

    __slots__ = ()

    def __new__(cls, name, type_code, element_size, size, sequence):
        return tuple.__new__(cls, (name, type_code, element_size, size, sequence))

    name = property(lambda self: self[0])
    type_code = property(lambda self: self[1])
    element_size = property(lambda self: self[2])
    size = property(lambda self: self[3])
    sequence = property(lambda self: self[4])


def parse_manifest_identity(buf, path, magic=None, data_version=None):
    """Checks a manifest's identity block in the order the Java open does; returns
    ``(magic, data_version)``."""
    if len(buf) < MANIFEST_BYTES:
        _fail(Reason.TRUNCATED, "the manifest has %d bytes, it needs %d" % (len(buf), MANIFEST_BYTES), path)
    if buf[8:16] != GROUP_SIGNATURE:
        _fail(Reason.NOT_A_GROUP, "no group manifest signature at byte 8", path)
    (marker_le,) = struct.unpack_from("<H", buf, 16)
    native = "<" if sys.byteorder == "little" else ">"
    (marker,) = struct.unpack_from(native + "H", buf, 16)
    if marker == 0x3412:
        _fail(Reason.BYTE_ORDER_MISMATCH, "the group comes from a machine of the other byte order", path)
    if marker != MARKER:
        _fail(Reason.BAD_BYTE_ORDER_MARKER, "byte-order marker is 0x%04x, expected 0x1234" % marker_le, path)
    (version,) = struct.unpack_from(native + "H", buf, 18)
    if version != 1:
        _fail(Reason.UNSUPPORTED_FORMAT_VERSION, "manifest format version is %d, this reader reads 1" % version, path)
    (stored,) = struct.unpack_from(native + "I", buf, 60)
    if stored != crc32c(buf[0:60]):
        _fail(Reason.CHECKSUM_MISMATCH, "the manifest's identity checksum does not match: damaged", path)
    file_magic = bytes(buf[0:8])
    if magic is not None:
        want = magic.encode("ascii") if isinstance(magic, str) else bytes(magic)
        if file_magic != want:
            _fail(Reason.MAGIC_MISMATCH, "magic is %r, expected %r" % (_ascii(file_magic), _ascii(want)), path)
    version = DataVersion(*struct.unpack_from(native + "HHH", buf, 24))
    if data_version is not None and version != DataVersion(*data_version):
        _fail(Reason.DATA_VERSION_MISMATCH, "data version is %s, expected %s" % (version, DataVersion(*data_version)), path)
    return _ascii(file_magic), version


def parse_manifest_slot(raw):
    """``(sequence, [ManifestColumn...], rewrites)`` of a valid manifest slot, else ``None``."""
    native = "<" if sys.byteorder == "little" else ">"
    sequence, _millis, count = struct.unpack_from(native + "QqI", raw, 0)
    if sequence < 1 or sequence >= 1 << 63 or count > MANIFEST_MAX_COLUMNS:
        return None
    (stored,) = struct.unpack_from(native + "I", raw, 60)
    if stored != crc32c(raw[64 : 64 + 64 * count], crc32c(raw[0:60])):
        return None
    columns, names = [], set()
    for i in range(count):
        e = raw[64 + 64 * i : 128 + 64 * i]
        raw_name = bytes(e[0:32])
        end = raw_name.find(b"\0")
        name = raw_name[:end] if end >= 0 else raw_name
        if not 1 <= len(name) <= 31 or any(raw_name[len(name):]) or not set(name) <= _NAME_CHARS:
            return None
        if name.startswith(b"-") or name in names:
            return None
        code = e[32]
        if code != STRUCT_CODE and code not in PRIMITIVES:
            return None
        element_size, size, column_sequence = struct.unpack_from(native + "IQQ", e, 36)
        names.add(name)
        columns.append(ManifestColumn(name.decode("ascii"), code, element_size, size, column_sequence))
    (rewrites,) = struct.unpack_from(native + "Q", raw, 24)
    return sequence, columns, rewrites
