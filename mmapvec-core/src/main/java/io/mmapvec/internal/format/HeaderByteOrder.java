package io.mmapvec.internal.format;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.mmapvec.VecFormatException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Headers of either byte order (docs/FORMAT.md, "Conventions"): reads a header written on a machine
 * of the other order, and writes one for such a machine. {@link HeaderFormat} reads and writes this
 * machine's order only; this class turns a header of one order into the same header in the other,
 * field by field, so that {@link HeaderFormat} stays the one decoder.
 *
 * <p>The table of multi-byte fields below must list every integer of the identity block, a field
 * table entry and a commit slot; {@code HeaderByteOrderTest} checks it against a header written
 * byte by byte from docs/FORMAT.md.
 *
 * <p><b>Checksums:</b> a swapped header carries checksums that are valid in the new order exactly
 * where the original's were valid in its own order, so damage is reported as damage whichever order
 * the file was written in.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
public final class HeaderByteOrder {
  private HeaderByteOrder() {}

  /** A header decoded from a file of either byte order. */
  public record Decoded(Header header, ByteOrder byteOrder) {}

  // {offset, width} of every multi-byte integer; bytes not listed are strings, u8 or reserved zero.
  private static final int[][] IDENTITY_FIELDS = {
    {16, 2}, {18, 2}, {20, 4}, {24, 2}, {26, 2}, {28, 2}, {32, 4}, {36, 4}, {40, 4}, {44, 4},
    {48, 8}, {56, 4}
  };
  private static final int[][] FIELD_ENTRY_FIELDS = {{36, 4}};
  private static final int[][] SLOT_FIELDS = {{0, 8}, {8, 8}, {16, 8}};
  private static final int OFF_MARKER = 16;
  private static final int OFF_FIELD_COUNT = 40;
  private static final int OFF_IDENTITY_CRC = 60;
  private static final int OFF_FIELD_TABLE = 64;
  private static final int FIELD_BYTES = 48;
  private static final int SLOT_OFF_CRC = 60;
  private static final short MARKER_SWAPPED = 0x3412;

  /**
   * {@return the other byte order than {@code order}}
   *
   * @param order a byte order
   */
  public static ByteOrder other(ByteOrder order) {
    return order == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
  }

  /**
   * Decodes and validates a header as {@link HeaderFormat#decodeAny} does, but accepts a header of
   * either byte order: one whose marker reads {@code 0x3412} is swapped to this machine's order
   * first.
   *
   * @param src the file's first bytes (up to {@link HeaderFormat#HEADER_READ_BYTES})
   * @param fileSize the file's size in bytes
   * @param file the file, for messages
   * @return the header, with its values in this machine's order, and the file's byte order
   * @throws VecFormatException naming the first check that failed
   */
  public static Decoded decodeEitherOrder(MemorySegment src, long fileSize, Path file)
      throws VecFormatException {
    Objects.requireNonNull(src, "src");
    ByteOrder order = ByteOrder.nativeOrder();
    MemorySegment nativeBytes = src;
    if (src.byteSize() >= HeaderFormat.HEADER_READ_BYTES
        && src.get(JAVA_SHORT_UNALIGNED, OFF_MARKER) == MARKER_SWAPPED) {
      order = other(order);
      nativeBytes = swapped(src, false);
    }
    return new Decoded(HeaderFormat.decodeAny(nativeBytes, fileSize, file), order);
  }

  /**
   * Rewrites a header encoded by {@link HeaderFormat} (in this machine's order) into {@code order},
   * in place, checksums included. Does nothing when {@code order} is this machine's.
   *
   * @param header the first {@link HeaderFormat#HEADER_READ_BYTES} bytes of a file, native order
   * @param order the byte order the header is to be in
   */
  public static void toOrder(MemorySegment header, ByteOrder order) {
    Objects.requireNonNull(order, "order");
    if (order != ByteOrder.nativeOrder()) {
      MemorySegment.copy(swapped(header, true), 0, header, 0, HeaderFormat.HEADER_READ_BYTES);
    }
  }

