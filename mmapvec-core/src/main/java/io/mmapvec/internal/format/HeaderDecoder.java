package io.mmapvec.internal.format;

import static io.mmapvec.internal.format.FormatText.hex16;
import static io.mmapvec.internal.format.FormatText.hex32;
import static io.mmapvec.internal.format.FormatText.quote;
import static io.mmapvec.internal.format.HeaderFormat.DATA_OFFSET;
import static io.mmapvec.internal.format.HeaderLayout.MARKER;
import static io.mmapvec.internal.format.HeaderLayout.MARKER_SWAPPED;
import static io.mmapvec.internal.format.HeaderLayout.SIGNATURE;
import static io.mmapvec.internal.format.HeaderLayout.u16;
import static io.mmapvec.internal.format.HeaderLayout.u32;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.mmapvec.DataVersion;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Decodes and validates one header: the checks of rule 10, in the order docs/FORMAT.md lists them
 * (a to l), one method per check; those comparing with the expected identity run only when one is
 * given. Every field is checked before it is used, so the bytes can only cause a {@link
 * VecFormatException}.
 *
 * <p><b>Threads:</b> one decoder per header, confined to the calling thread.
 */
final class HeaderDecoder {
  private final MemorySegment src;
  private final long fileSize;
  private final Identity expected;
  private final Path file;

  private HeaderDecoder(MemorySegment src, long fileSize, Identity expected, Path file) {
    this.src = Objects.requireNonNull(src, "src");
    if (fileSize < 0) {
      throw new IllegalArgumentException("file size is " + fileSize + ", expected >= 0");
    }
    this.fileSize = fileSize;
    this.expected = expected;
    this.file = file;
  }

  /**
   * See {@link HeaderFormat#decode} ({@code expected} given) and {@link HeaderFormat#decodeAny}.
   */
  static Header decode(MemorySegment src, long fileSize, Identity expected, Path file)
      throws VecFormatException {
    return new HeaderDecoder(src, fileSize, expected, file).run();
  }

  private Header run() throws VecFormatException {
    checkIdentifiable();
    checkSignature();
    byte[] magic = checkMagic();
    checkComplete();
    checkFileSizeLimit();
    checkByteOrder();
    int formatVersion = checkFormatVersion();
    checkDataOffset();
    DataVersion dataVersion = checkDataVersion();
    ElementLayout layout = new LayoutReader(src, expected, file).read();
    checkIdentityChecksum(layout.fields().size());
    checkMagicPrintable(magic);
    int activeSlot = checkSlots();
    CommitSlot active = slot(activeSlot);
    checkSequenceLimit(active, activeSlot);
    checkDataFits(active, activeSlot, layout.elementSize());
    Identity identity =
        new Identity(new String(magic, StandardCharsets.US_ASCII), dataVersion, layout);
    return new Header(
        identity,
        formatVersion,
        src.get(JAVA_INT_UNALIGNED, HeaderLayout.OFF_PAGE_SIZE),
        src.get(JAVA_LONG_UNALIGNED, HeaderLayout.OFF_CREATED),
        activeSlot,
        active,
        slot(1 - activeSlot));
  }

  /** a. Enough bytes to tell what the file is. */
  private void checkIdentifiable() throws VecFormatException {
    if (Math.min(src.byteSize(), fileSize) < HeaderLayout.IDENTIFY_BYTES) {
      throw new VecFormatException(Reason.TRUNCATED, shortMessage(), file);
    }
  }

  /** b. The library signature. */
  private void checkSignature() throws VecFormatException {
    byte[] signature = HeaderLayout.bytes(src, HeaderLayout.OFF_SIGNATURE, SIGNATURE.length);
    if (!Arrays.equals(signature, SIGNATURE)) {
      throw new VecFormatException(
          Reason.NOT_A_MMAPVEC_FILE,
          "library signature is "
              + quote(signature)
              + ", expected "
              + quote(SIGNATURE)
              + ": not a mmapvec file",
          file);
    }
  }

