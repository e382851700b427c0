package io.mmapvec.internal.format;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.mmapvec.DataVersion;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Test-side knowledge of the v1 header bytes, written from docs/FORMAT.md independently of {@link
 * HeaderFormat}: offsets, and checksum repair after a test changes a field on purpose.
 */
final class HeaderBytes {
  private HeaderBytes() {}

  static final int MAGIC = 0;
  static final int SIGNATURE = 8;
  static final int MARKER = 16;
  static final int FORMAT_VERSION = 18;
  static final int DATA_OFFSET = 20;
  static final int VERSION_MAJOR = 24;
  static final int VERSION_MINOR = 26;
  static final int VERSION_PATCH = 28;
  static final int TYPE_CODE = 30;
  static final int RESERVED_31 = 31;
  static final int ELEMENT_SIZE = 32;
  static final int ELEMENT_ALIGNMENT = 36;
  static final int FIELD_COUNT = 40;
  static final int PAGE_SIZE = 44;
  static final int CREATED = 48;
  static final int FLAGS = 56;
  static final int IDENTITY_CRC = 60;
  static final int FIELD_TABLE = 64;
  static final int FIELD_BYTES = 48;
  static final int SLOT0 = 4096;
  static final int SLOT1 = 8192;
  static final int SLOT_SEQUENCE = 0;
  static final int SLOT_LENGTH = 8;
  static final int SLOT_TIME = 16;
  static final int SLOT_CRC = 60;
  static final int READ_BYTES = 3 * 4096;
  static final long CREATED_MILLIS = 1_700_000_000_000L;

  static final ElementLayout TICK =
      new ElementLayout(
          ElementType.STRUCT,
          24,
          8,
          List.of(
              new FieldLayout("t", ElementType.LONG, 0),
              new FieldLayout("price", ElementType.DOUBLE, 8),
              new FieldLayout("qty", ElementType.INT, 16)));

  static Identity identity(ElementLayout layout) {
    return new Identity("TICKDATA", new DataVersion(1, 2, 0), layout);
  }

  /** A freshly created header: slot 0 = (1, 0), slot 1 empty. */
  static MemorySegment fresh(Identity identity) {
    MemorySegment s = MemorySegment.ofArray(new byte[READ_BYTES]);
    HeaderFormat.encodeNew(s, identity, 4096, CREATED_MILLIS);
    return s;
  }

  static long fieldCount(MemorySegment s) {
    return Integer.toUnsignedLong(s.get(JAVA_INT_UNALIGNED, FIELD_COUNT));
  }

  /** Recomputes the identity CRC, so a changed field reaches the checks after the checksum. */
  static void fixIdentityCrc(MemorySegment s) {
    long count = Math.min(fieldCount(s), (4096 - FIELD_TABLE) / FIELD_BYTES);
    CRC32C crc = new CRC32C();
    crc.update(s.asSlice(0, IDENTITY_CRC).toArray(JAVA_BYTE));
    crc.update(s.asSlice(FIELD_TABLE, FIELD_BYTES * count).toArray(JAVA_BYTE));
    s.set(JAVA_INT_UNALIGNED, IDENTITY_CRC, (int) crc.getValue());
  }

  /** Recomputes a slot's CRC (slot base 4096 or 8192). */
  static void fixSlotCrc(MemorySegment s, int slotBase) {
    CRC32C crc = new CRC32C();
    crc.update(s.asSlice(slotBase, SLOT_CRC).toArray(JAVA_BYTE));
    s.set(JAVA_INT_UNALIGNED, slotBase + SLOT_CRC, (int) crc.getValue());
  }

  /** Writes a slot byte by byte, without the encoder's argument checks, with a correct CRC. */
  static void rawSlot(MemorySegment s, int slotBase, long sequence, long length) {
    s.asSlice(slotBase, 64).fill((byte) 0);
    s.set(JAVA_LONG_UNALIGNED, slotBase + SLOT_SEQUENCE, sequence);
    s.set(JAVA_LONG_UNALIGNED, slotBase + SLOT_LENGTH, length);
    s.set(JAVA_LONG_UNALIGNED, slotBase + SLOT_TIME, CREATED_MILLIS);
    fixSlotCrc(s, slotBase);
  }

  static void putU8(MemorySegment s, long offset, int v) {
    s.set(JAVA_BYTE, offset, (byte) v);
  }

  static void putU16(MemorySegment s, long offset, int v) {
    s.set(JAVA_SHORT_UNALIGNED, offset, (short) v);
  }

  static void putU32(MemorySegment s, long offset, long v) {
    s.set(JAVA_INT_UNALIGNED, offset, (int) v);
  }

  static void flip(MemorySegment s, long offset, int mask) {
    s.set(JAVA_BYTE, offset, (byte) (s.get(JAVA_BYTE, offset) ^ mask));
  }

  static MemorySegment copy(MemorySegment s) {
    return MemorySegment.ofArray(s.toArray(JAVA_BYTE));
  }
}
