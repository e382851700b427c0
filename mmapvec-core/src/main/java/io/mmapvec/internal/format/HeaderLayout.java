package io.mmapvec.internal.format;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Where each header field lives (the byte map of docs/FORMAT.md) and how raw fields and checksums
 * are read: the single source of these offsets. All integers are in the native byte order of the
 * machine that wrote the file.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
final class HeaderLayout {
  private HeaderLayout() {}

  // Identity block, page 0.
  static final long OFF_MAGIC = 0;
  static final long OFF_SIGNATURE = 8;
  static final long OFF_MARKER = 16;
  static final long OFF_FORMAT_VERSION = 18;
  static final long OFF_DATA_OFFSET = 20;
  static final long OFF_VERSION_MAJOR = 24;
  static final long OFF_VERSION_MINOR = 26;
  static final long OFF_VERSION_PATCH = 28;
  static final long OFF_TYPE_CODE = 30;
  static final long OFF_ELEMENT_SIZE = 32;
  static final long OFF_ELEMENT_ALIGNMENT = 36;
  static final long OFF_FIELD_COUNT = 40;
  static final long OFF_PAGE_SIZE = 44;
  static final long OFF_CREATED = 48;
  static final long OFF_FLAGS = 56;
  static final long OFF_IDENTITY_CRC = 60;
  static final long OFF_FIELD_TABLE = 64;
  static final int PAGE_BYTES = 4096;

  // One field table entry.
  static final int FIELD_BYTES = 48;
  static final int FIELD_NAME_BYTES = 32;
  static final long FIELD_OFF_TYPE_CODE = 32;
  static final long FIELD_OFF_OFFSET = 36;

  // One commit slot.
  static final long SLOT_OFF_SEQUENCE = 0;
  static final long SLOT_OFF_SIZE = 8;
  static final long SLOT_OFF_COMMIT_TIME = 16;

  /** The rewrite counter (live readers, docs/FORMAT.md); reserved zero before it existed. */
  static final long SLOT_OFF_REWRITES = 24;

  static final long SLOT_OFF_CRC = 60;

  /** Magic and signature: the bytes needed to tell whose file this is. */
  static final long IDENTIFY_BYTES = 16;

  static final byte[] SIGNATURE = "mmapvec\0".getBytes(StandardCharsets.US_ASCII);
  static final short MARKER = 0x1234;
  static final short MARKER_SWAPPED = 0x3412;
  static final long MAX_U32 = 0xFFFF_FFFFL;

  /** {@return the offset of field table entry {@code index}} */
  static long fieldBase(int index) {
    return OFF_FIELD_TABLE + (long) FIELD_BYTES * index;
  }

  /** CRC32C over bytes [0, 60) and the field table of {@code fieldCount} entries. */
  static int identityCrc(MemorySegment page, int fieldCount) {
    CRC32C crc = new CRC32C();
    crc.update(bytes(page, 0, OFF_IDENTITY_CRC));
    crc.update(bytes(page, OFF_FIELD_TABLE, (long) FIELD_BYTES * fieldCount));
    return (int) crc.getValue();
  }

  static int crc32c(MemorySegment s, long offset, long length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes(s, offset, length));
    return (int) crc.getValue();
  }

  static byte[] bytes(MemorySegment s, long offset, long length) {
    return s.asSlice(offset, length).toArray(JAVA_BYTE);
  }

  static int u8(MemorySegment s, long offset) {
    return Byte.toUnsignedInt(s.get(JAVA_BYTE, offset));
  }

  static int u16(MemorySegment s, long offset) {
    return Short.toUnsignedInt(s.get(JAVA_SHORT_UNALIGNED, offset));
  }

  static long u32(MemorySegment s, long offset) {
    return Integer.toUnsignedLong(s.get(JAVA_INT_UNALIGNED, offset));
  }
}
