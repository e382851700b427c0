"""The Python reader against files the Java library wrote (see conftest.py): every value is
compared with what the Java side recorded in expected.json, never with the reader itself."""

import os
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest

import mmapvec
from mmapvec import Reason

def lines_of(array):
    """Each element as the Java side prints it: floats as raw bits, booleans as 0/1."""

    def scalar(values):
        if values.dtype.kind == "f":  # the raw bits, in the same byte order
            values = values.view(values.dtype.str.replace("f", "u"))
        return [str(int(v)) for v in values]

    if array.dtype.names is None:
        return scalar(array)
    columns = [scalar(array[name]) for name in array.dtype.names]
    return [" ".join(row) for row in zip(*columns)]


def fixture_named(fixtures, name):
    return next(f for f in fixtures["fixtures"] if f["file"] == name)


def all_fixtures(fixtures):
    return [f["file"] for f in fixtures["fixtures"]]


def test_every_fixture_reads_as_java_wrote_it(fixtures):
    assert len(fixtures["fixtures"]) >= 9
    for f in fixtures["fixtures"]:
        with mmapvec.open(fixtures["dir"] / f["file"]) as v:
            assert v.magic == fixtures["magic"], f["file"]
            assert tuple(v.data_version) == tuple(fixtures["dataVersion"])
            assert str(v.data_version) == "1.2.3"
            assert v.format_version == 1
            assert v.byte_order == fixtures["nativeOrder"]
            assert v.element_type == f["elementType"]
            assert len(v) == v.size == len(f["lines"])
            assert lines_of(v.array) == f["lines"], f["file"]


def test_expected_magic_and_data_version_are_checked(fixtures):
    path = fixtures["dir"] / "long.vec"
    with mmapvec.open(path, magic="INTEROP1", data_version=(1, 2, 3)) as v:
        assert len(v) == 300
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open(path, magic="OTHERMAG")
    assert e.value.reason is Reason.MAGIC_MISMATCH and str(path) in str(e.value)
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open(path, data_version=(1, 2, 4))
    assert e.value.reason is Reason.DATA_VERSION_MISMATCH


def test_record_dtype_is_the_c_layout(fixtures):
    with mmapvec.open(fixtures["dir"] / "all8.vec") as v:
        names = [f.name for f in v.fields]
        assert names == ["b", "s", "c", "i", "l", "f", "d", "z"]
        aligned = np.dtype([(n, v.dtype.fields[n][0]) for n in names], align=True)
        assert aligned.itemsize == v.dtype.itemsize == v.element_size == 48
        assert [aligned.fields[n][1] for n in names] == [f.offset for f in v.fields]
    with mmapvec.open(fixtures["dir"] / "ticks.vec") as v:
        ticks = v.array
        bits = [int(line.split()[1]) for line in fixture_named(fixtures, "ticks.vec")["lines"]]
        expected = np.array(bits, dtype=np.uint64).view(np.float64)
        assert ticks["price"].tolist() == expected.tolist()
        assert ticks["price"][1] == 100.25
        assert ticks["price"].mean() == pytest.approx(expected.sum() / len(expected))


def test_the_array_is_a_read_only_zero_copy_memmap(fixtures):
    with mmapvec.open(fixtures["dir"] / "long.vec") as v:
        a = v.array
        assert isinstance(a, np.memmap)
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[0] = 1


def test_an_empty_vector_gives_an_empty_array(fixtures):
    with mmapvec.open(fixtures["dir"] / "empty.vec") as v:
        assert len(v) == 0
        assert v.array.shape == (0,)
        assert v.array.dtype == np.dtype("=i8")


def test_the_other_byte_order_is_refused_with_a_hint_or_read_swapped(fixtures):
    for foreign, native in fixtures["otherOrder"].items():
        path = fixtures["dir"] / foreign
        with pytest.raises(mmapvec.FormatError) as e:
            mmapvec.open(path)
        assert e.value.reason is Reason.BYTE_ORDER_MISMATCH
        assert "mmapvec convert" in str(e.value) and str(path) in str(e.value)
        with mmapvec.open(path, allow_foreign_order=True) as v:
            assert v.byte_order != fixtures["nativeOrder"]
            assert lines_of(v.array) == fixture_named(fixtures, native)["lines"]
            assert v.magic == fixtures["magic"] and str(v.data_version) == "1.2.3"