  /**
   * {@return a copy of the header with every integer in the other byte order, and each checksum
   * recomputed for the new bytes where it matched the old ones}
   *
   * @param src the header, at least {@link HeaderFormat#HEADER_READ_BYTES} bytes
   * @param srcIsNative whether {@code src} is in this machine's order (else the other)
   */
  static MemorySegment swapped(MemorySegment src, boolean srcIsNative) {
    if (src.byteSize() < HeaderFormat.HEADER_READ_BYTES) {
      throw new IllegalArgumentException(
          "header is " + src.byteSize() + " bytes, expected " + HeaderFormat.HEADER_READ_BYTES);
    }
    MemorySegment dst =
        MemorySegment.ofArray(src.asSlice(0, HeaderFormat.HEADER_READ_BYTES).toArray(JAVA_BYTE));
    swapFields(dst, 0, IDENTITY_FIELDS);
    long count = Integer.toUnsignedLong(readInt(src, OFF_FIELD_COUNT, srcIsNative));
    // A count beyond the page is refused by the decoder; swap only the entries that can exist.
    int entries = (int) Math.min(count, HeaderFormat.MAX_FIELDS);
    for (int i = 0; i < entries; i++) {
      swapFields(dst, OFF_FIELD_TABLE + (long) FIELD_BYTES * i, FIELD_ENTRY_FIELDS);
    }
    int stored = readInt(src, OFF_IDENTITY_CRC, srcIsNative);
    int before = identityCrc(src, entries);
    writeCrc(dst, OFF_IDENTITY_CRC, stored, before, identityCrc(dst, entries), !srcIsNative);
    for (int slot = 0; slot < 2; slot++) {
      long base = HeaderFormat.slotOffset(slot);
      MemorySegment s = src.asSlice(base, HeaderFormat.SLOT_BYTES);
      if (s.mismatch(MemorySegment.ofArray(new byte[(int) HeaderFormat.SLOT_BYTES])) == -1) {
        continue; // empty stays empty
      }
      swapFields(dst, base, SLOT_FIELDS);
      int slotStored = readInt(src, base + SLOT_OFF_CRC, srcIsNative);
      writeCrc(
          dst,
          base + SLOT_OFF_CRC,
          slotStored,
          crc(s, 0, SLOT_OFF_CRC),
          crc(dst, base, SLOT_OFF_CRC),
          !srcIsNative);
    }
    return dst;
  }

  /**
   * Writes the checksum of the swapped bytes where the original matched; otherwise the stored value
   * (in the new order), made certain not to match, so damage stays damage.
   */
  private static void writeCrc(
      MemorySegment dst,
      long at,
      int stored,
      int computedBefore,
      int computedAfter,
      boolean dstIsNative) {
    int value;
    if (stored == computedBefore) {
      value = computedAfter;
    } else {
      value = stored == computedAfter ? ~stored : stored;
    }
    dst.set(JAVA_INT_UNALIGNED, at, dstIsNative ? value : Integer.reverseBytes(value));
  }

  private static void swapFields(MemorySegment s, long base, int[][] fields) {
    for (int[] f : fields) {
      long at = base + f[0];
      int width = f[1];
      for (int i = 0; i < width / 2; i++) {
        byte a = s.get(JAVA_BYTE, at + i);
        s.set(JAVA_BYTE, at + i, s.get(JAVA_BYTE, at + width - 1 - i));
        s.set(JAVA_BYTE, at + width - 1 - i, a);
      }
    }
  }

  private static int readInt(MemorySegment s, long at, boolean isNative) {
    int v = s.get(JAVA_INT_UNALIGNED, at);
    return isNative ? v : Integer.reverseBytes(v);
  }

  private static int identityCrc(MemorySegment page, int fieldCount) {
    CRC32C crc = new CRC32C();
    crc.update(page.asSlice(0, OFF_IDENTITY_CRC).toArray(JAVA_BYTE));
    crc.update(page.asSlice(OFF_FIELD_TABLE, (long) FIELD_BYTES * fieldCount).toArray(JAVA_BYTE));
    return (int) crc.getValue();
  }

  private static int crc(MemorySegment s, long offset, long length) {
    CRC32C crc = new CRC32C();
    crc.update(s.asSlice(offset, length).toArray(JAVA_BYTE));
    return (int) crc.getValue();
  }
}
