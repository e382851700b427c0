"""Read mmapvec vector files from Python.

>>> import mmapvec
>>> v = mmapvec.open("ticks.vec")      # header checked like the Java library's open; read-only
>>> v.magic, v.data_version, v.dtype
>>> a = v.array                         # numpy.memmap of the committed elements, zero-copy
>>> v.refresh()                         # newest commit, new length
>>> g = mmapvec.open_group("ticks/")    # a column group: {name: array}, all of one commit
>>> g.arrays()["price"].mean()

Files are specified in docs/FORMAT.md of the mmapvec repository.
"""

from ._format import DataVersion, Field, FormatError, LockedError, MmapvecError, Reason, crc32c
from ._group import Group, open_group
from ._reader import Vector, open

__all__ = [
    "open",
    "Vector",
    "open_group",
    "Group",
    "Field",
    "DataVersion",
    "Reason",
    "MmapvecError",
    "FormatError",
    "LockedError",
    "crc32c",
]
__version__ = "0.1.0"