def damaged_copy(fixtures, tmp_path, name, at, mask):
    path = tmp_path / (name + ".vec")
    shutil.copy(fixtures["dir"] / "long.vec", path)
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(1)[0]
        f.seek(at)
        f.write(bytes([b ^ mask]))
    return path


@pytest.mark.parametrize(
    "name, at, mask, reason",
    [
        ("signature", 8, 0x01, Reason.NOT_A_MMAPVEC_FILE),
        ("marker", 16, 0x40, Reason.BAD_BYTE_ORDER_MARKER),
        ("format-version", 18, 0x08, Reason.UNSUPPORTED_FORMAT_VERSION),
        ("data-offset", 21, 0x01, Reason.BAD_DATA_OFFSET),
        ("type-code", 30, 0x40, Reason.ELEMENT_TYPE_MISMATCH),
        ("element-size", 32, 0x02, Reason.ELEMENT_TYPE_MISMATCH),
        ("creation-time", 50, 0x01, Reason.CHECKSUM_MISMATCH),
        ("reserved", 31, 0x01, Reason.CHECKSUM_MISMATCH),
    ],
)
def test_each_damaged_header_field_has_its_reason(fixtures, tmp_path, name, at, mask, reason):
    path = damaged_copy(fixtures, tmp_path, name, at, mask)
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open(path)
    assert e.value.reason is reason, str(e.value)
    assert str(path) in str(e.value)


def test_both_slots_damaged_is_a_checksum_mismatch(fixtures, tmp_path):
    path = damaged_copy(fixtures, tmp_path, "slots", 4096 + 8, 0x01)
    with open(path, "r+b") as f:
        f.seek(8192 + 8)
        b = f.read(1)[0]
        f.seek(8192 + 8)
        f.write(bytes([b ^ 0x01]))
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open(path)
    assert e.value.reason is Reason.CHECKSUM_MISMATCH


def test_a_damaged_newest_slot_falls_back_to_the_older_commit(fixtures, tmp_path):
    f = fixture_named(fixtures, "all8.vec")
    path = tmp_path / "all8.vec"
    shutil.copy(fixtures["dir"] / "all8.vec", path)
    with mmapvec.open(path) as v:
        newest = 0 if v.sequence % 2 == 1 else 1  # slot 0 holds odd sequences: create wrote 1
        assert len(v) == len(f["lines"])
    with open(path, "r+b") as fh:
        at = (4096, 8192)[newest] + 8
        fh.seek(at)
        b = fh.read(1)[0]
        fh.seek(at)
        fh.write(bytes([b ^ 0x01]))
    with mmapvec.open(path) as v:
        assert len(v) == f["olderSize"]
        assert lines_of(v.array) == f["lines"][: f["olderSize"]]


@pytest.mark.parametrize("size", [0, 10, 100, 20000])
def test_truncated_files_are_refused(fixtures, tmp_path, size):
    path = tmp_path / "cut.vec"
    shutil.copy(fixtures["dir"] / "long.vec", path)
    os.truncate(path, size)
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open(path)
    assert e.value.reason is Reason.TRUNCATED and str(path) in str(e.value)


def test_committed_data_cut_short_is_truncated(fixtures, tmp_path):
    path = tmp_path / "cut.vec"
    shutil.copy(fixtures["dir"] / "long.vec", path)
    os.truncate(path, 65536 + 8 * 10)
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open(path)
    assert e.value.reason is Reason.TRUNCATED


def test_not_a_mmapvec_file(tmp_path):
    path = tmp_path / "text.vec"
    path.write_bytes(b"hello, this is not a vector file at all" * 2000)
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open(path)
    assert e.value.reason is Reason.NOT_A_MMAPVEC_FILE


def test_directories_and_fifos_are_refused_without_blocking(tmp_path):
    with pytest.raises(mmapvec.MmapvecError) as e:
        mmapvec.open(tmp_path)
    assert e.value.reason is Reason.NOT_A_REGULAR_FILE
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(mmapvec.MmapvecError) as e:
        mmapvec.open(fifo)
    assert e.value.reason is Reason.NOT_A_REGULAR_FILE