  /** c. The application's magic, when one is expected. {@return the magic's bytes} */
  private byte[] checkMagic() throws VecFormatException {
    byte[] magic = HeaderLayout.bytes(src, HeaderLayout.OFF_MAGIC, Magic.BYTES);
    if (expected != null) {
      byte[] wanted = Magic.bytes(expected.magic());
      if (!Arrays.equals(magic, wanted)) {
        throw new VecFormatException(
            Reason.MAGIC_MISMATCH,
            "magic is " + quote(magic) + ", expected " + quote(wanted),
            file);
      }
    }
    return magic;
  }

  /** d. The whole header is there (the data offset is fixed, so the file is at least that long). */
  private void checkComplete() throws VecFormatException {
    if (fileSize < DATA_OFFSET || src.byteSize() < HeaderFormat.HEADER_READ_BYTES) {
      throw new VecFormatException(Reason.TRUNCATED, shortMessage(), file);
    }
  }

  /** d2. Not larger than this library can map (nor than the address space). */
  private void checkFileSizeLimit() throws VecFormatException {
    if (fileSize > HeaderFormat.MAX_FILE_BYTES) {
      throw new VecFormatException(
          Reason.LIMIT_EXCEEDED,
          "file is "
              + fileSize
              + " bytes, more than the "
              + HeaderFormat.MAX_FILE_BYTES
              + " bytes (2^46) a vector may have",
          file);
    }
  }

  /** e. The byte order: swapped (another machine) or garbage (damage). */
  private void checkByteOrder() throws VecFormatException {
    short marker = src.get(JAVA_SHORT_UNALIGNED, HeaderLayout.OFF_MARKER);
    if (marker == MARKER_SWAPPED) {
      String other = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "big" : "little";
      throw new VecFormatException(
          Reason.BYTE_ORDER_MISMATCH,
          "byte-order marker is "
              + hex16(marker)
              + ", expected "
              + hex16(MARKER)
              + ": file was written on a "
              + other
              + "-endian machine",
          file);
    }
    if (marker != MARKER) {
      throw new VecFormatException(
          Reason.BAD_BYTE_ORDER_MARKER,
          "byte-order marker is "
              + hex16(marker)
              + ", expected "
              + hex16(MARKER)
              + " (or "
              + hex16(MARKER_SWAPPED)
              + " from a machine of the other byte order): the header is damaged",
          file);
    }
  }

  /** f. The format version. {@return it} */
  private int checkFormatVersion() throws VecFormatException {
    int formatVersion = u16(src, HeaderLayout.OFF_FORMAT_VERSION);
    if (formatVersion != HeaderFormat.FORMAT_VERSION) {
      throw new VecFormatException(
          Reason.UNSUPPORTED_FORMAT_VERSION,
          "format version " + formatVersion + ", this library reads " + HeaderFormat.FORMAT_VERSION,
          file);
    }
    return formatVersion;
  }

  /** g. The data offset. */
  private void checkDataOffset() throws VecFormatException {
    long dataOffset = u32(src, HeaderLayout.OFF_DATA_OFFSET);
    if (dataOffset != DATA_OFFSET) {
      throw new VecFormatException(
          Reason.BAD_DATA_OFFSET,
          "data offset is " + dataOffset + ", expected " + DATA_OFFSET,
          file);
    }
  }

  /** h. The application's data version, when one is expected. {@return the file's} */
  private DataVersion checkDataVersion() throws VecFormatException {
    DataVersion dataVersion =
        new DataVersion(
            u16(src, HeaderLayout.OFF_VERSION_MAJOR),
            u16(src, HeaderLayout.OFF_VERSION_MINOR),
            u16(src, HeaderLayout.OFF_VERSION_PATCH));
    if (expected != null && !dataVersion.equals(expected.dataVersion())) {
      throw new VecFormatException(
          Reason.DATA_VERSION_MISMATCH,
          "file has data version "
              + dataVersion
              + ", application expects "
              + expected.dataVersion(),
          file);
    }
    return dataVersion;
  }

  // i. The element layout: LayoutReader.

