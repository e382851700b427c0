package io.mmapvec.internal.format;

import static io.mmapvec.internal.format.HeaderLayout.FIELD_OFF_OFFSET;
import static io.mmapvec.internal.format.HeaderLayout.FIELD_OFF_TYPE_CODE;
import static io.mmapvec.internal.format.HeaderLayout.OFF_CREATED;
import static io.mmapvec.internal.format.HeaderLayout.OFF_DATA_OFFSET;
import static io.mmapvec.internal.format.HeaderLayout.OFF_ELEMENT_ALIGNMENT;
import static io.mmapvec.internal.format.HeaderLayout.OFF_ELEMENT_SIZE;
import static io.mmapvec.internal.format.HeaderLayout.OFF_FIELD_COUNT;
import static io.mmapvec.internal.format.HeaderLayout.OFF_FORMAT_VERSION;
import static io.mmapvec.internal.format.HeaderLayout.OFF_IDENTITY_CRC;
import static io.mmapvec.internal.format.HeaderLayout.OFF_MAGIC;
import static io.mmapvec.internal.format.HeaderLayout.OFF_MARKER;
import static io.mmapvec.internal.format.HeaderLayout.OFF_PAGE_SIZE;
import static io.mmapvec.internal.format.HeaderLayout.OFF_SIGNATURE;
import static io.mmapvec.internal.format.HeaderLayout.OFF_TYPE_CODE;
import static io.mmapvec.internal.format.HeaderLayout.OFF_VERSION_MAJOR;
import static io.mmapvec.internal.format.HeaderLayout.OFF_VERSION_MINOR;
import static io.mmapvec.internal.format.HeaderLayout.OFF_VERSION_PATCH;
import static io.mmapvec.internal.format.HeaderLayout.PAGE_BYTES;
import static io.mmapvec.internal.format.HeaderLayout.SIGNATURE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.mmapvec.DataVersion;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes the header of a new file: the identity block with the field table, slot 0 with sequence 1
 * and size 0, slot 1 empty.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
final class HeaderEncoder {
  private HeaderEncoder() {}

  /** See {@link HeaderFormat#checkIdentity}. */
  static void checkIdentity(Identity identity) {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(identity.dataVersion(), "identity.dataVersion");
    Objects.requireNonNull(identity.layout(), "identity.layout");
    Magic.check(Objects.requireNonNull(identity.magic(), "identity.magic"));
    String problem = LayoutRules.layoutProblem(identity.layout());
    if (problem != null) {
      throw new IllegalArgumentException("invalid element layout: " + problem);
    }
  }

  /** See {@link HeaderFormat#encodeNew}. */
  static void encodeNew(MemorySegment dst, Identity identity, int pageSize, long nowMillis) {
    Objects.requireNonNull(dst, "dst");
    checkIdentity(identity);
    if (pageSize <= 0) {
      throw new IllegalArgumentException("page size is " + pageSize + ", expected > 0");
    }
    if (dst.byteSize() < HeaderFormat.HEADER_READ_BYTES) {
      throw new IllegalArgumentException(
          "header buffer is "
              + dst.byteSize()
              + " bytes, expected >= "
              + HeaderFormat.HEADER_READ_BYTES);
    }
    ElementLayout layout = identity.layout();
    // Build the page off to the side: its checksum then covers exactly the bytes written here, even
    // if the caller did not zero the reserved bytes.
    MemorySegment page = MemorySegment.ofArray(new byte[PAGE_BYTES]);
    MemorySegment.copy(Magic.bytes(identity.magic()), 0, page, JAVA_BYTE, OFF_MAGIC, Magic.BYTES);
    MemorySegment.copy(SIGNATURE, 0, page, JAVA_BYTE, OFF_SIGNATURE, SIGNATURE.length);
    page.set(JAVA_SHORT_UNALIGNED, OFF_MARKER, HeaderLayout.MARKER);
    page.set(JAVA_SHORT_UNALIGNED, OFF_FORMAT_VERSION, (short) HeaderFormat.FORMAT_VERSION);
    page.set(JAVA_INT_UNALIGNED, OFF_DATA_OFFSET, (int) HeaderFormat.DATA_OFFSET);
    DataVersion v = identity.dataVersion();
    page.set(JAVA_SHORT_UNALIGNED, OFF_VERSION_MAJOR, (short) v.major());
    page.set(JAVA_SHORT_UNALIGNED, OFF_VERSION_MINOR, (short) v.minor());
    page.set(JAVA_SHORT_UNALIGNED, OFF_VERSION_PATCH, (short) v.patch());
    page.set(JAVA_BYTE, OFF_TYPE_CODE, (byte) layout.type().code());
    page.set(JAVA_INT_UNALIGNED, OFF_ELEMENT_SIZE, (int) layout.elementSize());
    page.set(JAVA_INT_UNALIGNED, OFF_ELEMENT_ALIGNMENT, (int) layout.byteAlignment());
    page.set(JAVA_INT_UNALIGNED, OFF_FIELD_COUNT, layout.fields().size());
    page.set(JAVA_INT_UNALIGNED, OFF_PAGE_SIZE, pageSize);
    page.set(JAVA_LONG_UNALIGNED, OFF_CREATED, nowMillis);
    for (int i = 0; i < layout.fields().size(); i++) {
      FieldLayout f = layout.fields().get(i);
      long base = HeaderLayout.fieldBase(i);
      byte[] name = f.name().getBytes(StandardCharsets.UTF_8);
      MemorySegment.copy(name, 0, page, JAVA_BYTE, base, name.length);
      page.set(JAVA_BYTE, base + FIELD_OFF_TYPE_CODE, (byte) f.type().code());
      page.set(JAVA_INT_UNALIGNED, base + FIELD_OFF_OFFSET, (int) f.offset());
    }
    int crc = HeaderLayout.identityCrc(page, layout.fields().size());
    page.set(JAVA_INT_UNALIGNED, OFF_IDENTITY_CRC, crc);
    MemorySegment.copy(page, 0, dst, 0, PAGE_BYTES);
    SlotCodec.encode(dst, 0, new CommitSlot(1, 0, nowMillis));
    dst.asSlice(HeaderFormat.slotOffset(1), HeaderFormat.SLOT_BYTES).fill((byte) 0);
  }
}