def test_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        mmapvec.open(tmp_path / "absent.vec")
    assert "absent.vec" in str(e.value)


def test_close_is_idempotent_and_a_closed_vector_refuses_use(fixtures):
    v = mmapvec.open(fixtures["dir"] / "long.vec")
    v.close()
    v.close()
    assert v.closed
    with pytest.raises(ValueError):
        v.array
    with pytest.raises(ValueError):
        v.refresh()


def test_refresh_without_a_writer_keeps_the_commit(fixtures):
    with mmapvec.open(fixtures["dir"] / "int.vec") as v:
        before = (len(v), v.sequence)
        assert v.refresh() == before[0]
        assert (len(v), v.sequence) == before


def test_a_live_java_writer_does_not_exclude_this_reader(fixtures, java, tmp_path):
    path = tmp_path / "held.vec"
    shutil.copy(fixtures["dir"] / "long.vec", path)
    writer = start_writer(java, "hold", str(path))
    try:
        assert writer.stdout.readline().startswith("READY 300")
        with mmapvec.open(path) as v:
            assert lines_of(v.array) == fixture_named(fixtures, "long.vec")["lines"]
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=60) == 0


def test_a_whole_file_lock_excludes_this_reader(fixtures, tmp_path):
    """What a writer of an older mmapvec, or of the Java FileChannel fallback, holds: an exclusive
    lock over the whole file, here taken by another process with lockf."""
    path = tmp_path / "locked.vec"
    shutil.copy(fixtures["dir"] / "long.vec", path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys; f = open(sys.argv[1], 'r+b'); fcntl.lockf(f, fcntl.LOCK_EX); "
            "print('LOCKED', flush=True); sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "LOCKED"
        with pytest.raises(mmapvec.LockedError) as e:
            mmapvec.open(path)
        assert e.value.reason is Reason.LOCKED and str(path) in str(e.value)
    finally:
        holder.stdin.close()
        assert holder.wait(timeout=60) == 0
    with mmapvec.open(path) as v:  # free again once the holder is gone
        assert len(v) == 300


def test_groups_read_as_java_wrote_them(fixtures):
    assert set(fixtures["groups"]) == {"ticks-group", "ticks-columnar"}
    for name, columns in fixtures["groups"].items():
        with mmapvec.open_group(fixtures["dir"] / name, magic=fixtures["magic"], data_version=(1, 2, 3)) as g:
            assert g.names == list(columns)
            arrays = g.arrays()
            for column, lines in columns.items():
                assert lines_of(arrays[column]) == lines, (name, column)
            assert len(g) == len(next(iter(columns.values())))


def group_copy(fixtures, tmp_path):
    target = tmp_path / "group"
    shutil.copytree(fixtures["dir"] / "ticks-group", target)
    return target


def test_group_errors_name_the_file_and_the_reason(fixtures, tmp_path):
    with pytest.raises(mmapvec.MmapvecError) as e:
        mmapvec.open_group(tmp_path)
    assert e.value.reason is Reason.NOT_A_GROUP
    missing = group_copy(fixtures, tmp_path / "missing")
    os.remove(missing / "price.vec")
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open_group(missing)
    assert e.value.reason is Reason.COLUMN_MISSING and "price.vec" in str(e.value)
    extra = group_copy(fixtures, tmp_path / "extra")
    shutil.copy(fixtures["dir"] / "long.vec", extra / "stray.vec")
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open_group(extra)
    assert e.value.reason is Reason.COLUMN_EXTRA and "stray.vec" in str(e.value)
    other = group_copy(fixtures, tmp_path / "other-type")
    shutil.copy(fixtures["dir"] / "int.vec", other / "price.vec")
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open_group(other)
    assert e.value.reason is Reason.ELEMENT_TYPE_MISMATCH and "price.vec" in str(e.value)
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open_group(fixtures["dir"] / "ticks-group", magic="OTHERMAG")
    assert e.value.reason is Reason.MAGIC_MISMATCH


@pytest.mark.parametrize("at, reason", [(8, Reason.NOT_A_GROUP), (50, Reason.CHECKSUM_MISMATCH)])
def test_a_damaged_manifest_is_refused(fixtures, tmp_path, at, reason):
    g = group_copy(fixtures, tmp_path)
    with open(g / "_manifest", "r+b") as f:
        f.seek(at)
        b = f.read(1)[0]
        f.seek(at)
        f.write(bytes([b ^ 0x01]))
    with pytest.raises(mmapvec.FormatError) as e:
        mmapvec.open_group(g)
    assert e.value.reason is reason and "_manifest" in str(e.value)


def test_a_damaged_newest_manifest_slot_falls_back_to_the_first_commit(fixtures, tmp_path):
    g = group_copy(fixtures, tmp_path)
    with mmapvec.open_group(g) as before:
        newest = before.sequence
        assert len(before) == 1000
    slots = (4096, 12288)
    with open(g / "_manifest", "r+b") as f:
        for at in slots:  # damage the slot holding the newest commit
            f.seek(at)
            if struct.unpack("=Q", f.read(8))[0] == newest:
                f.seek(at + 80)
                b = f.read(1)[0]
                f.seek(at + 80)
                f.write(bytes([b ^ 0x01]))
    with mmapvec.open_group(g) as after:
        assert after.sequence < newest and len(after) == 500
        lines = fixtures["groups"]["ticks-group"]["price"][:500]
        assert lines_of(after.arrays()["price"]) == lines


def test_a_group_follows_a_live_java_group_writer(java, tmp_path):
    """The Java group writer appends rows to columns a (value(i)) and b (i / 2) and commits every
    2000 rows, printing each committed row count once the commit returned; after each such line
    refresh() must show at least that many rows, both columns always equally long and right."""
    path = tmp_path / "group"
    count, batch = 40_000, 2_000
    writer = start_writer(java, "group", str(path), str(count), str(batch))
    try:
        assert writer.stdout.readline().startswith("READY 0")
        g = mmapvec.open_group(path)
        sequences = [g.sequence]
        for line in writer.stdout:
            word, number = line.split()
            committed = int(number)
            sequences.append(g.refresh())
            assert sequences[-1] >= sequences[-2]
            a, b = g.arrays()["a"], g.arrays()["b"]
            assert len(a) == len(b) == len(g) >= committed, "a returned commit is not visible"
            i = np.arange(0, len(a), dtype=np.int64)
            assert (a == i * i + 7).all() and (b == i * 0.5).all()
            if word == "DONE":
                break
        assert len(g) == count and len(set(sequences)) > 5 and g.rewrites == 0
        g.close()
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=60) == 0


