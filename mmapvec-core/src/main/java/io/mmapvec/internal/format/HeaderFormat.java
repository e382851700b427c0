package io.mmapvec.internal.format;

import io.mmapvec.VecFormatException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The header format's entry points and limits (format v1, docs/FORMAT.md): the package {@code
 * internal.format} is the only code that knows the header's bytes. Its parts: {@link HeaderLayout}
 * (where each field lives), {@link HeaderEncoder}, {@link SlotCodec}, {@link HeaderDecoder} (one
 * method per check, with {@link LayoutReader} and {@link FieldTable} for the element layout),
 * {@link LayoutRules} (which layouts the format can describe), {@link Magic} and {@link
 * FormatText}. All integers are in the native byte order of the machine that wrote the file; the
 * byte-order marker tells.
 *
 * <p>The header is an identity block with the element field table in the first 4 KiB page (written
 * once, at create) and two commit slots, at 4096 and 8192, each in its own page and 512-byte
 * sector. A sync writes the inactive slot with the next sequence number after the data it covers is
 * durable; on open the valid slot with the higher sequence wins (durability rules 3 and 4).
 *
 * <p><b>Threads:</b> stateless; every method may be called from any thread, as long as no other
 * thread writes the segments passed in at the same time.
 *
 * <p><b>Memory:</b> the methods read or write only the segments passed in, and keep no reference to
 * them.
 */
public final class HeaderFormat {
  private HeaderFormat() {}

  /** The format version this library writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** Where the elements start: fixed and generous, so files move between page sizes. */
  public static final long DATA_OFFSET = 65536;

  /** Bytes to read (or map) to decode a header: the identity page and both slots. */
  public static final long HEADER_READ_BYTES = 3 * 4096;

  /**
   * The largest file a vector may be: 2^46 bytes (64 TiB), half of the 47-bit user address space of
   * x86-64 and arm64 Linux, so that the whole file can be mapped with room to grow. Larger files
   * are refused at open ({@code LIMIT_EXCEEDED}); growth stops below it.
   */
  public static final long MAX_FILE_BYTES = 1L << 46;

  /**
   * The limit of commit sequences: 2^62. A file whose active sequence is at or above it is refused
   * at open ({@code LIMIT_EXCEEDED}), and a sync that would write it fails; at a billion syncs a
   * second a real file needs 146 years to get there, so only a crafted or damaged file does.
   */
  public static final long MAX_SEQUENCE = 1L << 62;

  /** Byte size of one commit slot (what to msync after writing one). */
  public static final long SLOT_BYTES = 64;

  /** The most fields a STRUCT element may have: as many table entries as fit in the first page. */
  public static final int MAX_FIELDS = (4096 - 64) / 48;

  /** The longest field name, in bytes of UTF-8 (the 32-byte name cell keeps a terminating NUL). */
  public static final int MAX_FIELD_NAME_BYTES = 31;

  /**
   * {@return the byte offset of commit slot 0 or 1 from the start of the file}
   *
   * @param slot 0 or 1
   * @throws IllegalArgumentException if {@code slot} is neither 0 nor 1
   */
  public static long slotOffset(int slot) {
    return switch (slot) {
      case 0 -> 4096;
      case 1 -> 8192;
      default -> throw new IllegalArgumentException("commit slot is " + slot + ", expected 0 or 1");
    };
  }

  /**
   * Checks that an identity can be written: the magic is eight printable ASCII characters and the
   * layout is one the format can describe (see docs/FORMAT.md).
   *
   * @param identity the identity to check
   * @throws IllegalArgumentException naming the first problem found
   * @throws NullPointerException if {@code identity} or one of its parts is null
   */
  public static void checkIdentity(Identity identity) {
    HeaderEncoder.checkIdentity(identity);
  }

  /**
   * Writes the header of a new file into {@code dst} (at least {@link #HEADER_READ_BYTES} long,
   * zero-filled by the caller): the identity block, slot 0 with sequence 1 and size 0, slot 1
   * empty.
   *
   * @param dst the first bytes of the new file
   * @param identity what the file holds
   * @param pageSize the page size of this machine, recorded for information
   * @param nowMillis the creation time, epoch milliseconds, recorded for information
   * @throws IllegalArgumentException if the identity fails {@link #checkIdentity}, the page size is
   *     not positive or {@code dst} is shorter than {@link #HEADER_READ_BYTES}
   */
  public static void encodeNew(MemorySegment dst, Identity identity, int pageSize, long nowMillis) {
    HeaderEncoder.encodeNew(dst, identity, pageSize, nowMillis);
  }

  /**
   * Writes commit slot {@code slot} (0 or 1) into {@code header} (the file's bytes from offset 0):
   * its sequence, size and commit time, zeroed reserved bytes and its checksum. Writes nothing
   * else; making the slot durable is the caller's job.
   *
   * @param header the file's bytes from offset 0, at least up to the end of the slot
   * @param slot 0 or 1
   * @param value what to write
   * @throws IllegalArgumentException if {@code slot} is neither 0 nor 1, the sequence is below 1 or
   *     the size is negative
   */
  public static void encodeSlot(MemorySegment header, int slot, CommitSlot value) {
    SlotCodec.encode(header, slot, value);
  }

  /**
   * Decodes and validates a header against what the application asks for, in the order of
   * durability rule 10 (docs/FORMAT.md lists the checks and the reason each one gives).
   *
   * <p>Never throws anything but {@link VecFormatException} because of the bytes in {@code src}:
   * every field is checked before it is used.
   *
   * @param src the file's first bytes (up to {@link #HEADER_READ_BYTES}; fewer if the file is
   *     shorter)
   * @param fileSize the file's size in bytes
   * @param expected the identity the application asks for
   * @param file the file, for messages
   * @return the validated header
   * @throws VecFormatException naming the first check that failed
   * @throws IllegalArgumentException if {@code expected} fails {@link #checkIdentity} or {@code
   *     fileSize} is negative
   */
  public static Header decode(MemorySegment src, long fileSize, Identity expected, Path file)
      throws VecFormatException {
    checkIdentity(expected);
    return HeaderDecoder.decode(src, fileSize, expected, file);
  }

  /**
   * Like {@link #decode} but accepts any magic, data version and element layout (for inspection).
   * The layout must still be one the format can describe, and the magic eight printable ASCII
   * characters.
   *
   * @param src the file's first bytes (up to {@link #HEADER_READ_BYTES}; fewer if the file is
   *     shorter)
   * @param fileSize the file's size in bytes
   * @param file the file, for messages
   * @return the validated header, with the identity found in the file
   * @throws VecFormatException naming the first check that failed
   * @throws IllegalArgumentException if {@code fileSize} is negative
   */
  public static Header decodeAny(MemorySegment src, long fileSize, Path file)
      throws VecFormatException {
    return HeaderDecoder.decode(src, fileSize, null, file);
  }
}
