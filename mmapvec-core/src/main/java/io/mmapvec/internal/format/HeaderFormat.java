package io.mmapvec.internal.format;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.mmapvec.DataVersion;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The only place that knows the bytes of the header (format v1, docs/FORMAT.md). All integers are
 * in the native byte order of the machine that wrote the file; the byte-order marker tells.
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

  /** Byte size of one commit slot (what to msync after writing one). */
  public static final long SLOT_BYTES = 64;

  /** The most fields a STRUCT element may have: as many table entries as fit in the first page. */
  public static final int MAX_FIELDS = (4096 - 64) / 48;

  /** The longest field name, in bytes of UTF-8 (the 32-byte name cell keeps a terminating NUL). */
  public static final int MAX_FIELD_NAME_BYTES = 31;

  // Identity block, page 0. Everything below is the single source of these offsets.
  private static final long OFF_MAGIC = 0;
  private static final long OFF_SIGNATURE = 8;
  private static final long OFF_MARKER = 16;
  private static final long OFF_FORMAT_VERSION = 18;
  private static final long OFF_DATA_OFFSET = 20;
  private static final long OFF_VERSION_MAJOR = 24;
  private static final long OFF_VERSION_MINOR = 26;
  private static final long OFF_VERSION_PATCH = 28;
  private static final long OFF_TYPE_CODE = 30;
  private static final long OFF_ELEMENT_SIZE = 32;
  private static final long OFF_ELEMENT_ALIGNMENT = 36;
  private static final long OFF_FIELD_COUNT = 40;
  private static final long OFF_PAGE_SIZE = 44;
  private static final long OFF_CREATED = 48;
  private static final long OFF_IDENTITY_CRC = 60;
  private static final long OFF_FIELD_TABLE = 64;
  private static final int PAGE_BYTES = 4096;

  // One field table entry.
  private static final int FIELD_BYTES = 48;
  private static final int FIELD_NAME_BYTES = 32;
  private static final long FIELD_OFF_TYPE_CODE = 32;
  private static final long FIELD_OFF_OFFSET = 36;

  // One commit slot.
  private static final long SLOT_OFF_SEQUENCE = 0;
  private static final long SLOT_OFF_LENGTH = 8;
  private static final long SLOT_OFF_COMMIT_TIME = 16;
  private static final long SLOT_OFF_REWRITES = 24;
  private static final long SLOT_OFF_CRC = 60;

  private static final int MAGIC_BYTES = 8;

  /** Magic and signature: the bytes needed to tell whose file this is. */
  private static final long IDENTIFY_BYTES = 16;

  private static final byte[] SIGNATURE = "mmapvec\0".getBytes(StandardCharsets.US_ASCII);
  private static final short MARKER = 0x1234;
  private static final short MARKER_SWAPPED = 0x3412;
  private static final long MAX_U32 = 0xFFFF_FFFFL;

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
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(identity.dataVersion(), "identity.dataVersion");
    Objects.requireNonNull(identity.layout(), "identity.layout");
    String magic = Objects.requireNonNull(identity.magic(), "identity.magic");
    if (magic.length() != MAGIC_BYTES || !magic.chars().allMatch(HeaderFormat::isPrintableAscii)) {
      throw new IllegalArgumentException(
          "magic is " + quote(magic) + ", expected 8 printable ASCII characters");
    }
    String problem = layoutProblem(identity.layout());
    if (problem != null) {
      throw new IllegalArgumentException("invalid element layout: " + problem);
    }
  }

  /**
   * Writes the header of a new file into {@code dst} (at least {@link #HEADER_READ_BYTES} long,
   * zero-filled by the caller): the identity block, slot 0 with sequence 1 and length 0, slot 1
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
    Objects.requireNonNull(dst, "dst");
    checkIdentity(identity);
    if (pageSize <= 0) {
      throw new IllegalArgumentException("page size is " + pageSize + ", expected > 0");
    }
    if (dst.byteSize() < HEADER_READ_BYTES) {
      throw new IllegalArgumentException(
          "header buffer is " + dst.byteSize() + " bytes, expected >= " + HEADER_READ_BYTES);
    }
    ElementLayout layout = identity.layout();
    // Build the page off to the side: its checksum then covers exactly the bytes written here, even
    // if the caller did not zero the reserved bytes.
    MemorySegment page = MemorySegment.ofArray(new byte[PAGE_BYTES]);
    MemorySegment.copy(
        identity.magic().getBytes(StandardCharsets.US_ASCII), 0, page, JAVA_BYTE, OFF_MAGIC, 8);
    MemorySegment.copy(SIGNATURE, 0, page, JAVA_BYTE, OFF_SIGNATURE, SIGNATURE.length);
    page.set(JAVA_SHORT_UNALIGNED, OFF_MARKER, MARKER);
    page.set(JAVA_SHORT_UNALIGNED, OFF_FORMAT_VERSION, (short) FORMAT_VERSION);
    page.set(JAVA_INT_UNALIGNED, OFF_DATA_OFFSET, (int) DATA_OFFSET);
    DataVersion v = identity.dataVersion();
    page.set(JAVA_SHORT_UNALIGNED, OFF_VERSION_MAJOR, (short) v.major());
    page.set(JAVA_SHORT_UNALIGNED, OFF_VERSION_MINOR, (short) v.minor());
    page.set(JAVA_SHORT_UNALIGNED, OFF_VERSION_PATCH, (short) v.patch());
    page.set(JAVA_BYTE, OFF_TYPE_CODE, (byte) layout.type().code());
    page.set(JAVA_INT_UNALIGNED, OFF_ELEMENT_SIZE, (int) layout.byteSize());
    page.set(JAVA_INT_UNALIGNED, OFF_ELEMENT_ALIGNMENT, (int) layout.byteAlignment());
    page.set(JAVA_INT_UNALIGNED, OFF_FIELD_COUNT, layout.fields().size());
    page.set(JAVA_INT_UNALIGNED, OFF_PAGE_SIZE, pageSize);
    page.set(JAVA_LONG_UNALIGNED, OFF_CREATED, nowMillis);
    for (int i = 0; i < layout.fields().size(); i++) {
      FieldLayout f = layout.fields().get(i);
      long base = fieldBase(i);
      byte[] name = f.name().getBytes(StandardCharsets.UTF_8);
      MemorySegment.copy(name, 0, page, JAVA_BYTE, base, name.length);
      page.set(JAVA_BYTE, base + FIELD_OFF_TYPE_CODE, (byte) f.type().code());
      page.set(JAVA_INT_UNALIGNED, base + FIELD_OFF_OFFSET, (int) f.offset());
    }
    page.set(JAVA_INT_UNALIGNED, OFF_IDENTITY_CRC, identityCrc(page, layout.fields().size()));
    MemorySegment.copy(page, 0, dst, 0, PAGE_BYTES);
    encodeSlot(dst, 0, new CommitSlot(1, 0, nowMillis));
    dst.asSlice(slotOffset(1), SLOT_BYTES).fill((byte) 0);
  }

  /**
   * Writes commit slot {@code slot} (0 or 1) into {@code header} (the file's bytes from offset 0):
   * its sequence, length, commit time and rewrite counter, zeroed reserved bytes and its checksum. Writes nothing
   * else; making the slot durable is the caller's job.
   *
   * @param header the file's bytes from offset 0, at least up to the end of the slot
   * @param slot 0 or 1
   * @param value what to write
   * @throws IllegalArgumentException if {@code slot} is neither 0 nor 1, the sequence is below 1 or
   *     the length is negative
   */
  public static void encodeSlot(MemorySegment header, int slot, CommitSlot value) {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(value, "value");
    long offset = slotOffset(slot);
    if (value.sequence() < 1) {
      throw new IllegalArgumentException(
          "commit sequence is " + value.sequence() + ", expected >= 1");
    }
    if (value.length() < 0) {
      throw new IllegalArgumentException(
          "committed length is " + value.length() + ", expected >= 0");
    }
    MemorySegment s = MemorySegment.ofArray(new byte[(int) SLOT_BYTES]);
    s.set(JAVA_LONG_UNALIGNED, SLOT_OFF_SEQUENCE, value.sequence());
    s.set(JAVA_LONG_UNALIGNED, SLOT_OFF_LENGTH, value.length());
    s.set(JAVA_LONG_UNALIGNED, SLOT_OFF_COMMIT_TIME, value.commitTimeMillis());
    s.set(JAVA_LONG_UNALIGNED, SLOT_OFF_REWRITES, value.rewrites());
    s.set(JAVA_INT_UNALIGNED, SLOT_OFF_CRC, crc32c(s, 0, SLOT_OFF_CRC));
    MemorySegment.copy(s, 0, header, offset, SLOT_BYTES);
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
    return validate(src, fileSize, expected, file);
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
    return validate(src, fileSize, null, file);
  }

  /**
   * The checks of rule 10, in order; those comparing with {@code expected} only when it is given.
   */
  private static Header validate(MemorySegment src, long fileSize, Identity expected, Path file)
      throws VecFormatException {
    Objects.requireNonNull(src, "src");
    if (fileSize < 0) {
      throw new IllegalArgumentException("file size is " + fileSize + ", expected >= 0");
    }
    long available = Math.min(src.byteSize(), fileSize);

    // a. Enough bytes to tell what the file is.
    if (available < IDENTIFY_BYTES) {
      throw new VecFormatException(Reason.TRUNCATED, shortMessage(src, fileSize), file);
    }

    // b. The library signature.
    byte[] signature = bytes(src, OFF_SIGNATURE, SIGNATURE.length);
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

    // c. The application's magic.
    byte[] magic = bytes(src, OFF_MAGIC, MAGIC_BYTES);
    if (expected != null) {
      byte[] wanted = expected.magic().getBytes(StandardCharsets.US_ASCII);
      if (!Arrays.equals(magic, wanted)) {
        throw new VecFormatException(
            Reason.MAGIC_MISMATCH,
            "magic is " + quote(magic) + ", expected " + quote(wanted),
            file);
      }
    }

    // d. The whole header is there (the data offset is fixed, so the file is at least that long).
    if (fileSize < DATA_OFFSET || src.byteSize() < HEADER_READ_BYTES) {
      throw new VecFormatException(Reason.TRUNCATED, shortMessage(src, fileSize), file);
    }

    // e. The byte order.
    short marker = src.get(JAVA_SHORT_UNALIGNED, OFF_MARKER);
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

    // f. The format version.
    int formatVersion = u16(src, OFF_FORMAT_VERSION);
    if (formatVersion != FORMAT_VERSION) {
      throw new VecFormatException(
          Reason.UNSUPPORTED_FORMAT_VERSION,
          "format version " + formatVersion + ", this library reads " + FORMAT_VERSION,
          file);
    }

    // g. The data offset.
    long dataOffset = u32(src, OFF_DATA_OFFSET);
    if (dataOffset != DATA_OFFSET) {
      throw new VecFormatException(
          Reason.BAD_DATA_OFFSET,
          "data offset is " + dataOffset + ", expected " + DATA_OFFSET,
          file);
    }

    // h. The application's data version.
    DataVersion dataVersion =
        new DataVersion(
            u16(src, OFF_VERSION_MAJOR), u16(src, OFF_VERSION_MINOR), u16(src, OFF_VERSION_PATCH));
    if (expected != null && !dataVersion.equals(expected.dataVersion())) {
      throw new VecFormatException(
          Reason.DATA_VERSION_MISMATCH,
          "file has data version "
              + dataVersion
              + ", application expects "
              + expected.dataVersion(),
          file);
    }

    // i. The element layout: compared with the expected one, then checked for sense.
    ElementLayout layout = readLayout(src, expected == null ? null : expected.layout(), file);

    // j. The identity checksum (covers all of the above and the field table).
    int storedCrc = src.get(JAVA_INT_UNALIGNED, OFF_IDENTITY_CRC);
    int computedCrc = identityCrc(src, layout.fields().size());
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
    // Checked by comparison when a magic is expected; otherwise only now, so damage reads as such.
    if (!allPrintable(magic)) {
      throw new VecFormatException(
          Reason.MAGIC_MISMATCH,
          "magic is " + quote(magic) + ", expected 8 printable ASCII characters",
          file);
    }

    // k. The commit slots.
    SlotRead slot0 = readSlot(src, 0);
    SlotRead slot1 = readSlot(src, 1);
    if (slot0.valid() == null && slot1.valid() == null) {
      throw new VecFormatException(
          Reason.CHECKSUM_MISMATCH,
          "both commit slots are damaged: slot 0 "
              + slot0.problem()
              + ", slot 1 "
              + slot1.problem()
              + "; no committed length can be trusted",
          file);
    }
    // Equal sequences never come from a sync (each writes the other slot with sequence + 1) but
    // both slots then vouch for durable data: take slot 0 rather than refuse the file.
    int activeSlot;
    if (slot1.valid() == null) {
      activeSlot = 0;
    } else if (slot0.valid() == null) {
      activeSlot = 1;
    } else {
      activeSlot = slot1.valid().sequence() > slot0.valid().sequence() ? 1 : 0;
    }
    CommitSlot active = activeSlot == 0 ? slot0.valid() : slot1.valid();
    CommitSlot other = activeSlot == 0 ? slot1.valid() : slot0.valid();

    // l. The committed data fits in the file. No fallback to the older slot: a valid newest slot
    // describes data that was durable, so a file too short for it was cut after the commit.
    long length = active.length();
    long elementSize = layout.byteSize();
    if (length < 0 || length > (Long.MAX_VALUE - DATA_OFFSET) / elementSize) {
      throw new VecFormatException(
          Reason.TRUNCATED,
          "committed length "
              + Long.toUnsignedString(length)
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
    long needed = DATA_OFFSET + length * elementSize;
    if (needed > fileSize) {
      throw new VecFormatException(
          Reason.TRUNCATED,
          "committed length "
              + length
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

    Identity identity =
        new Identity(new String(magic, StandardCharsets.US_ASCII), dataVersion, layout);
    return new Header(
        identity,
        formatVersion,
        src.get(JAVA_INT_UNALIGNED, OFF_PAGE_SIZE),
        src.get(JAVA_LONG_UNALIGNED, OFF_CREATED),
        activeSlot,
        active,
        other);
  }

  /**
   * Reads the element layout (check i): first compared with {@code expected} when given, naming the
   * first difference, then checked for sense. Reads the field table only once the field count is
   * known to fit in the first page.
   */
  private static ElementLayout readLayout(MemorySegment src, ElementLayout expected, Path file)
      throws VecFormatException {
    int typeCode = u8(src, OFF_TYPE_CODE);
    ElementType type = ElementType.ofCode(typeCode);
    long size = u32(src, OFF_ELEMENT_SIZE);
    long alignment = u32(src, OFF_ELEMENT_ALIGNMENT);
    long count = u32(src, OFF_FIELD_COUNT);
    if (expected != null) {
      String difference = fieldDifference(src, expected, type, count);
      if (difference == null) {
        difference = headDifference(expected, typeCode, type, size, alignment, count);
      }
      if (difference != null) {
        throw new VecFormatException(Reason.ELEMENT_TYPE_MISMATCH, difference, file);
      }
    }
    if (type == null) {
      throw invalidLayout("element type code is " + typeCode + ", " + knownCodes(), file);
    }
    if (count > MAX_FIELDS) {
      throw invalidLayout("field count is " + count + ", expected at most " + MAX_FIELDS, file);
    }
    String headProblem = headProblem(type, size, alignment, (int) count);
    if (headProblem != null) {
      throw invalidLayout(headProblem, file);
    }
    List<FieldLayout> fields = new ArrayList<>((int) count);
    for (int i = 0; i < count; i++) {
      long base = fieldBase(i);
      byte[] nameCell = bytes(src, base, FIELD_NAME_BYTES);
      int nameLength = 0;
      while (nameLength < FIELD_NAME_BYTES && nameCell[nameLength] != 0) {
        nameLength++;
      }
      byte[] nameBytes = Arrays.copyOf(nameCell, nameLength);
      String name = new String(nameBytes, StandardCharsets.UTF_8);
      int fieldCode = u8(src, base + FIELD_OFF_TYPE_CODE);
      ElementType fieldType = ElementType.ofCode(fieldCode);
      long offset = u32(src, base + FIELD_OFF_OFFSET);
      if (expected != null) {
        FieldLayout want = expected.fields().get(i);
        if (!name.equals(want.name()) || fieldType != want.type() || offset != want.offset()) {
          throw new VecFormatException(
              Reason.ELEMENT_TYPE_MISMATCH,
              "field "
                  + i
                  + " is "
                  + describeField(name, fieldType, fieldCode, offset)
                  + " in the file, "
                  + describeField(want.name(), want.type(), want.type().code(), want.offset())
                  + " in the record",
              file);
        }
      }
      if (nameLength == FIELD_NAME_BYTES) {
        throw invalidLayout(
            "field " + i + " name has no terminating NUL in its " + FIELD_NAME_BYTES + " bytes",
            file);
      }
      if (!isStrictUtf8(nameBytes)) {
        throw invalidLayout("field " + i + " name " + quote(nameBytes) + " is not UTF-8", file);
      }
      if (fieldType == null) {
        throw invalidLayout(
            "field "
                + i
                + " '"
                + escape(name)
                + "' has type code "
                + fieldCode
                + ", "
                + knownCodes(),
            file);
      }
      FieldLayout field = new FieldLayout(name, fieldType, offset);
      String fieldProblem = fieldProblem(i, field, size);
      if (fieldProblem != null) {
        throw invalidLayout(fieldProblem, file);
      }
      fields.add(field);
    }
    return new ElementLayout(type, size, alignment, fields);
  }

  /**
   * {@return for a struct file opened as a struct, the first field that differs from {@code
   * expected}'s or that only one side has, or null} Compared before the element size, which a
   * differing field usually changes too, so that the message names the field.
   */
  private static String fieldDifference(
      MemorySegment src, ElementLayout expected, ElementType type, long count) {
    if (type != ElementType.STRUCT || expected.type() != ElementType.STRUCT || count > MAX_FIELDS) {
      return null;
    }
    List<FieldLayout> wanted = expected.fields();
    int common = (int) Math.min(count, wanted.size());
    for (int i = 0; i < common; i++) {
      FieldLayout want = wanted.get(i);
      long base = fieldBase(i);
      String name = fieldName(src, base);
      int fieldCode = u8(src, base + FIELD_OFF_TYPE_CODE);
      ElementType fieldType = ElementType.ofCode(fieldCode);
      long offset = u32(src, base + FIELD_OFF_OFFSET);
      if (!name.equals(want.name()) || fieldType != want.type() || offset != want.offset()) {
        return "field "
            + i
            + " is "
            + describeField(name, fieldType, fieldCode, offset)
            + " in the file, "
            + describeField(want.name(), want.type(), want.type().code(), want.offset())
            + " in the record";
      }
    }
    if (count == wanted.size()) {
      return null;
    }
    String only;
    if (count > wanted.size()) {
      long base = fieldBase(common);
      int fieldCode = u8(src, base + FIELD_OFF_TYPE_CODE);
      only =
          describeField(
                  fieldName(src, base),
                  ElementType.ofCode(fieldCode),
                  fieldCode,
                  u32(src, base + FIELD_OFF_OFFSET))
              + " is only in the file";
    } else {
      FieldLayout want = wanted.get(common);
      only =
          describeField(want.name(), want.type(), want.type().code(), want.offset())
              + " is only in the record";
    }
    return "file holds struct elements with "
        + count
        + " fields, opened as struct with "
        + wanted.size()
        + " fields: field "
        + common
        + " "
        + only;
  }

  /** {@return the name in the field entry at {@code base}, up to its NUL, decoded leniently} */
  private static String fieldName(MemorySegment src, long base) {
    byte[] cell = bytes(src, base, FIELD_NAME_BYTES);
    int n = 0;
    while (n < FIELD_NAME_BYTES && cell[n] != 0) {
      n++;
    }
    return new String(cell, 0, n, StandardCharsets.UTF_8);
  }

  /**
   * {@return the first difference between the file's type, size, alignment, field count and {@code
   * expected}'s, or null}
   */
  private static String headDifference(
      ElementLayout expected,
      int typeCode,
      ElementType type,
      long size,
      long alignment,
      long count) {
    String opened = "opened as " + shortDescription(expected.type(), expected.byteSize());
    if (type == null) {
      return "file holds elements of unknown type code " + typeCode + ", " + opened;
    }
    if (type != expected.type()) {
      return "file holds " + shortDescription(type, size) + ", " + opened;
    }
    if (size != expected.byteSize()) {
      return "file holds " + shortDescription(type, size) + ", " + opened;
    }
    if (alignment != expected.byteAlignment()) {
      return "file holds "
          + type.javaName()
          + " elements aligned to "
          + alignment
          + " bytes, opened as "
          + type.javaName()
          + " aligned to "
          + expected.byteAlignment()
          + " bytes";
    }
    if (count != expected.fields().size()) {
      return "file holds "
          + type.javaName()
          + " elements with "
          + count
          + " fields, opened as "
          + type.javaName()
          + " with "
          + expected.fields().size()
          + " fields";
    }
    return null;
  }

  /**
   * {@return what is wrong with {@code layout} for format v1, or null if nothing is} The encoder
   * uses it whole; the decoder uses its two parts as it reads, so every layout that can be written
   * can be read back and no other.
   */
  private static String layoutProblem(ElementLayout layout) {
    Objects.requireNonNull(layout.type(), "layout.type");
    List<FieldLayout> fields = layout.fields();
    String problem =
        headProblem(layout.type(), layout.byteSize(), layout.byteAlignment(), fields.size());
    for (int i = 0; problem == null && i < fields.size(); i++) {
      problem = fieldProblem(i, Objects.requireNonNull(fields.get(i), "field"), layout.byteSize());
    }
    return problem;
  }

  /** {@return what is wrong with the element's type, size, alignment and field count, or null} */
  private static String headProblem(ElementType type, long size, long alignment, int fieldCount) {
    if (size < 1 || size > MAX_U32) {
      return "element size is " + size + " bytes, expected 1 to " + MAX_U32;
    }
    if (alignment != 1 && alignment != 2 && alignment != 4 && alignment != 8) {
      return "element alignment is " + alignment + " bytes, expected 1, 2, 4 or 8";
    }
    if (size % alignment != 0) {
      return "element size " + size + " is not a multiple of its alignment " + alignment;
    }
    if (type != ElementType.STRUCT) {
      if (size != type.byteSize() || alignment != type.byteSize()) {
        return type.javaName()
            + " elements have size "
            + size
            + " and alignment "
            + alignment
            + " bytes, expected "
            + type.byteSize()
            + " and "
            + type.byteSize();
      }
      if (fieldCount != 0) {
        return type.javaName() + " elements have " + fieldCount + " fields, expected none";
      }
    } else if (fieldCount < 1 || fieldCount > MAX_FIELDS) {
      return "struct elements have " + fieldCount + " fields, expected 1 to " + MAX_FIELDS;
    }
    return null;
  }

  /**
   * {@return what is wrong with field {@code index} of an element of {@code size} bytes, or null}
   */
  private static String fieldProblem(int index, FieldLayout f, long size) {
    String name = Objects.requireNonNull(f.name(), "field name");
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    if (name.isEmpty() || nameBytes.length > MAX_FIELD_NAME_BYTES) {
      return "field "
          + index
          + " name '"
          + escape(name)
          + "' is "
          + nameBytes.length
          + " bytes of UTF-8, expected 1 to "
          + MAX_FIELD_NAME_BYTES;
    }
    if (name.indexOf('\0') >= 0 || !StandardCharsets.UTF_8.newEncoder().canEncode(name)) {
      return "field " + index + " name " + quote(name) + " holds a NUL or an unpaired surrogate";
    }
    if (f.type() == null || f.type() == ElementType.STRUCT) {
      return "field "
          + index
          + " '"
          + escape(name)
          + "' has type "
          + (f.type() == null ? "null" : f.type().javaName())
          + ", expected a primitive";
    }
    if (f.offset() < 0 || f.offset() > size - f.type().byteSize()) {
      return "field "
          + index
          + " "
          + describeField(name, f.type(), f.type().code(), f.offset())
          + " does not fit in a "
          + size
          + "-byte element";
    }
    return null;
  }

  /** A slot as read: {@code valid} when its checksum matches and its sequence is positive. */
  private record SlotRead(CommitSlot valid, String problem) {}

  private static SlotRead readSlot(MemorySegment src, int slot) {
    return readSlotBytes(src.asSlice(slotOffset(slot), SLOT_BYTES));
  }

  /**
   * {@return the slot in these 64 bytes if it is valid (checksum matches, sequence >= 1), else
   * null} For {@link LiveHeader}, which reads slots from a live mapping.
   */
  static CommitSlot decodeSlotBytes(MemorySegment slotBytes) {
    return readSlotBytes(slotBytes).valid();
  }

  private static SlotRead readSlotBytes(MemorySegment s) {
    if (s.mismatch(MemorySegment.ofArray(new byte[(int) SLOT_BYTES])) == -1) {
      return new SlotRead(null, "is empty");
    }
    int stored = s.get(JAVA_INT_UNALIGNED, SLOT_OFF_CRC);
    int computed = crc32c(s, 0, SLOT_OFF_CRC);
    if (stored != computed) {
      return new SlotRead(
          null,
          "fails its checksum (stored " + hex32(stored) + ", computed " + hex32(computed) + ")");
    }
    long sequence = s.get(JAVA_LONG_UNALIGNED, SLOT_OFF_SEQUENCE);
    if (sequence <= 0) {
      return new SlotRead(
          null, "has sequence " + Long.toUnsignedString(sequence) + ", expected 1 to 2^63-1");
    }
    return new SlotRead(
        new CommitSlot(
            sequence,
            s.get(JAVA_LONG_UNALIGNED, SLOT_OFF_LENGTH),
            s.get(JAVA_LONG_UNALIGNED, SLOT_OFF_COMMIT_TIME),
            s.get(JAVA_LONG_UNALIGNED, SLOT_OFF_REWRITES)),
        null);
  }

  private static VecFormatException invalidLayout(String problem, Path file) {
    return new VecFormatException(
        Reason.ELEMENT_TYPE_MISMATCH, "element layout in the file is invalid: " + problem, file);
  }

  private static String shortMessage(MemorySegment src, long fileSize) {
    if (fileSize < DATA_OFFSET) {
      return "file is " + fileSize + " bytes, shorter than the " + DATA_OFFSET + "-byte header";
    }
    return "only "
        + src.byteSize()
        + " bytes of the header were read, expected "
        + HEADER_READ_BYTES;
  }

  private static String shortDescription(ElementType type, long size) {
    return type.javaName() + " (" + size + " bytes)";
  }

  private static String describeField(String name, ElementType type, int code, long offset) {
    String typeName = type == null ? "type#" + code : type.javaName();
    return "'" + escape(name) + "' " + typeName + "@" + offset;
  }

  private static String knownCodes() {
    StringBuilder b = new StringBuilder("expected one of ");
    for (ElementType t : ElementType.values()) {
      b.append(t.code()).append(" (").append(t.javaName()).append("), ");
    }
    b.setLength(b.length() - 2);
    return b.toString();
  }

  private static long fieldBase(int index) {
    return OFF_FIELD_TABLE + (long) FIELD_BYTES * index;
  }

  /** CRC32C over bytes [0, 60) and the field table of {@code fieldCount} entries. */
  private static int identityCrc(MemorySegment page, int fieldCount) {
    CRC32C crc = new CRC32C();
    crc.update(bytes(page, 0, OFF_IDENTITY_CRC));
    crc.update(bytes(page, OFF_FIELD_TABLE, (long) FIELD_BYTES * fieldCount));
    return (int) crc.getValue();
  }

  private static int crc32c(MemorySegment s, long offset, long length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes(s, offset, length));
    return (int) crc.getValue();
  }

  private static byte[] bytes(MemorySegment s, long offset, long length) {
    return s.asSlice(offset, length).toArray(JAVA_BYTE);
  }

  private static int u8(MemorySegment s, long offset) {
    return Byte.toUnsignedInt(s.get(JAVA_BYTE, offset));
  }

  private static int u16(MemorySegment s, long offset) {
    return Short.toUnsignedInt(s.get(JAVA_SHORT_UNALIGNED, offset));
  }

  private static long u32(MemorySegment s, long offset) {
    return Integer.toUnsignedLong(s.get(JAVA_INT_UNALIGNED, offset));
  }

  private static String hex16(short v) {
    return String.format("0x%04x", Short.toUnsignedInt(v));
  }

  private static String hex32(int v) {
    return String.format("0x%08x", v);
  }

  private static boolean isPrintableAscii(int c) {
    return c >= 0x20 && c <= 0x7e;
  }

  private static boolean allPrintable(byte[] b) {
    for (byte x : b) {
      if (!isPrintableAscii(x)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isStrictUtf8(byte[] b) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** {@return the bytes as a quoted string, with anything but printable ASCII as \xNN} */
  private static String quote(byte[] b) {
    StringBuilder s = new StringBuilder("\"");
    for (byte x : b) {
      int c = Byte.toUnsignedInt(x);
      if (c == '"' || c == '\\') {
        s.append('\\').append((char) c);
      } else if (isPrintableAscii(c)) {
        s.append((char) c);
      } else {
        s.append(String.format("\\x%02x", c));
      }
    }
    return s.append('"').toString();
  }

  /**
   * {@return the text quoted, with quotes and backslashes escaped and control characters and
   * unpaired surrogates as \\xNN or \\uNNNN}
   */
  private static String quote(String text) {
    return '"' + escape(text) + '"';
  }

  private static String escape(String text) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        s.append('\\').append(c);
      } else if (Character.isISOControl(c) && c < 0x100) {
        s.append(String.format("\\x%02x", (int) c));
      } else if (Character.isSurrogate(c)) {
        s.append(String.format("\\u%04x", (int) c));
      } else {
        s.append(c);
      }
    }
    return s.toString();
  }
}