def test_crc32c_check_value():
    assert mmapvec.crc32c(b"123456789") == 0xE3069283


def start_writer(java, *args):
    executable, classpath = java
    return subprocess.Popen(
        [executable, "--enable-native-access=ALL-UNNAMED", "-cp", classpath, "io.mmapvec.InteropWriter", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_reader_follows_a_live_java_writer_commit_by_commit(java, tmp_path):
    """The writer appends value(i) = i*i + 7 and syncs every 5000 elements, printing each committed
    size once sync() returned; after each such line this reader's refresh() must show at least
    that size, and every element below any size it shows must hold value(i)."""
    path = tmp_path / "live.vec"
    count, batch = 200_000, 5_000
    writer = start_writer(java, "append", str(path), str(count), str(batch))
    try:
        assert writer.stdout.readline().startswith("READY 0")
        v = mmapvec.open(path)
        sizes, rewrites, checked = [len(v)], {v.rewrites}, 0
        for line in writer.stdout:
            word, number = line.split()
            committed = int(number)
            size = v.refresh()
            assert size >= committed, "a commit whose sync() returned is not visible"
            assert size >= sizes[-1]
            sizes.append(size)
            rewrites.add(v.rewrites)
            a = v.array
            i = np.arange(checked, size, dtype=np.int64)
            assert (a[checked:size] == i * i + 7).all()
            if v.rewrites != min(rewrites):
                j = np.arange(0, size, dtype=np.int64)
                assert (a[:size] == j * j + 7).all()
            checked = size
            if word == "DONE":
                break
        assert sizes[-1] == count and len(set(sizes)) > 10
        assert len(rewrites) == 2, "the halfway rewrite of elements 0..9 raised the counter once"
        with pytest.raises(mmapvec.FormatError):
            mmapvec.open(path, magic="OTHERMAG")  # a live writer does not stop the checks
        v.close()
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=60) == 0