  /** j. The identity checksum (covers all of the above and the field table). */
  private void checkIdentityChecksum(int fieldCount) throws VecFormatException {
    int storedCrc = src.get(JAVA_INT_UNALIGNED, HeaderLayout.OFF_IDENTITY_CRC);
    int computedCrc = HeaderLayout.identityCrc(src, fieldCount);
    if (storedCrc != computedCrc) {
      throw new VecFormatException(
          Reason.CHECKSUM_MISMATCH,
          "identity block checksum is "
              + hex32(storedCrc)
              + ", computed "
              + hex32(computedCrc)
              + ": the header is damaged",
          file);
    }
  }

  /**
   * j2. The magic is printable: checked by comparison (c) when a magic is expected; otherwise only
   * now, after the checksum, so damage reads as such.
   */
  private void checkMagicPrintable(byte[] magic) throws VecFormatException {
    if (!Magic.isValid(magic)) {
      throw new VecFormatException(
          Reason.MAGIC_MISMATCH,
          "magic is " + quote(magic) + ", expected 8 printable ASCII characters",
          file);
    }
  }

  private SlotCodec.SlotRead slot0;
  private SlotCodec.SlotRead slot1;

  /** k. The commit slots: at least one valid. {@return the active slot's index} */
  private int checkSlots() throws VecFormatException {
    slot0 = SlotCodec.read(src, 0);
    slot1 = SlotCodec.read(src, 1);
    if (slot0.valid() == null && slot1.valid() == null) {
      throw new VecFormatException(
          Reason.CHECKSUM_MISMATCH,
          "both commit slots are damaged: slot 0 "
              + slot0.problem()
              + ", slot 1 "
              + slot1.problem()
              + "; no committed size can be trusted",
          file);
    }
    // Equal sequences never come from a sync (each writes the other slot with sequence + 1) but
    // both slots then vouch for durable data: take slot 0 rather than refuse the file.
    if (slot1.valid() == null) {
      return 0;
    }
    if (slot0.valid() == null) {
      return 1;
    }
    return slot1.valid().sequence() > slot0.valid().sequence() ? 1 : 0;
  }

  /** {@return slot {@code index} as read by {@link #checkSlots}, or null if it is not valid} */
  private CommitSlot slot(int index) {
    return index == 0 ? slot0.valid() : slot1.valid();
  }

  /** k2. The active sequence is below the limit, so that a sync can still commit. */
  private void checkSequenceLimit(CommitSlot active, int activeSlot) throws VecFormatException {
    if (active.sequence() >= HeaderFormat.MAX_SEQUENCE) {
      throw new VecFormatException(
          Reason.LIMIT_EXCEEDED,
          "commit sequence is "
              + active.sequence()
              + " (slot "
              + activeSlot
              + "), at or above the limit 2^62: no further sync could be committed",
          file);
    }
  }

  /**
   * l. The committed data fits in the file. No fallback to the older slot: a valid newest slot
   * describes data that was durable, so a file too short for it was cut after the commit.
   */
  private void checkDataFits(CommitSlot active, int activeSlot, long elementSize)
      throws VecFormatException {
    long size = active.size();
    if (size < 0 || size > (Long.MAX_VALUE - DATA_OFFSET) / elementSize) {
      throw new VecFormatException(
          Reason.TRUNCATED,
          "committed size "
              + Long.toUnsignedString(size)
              + " elements of "
              + elementSize
              + " bytes (slot "
              + activeSlot
              + ") needs more than "
              + Long.MAX_VALUE
              + " bytes, file has "
              + fileSize
              + " bytes",
          file);
    }
    long needed = DATA_OFFSET + size * elementSize;
    if (needed > fileSize) {
      throw new VecFormatException(
          Reason.TRUNCATED,
          "committed size "
              + size
              + " elements needs "
              + needed
              + " bytes, file has "
              + fileSize
              + " bytes (slot "
              + activeSlot
              + ", sequence "
              + active.sequence()
              + ")",
          file);
    }
  }

  private String shortMessage() {
    if (fileSize < DATA_OFFSET) {
      return "file is " + fileSize + " bytes, shorter than the " + DATA_OFFSET + "-byte header";
    }
    return "only "
        + src.byteSize()
        + " bytes of the header were read, expected "
        + HeaderFormat.HEADER_READ_BYTES;
  }
}
