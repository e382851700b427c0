package io.mmapvec.internal.format;

import static io.mmapvec.internal.format.HeaderBytes.CREATED_MILLIS;
import static io.mmapvec.internal.format.HeaderBytes.READ_BYTES;
import static io.mmapvec.internal.format.HeaderBytes.SLOT0;
import static io.mmapvec.internal.format.HeaderBytes.SLOT1;
import static io.mmapvec.internal.format.HeaderBytes.TICK;
import static io.mmapvec.internal.format.HeaderBytes.copy;
import static io.mmapvec.internal.format.HeaderBytes.fixIdentityCrc;
import static io.mmapvec.internal.format.HeaderBytes.flip;
import static io.mmapvec.internal.format.HeaderBytes.fresh;
import static io.mmapvec.internal.format.HeaderBytes.identity;
import static io.mmapvec.internal.format.HeaderBytes.putU16;
import static io.mmapvec.internal.format.HeaderBytes.putU32;
import static io.mmapvec.internal.format.HeaderBytes.putU8;
import static io.mmapvec.internal.format.HeaderBytes.rawSlot;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mmapvec.DataVersion;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HeaderFormatTest {
  private static final Path FILE = Path.of("data/ticks.vec");
  private static final Identity LONGS = identity(ElementLayout.of(ElementType.LONG));
  private static final Identity TICKS = identity(TICK);
  private static final long EMPTY_FILE = HeaderFormat.DATA_OFFSET;

  private static VecFormatException failure(ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(VecFormatException.class);
    VecFormatException e = (VecFormatException) t;
    assertThat(e.file()).isEqualTo(FILE);
    assertThat(e.getMessage()).endsWith(" (" + FILE + ")");
    return e;
  }

  private static VecFormatException decodeFailure(MemorySegment s, long fileSize, Identity id) {
    return failure(() -> HeaderFormat.decode(s, fileSize, id, FILE));
  }

  private static Header decode(MemorySegment s, long fileSize, Identity id) throws Exception {
    return HeaderFormat.decode(s, fileSize, id, FILE);
  }

  // ---- constants and the exact bytes -------------------------------------------------------

  @Test
  void slotOffsetPutsEachSlotInItsOwnPage() {
    assertThat(HeaderFormat.slotOffset(0)).isEqualTo(4096);
    assertThat(HeaderFormat.slotOffset(1)).isEqualTo(8192);
    assertThat(HeaderFormat.SLOT_BYTES).isEqualTo(64);
    assertThat(HeaderFormat.DATA_OFFSET).isEqualTo(65536);
    assertThat(HeaderFormat.HEADER_READ_BYTES).isEqualTo(3 * 4096);
    assertThat(HeaderFormat.MAX_FIELDS).isEqualTo(84);
  }

  @Test
  void slotOffsetRejectsOtherSlots() {
    assertThatThrownBy(() -> HeaderFormat.slotOffset(2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2");
    assertThatThrownBy(() -> HeaderFormat.slotOffset(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encodeNewWritesTheDocumentedBytesInNativeOrder() {
    MemorySegment s = fresh(TICKS);
    ByteBuffer b = ByteBuffer.wrap(s.toArray(JAVA_BYTE)).order(ByteOrder.nativeOrder());
    byte[] eight = new byte[8];
    b.get(0, eight);
    assertThat(new String(eight, StandardCharsets.US_ASCII)).isEqualTo("TICKDATA");
    b.get(8, eight);
    assertThat(eight).isEqualTo("mmapvec\0".getBytes(StandardCharsets.US_ASCII));
    assertThat(b.getShort(16)).isEqualTo((short) 0x1234);
    assertThat(b.getShort(18)).isEqualTo((short) 1);
    assertThat(b.getInt(20)).isEqualTo(65536);
    assertThat(b.getShort(24)).isEqualTo((short) 1);
    assertThat(b.getShort(26)).isEqualTo((short) 2);
    assertThat(b.getShort(28)).isEqualTo((short) 0);
    assertThat(b.get(30)).isEqualTo((byte) 16);
    assertThat(b.get(31)).isZero();
    assertThat(b.getInt(32)).isEqualTo(24);
    assertThat(b.getInt(36)).isEqualTo(8);
    assertThat(b.getInt(40)).isEqualTo(3);
    assertThat(b.getInt(44)).isEqualTo(4096);
    assertThat(b.getLong(48)).isEqualTo(CREATED_MILLIS);
    assertThat(b.getInt(56)).isZero();
    CRC32C crc = new CRC32C();
    crc.update(s.asSlice(0, 60).toArray(JAVA_BYTE));
    crc.update(s.asSlice(64, 48 * 3).toArray(JAVA_BYTE));
    assertThat(b.getInt(60)).isEqualTo((int) crc.getValue());
    // Field 1: "price", double, offset 8.
    byte[] name = new byte[32];
    b.get(64 + 48, name);
    byte[] want = new byte[32];
    System.arraycopy("price".getBytes(StandardCharsets.UTF_8), 0, want, 0, 5);
    assertThat(name).isEqualTo(want);
    assertThat(b.get(64 + 48 + 32)).isEqualTo((byte) ElementType.DOUBLE.code());
    assertThat(b.getInt(64 + 48 + 36)).isEqualTo(8);
    for (int reserved : new int[] {33, 34, 35, 40, 41, 42, 43, 44, 45, 46, 47}) {
      assertThat(b.get(64 + 48 + reserved)).as("field entry byte %d", reserved).isZero();
    }
    // Slot 0: sequence 1, length 0, created time, CRC over [0, 60); slot 1 all zero.
    assertThat(b.getLong(4096)).isEqualTo(1);
    assertThat(b.getLong(4096 + 8)).isZero();
    assertThat(b.getLong(4096 + 16)).isEqualTo(CREATED_MILLIS);
    CRC32C slotCrc = new CRC32C();
    slotCrc.update(s.asSlice(4096, 60).toArray(JAVA_BYTE));
    assertThat(b.getInt(4096 + 60)).isEqualTo((int) slotCrc.getValue());
    assertThat(s.asSlice(8192, 64).toArray(JAVA_BYTE)).containsOnly((byte) 0);
  }

  // ---- round trips -------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(
      value = ElementType.class,
      mode = EnumSource.Mode.EXCLUDE,
      names = {"STRUCT"})
  void freshPrimitiveHeaderDecodesToWhatWasWritten(ElementType type) throws Exception {
    Identity id = identity(ElementLayout.of(type));
    Header h = decode(fresh(id), EMPTY_FILE, id);
    assertThat(h.identity()).isEqualTo(id);
    assertThat(h.formatVersion()).isEqualTo(1);
    assertThat(h.pageSizeAtCreate()).isEqualTo(4096);
    assertThat(h.createdMillis()).isEqualTo(CREATED_MILLIS);
    assertThat(h.activeSlot()).isZero();
    assertThat(h.active()).isEqualTo(new CommitSlot(1, 0, CREATED_MILLIS));
    assertThat(h.other()).isNull();
    assertThat(h.size()).isZero();
  }

  @Test
  void freshStructHeaderDecodesToWhatWasWritten() throws Exception {
    Header h = decode(fresh(TICKS), EMPTY_FILE, TICKS);
    assertThat(h.identity()).isEqualTo(TICKS);
    assertThat(h.identity().layout().fields())
        .extracting(FieldLayout::name)
        .containsExactly("t", "price", "qty");
  }

  @Test
  void structWithManyFieldsAndUnicodeNamesRoundTrips() throws Exception {
    List<FieldLayout> fields = new ArrayList<>();
    for (int i = 0; i < HeaderFormat.MAX_FIELDS; i++) {
      fields.add(new FieldLayout("prix_\u00e9_" + i, ElementType.BYTE, i));
    }
    fields.set(0, new FieldLayout("x".repeat(31), ElementType.BYTE, 0));
    Identity id = identity(new ElementLayout(ElementType.STRUCT, 84, 1, fields));
    assertThat(decode(fresh(id), EMPTY_FILE, id).identity()).isEqualTo(id);
    assertThat(HeaderFormat.decodeAny(fresh(id), EMPTY_FILE, FILE).identity()).isEqualTo(id);
  }

  @Test
  void encodeSlotCommitsANewLengthThatDecodeReturns() throws Exception {
    MemorySegment s = fresh(LONGS);
    HeaderFormat.encodeSlot(s, 1, new CommitSlot(2, 10, 5));
    Header h = decode(s, EMPTY_FILE + 80, LONGS);
    assertThat(h.activeSlot()).isEqualTo(1);
    assertThat(h.active()).isEqualTo(new CommitSlot(2, 10, 5));
    assertThat(h.other()).isEqualTo(new CommitSlot(1, 0, CREATED_MILLIS));
    assertThat(h.size()).isEqualTo(10);

    HeaderFormat.encodeSlot(s, 0, new CommitSlot(3, 7, 6));
    h = decode(s, EMPTY_FILE + 80, LONGS);
    assertThat(h.activeSlot()).isZero();
    assertThat(h.active()).isEqualTo(new CommitSlot(3, 7, 6));
    assertThat(h.other()).isEqualTo(new CommitSlot(2, 10, 5));
  }

  @Test
  void encodeSlotOverwritesGarbageAndTouchesNothingElse() throws Exception {
    MemorySegment s = fresh(LONGS);
    s.asSlice(SLOT1 - 16, 96).fill((byte) 0x5a);
    MemorySegment before = copy(s);
    HeaderFormat.encodeSlot(s, 1, new CommitSlot(2, 3, 4));
    assertThat(s.asSlice(0, SLOT1).mismatch(before.asSlice(0, SLOT1))).isEqualTo(-1);
    assertThat(s.asSlice(SLOT1 + 64).mismatch(before.asSlice(SLOT1 + 64))).isEqualTo(-1);
    assertThat(s.asSlice(SLOT1 + 24, 36).toArray(JAVA_BYTE)).containsOnly((byte) 0);
    assertThat(decode(s, EMPTY_FILE + 24, LONGS).active()).isEqualTo(new CommitSlot(2, 3, 4));
  }

  @Test
  void encodeNewDoesNotDependOnAZeroedBuffer() throws Exception {
    MemorySegment s = MemorySegment.ofArray(new byte[READ_BYTES]);
    s.fill((byte) 0x77);
    HeaderFormat.encodeNew(s, TICKS, 4096, CREATED_MILLIS);
    Header h = decode(s, EMPTY_FILE, TICKS);
    assertThat(h.identity()).isEqualTo(TICKS);
    assertThat(h.other()).isNull();
  }

  @Test
  void decodeAnyReturnsTheFileIdentity() throws Exception {
    Identity id = new Identity("other ok", new DataVersion(9, 8, 7), TICK);
    Header h = HeaderFormat.decodeAny(fresh(id), EMPTY_FILE, FILE);
    assertThat(h.identity()).isEqualTo(id);
  }

  @Test
  void decodeReadsAWholeFileMapping() throws Exception {
    MemorySegment whole = MemorySegment.ofArray(new byte[(int) EMPTY_FILE + 8 * 4]);
    HeaderFormat.encodeNew(whole, LONGS, 4096, CREATED_MILLIS);
    HeaderFormat.encodeSlot(whole, 1, new CommitSlot(2, 4, 0));
    assertThat(decode(whole, whole.byteSize(), LONGS).size()).isEqualTo(4);
  }

  // ---- what encodeNew and encodeSlot refuse -----------------------------------------------

  @Test
  void encodeNewRejectsMoreThan84Fields() {
    List<FieldLayout> fields = new ArrayList<>();
    for (int i = 0; i < 85; i++) {
      fields.add(new FieldLayout("f" + i, ElementType.BYTE, i));
    }
    Identity id = identity(new ElementLayout(ElementType.STRUCT, 85, 1, fields));
    assertThatThrownBy(() -> fresh(id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("85 fields");
  }

  @Test
  void encodeNewRejectsFieldNameLongerThan31Bytes() {
    // 16 two-byte characters: 16 characters, 32 bytes.
    String name = "\u00e9".repeat(16);
    Identity id =
        identity(
            new ElementLayout(
                ElementType.STRUCT, 8, 8, List.of(new FieldLayout(name, ElementType.LONG, 0))));
    assertThatThrownBy(() -> fresh(id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
  }

  @Test
  void encodeNewRejectsBadMagic() {
    for (String magic : new String[] {"SHORT", "TOO_LONG_", "TAB\tDATA", "caf\u00e9dat"}) {
      Identity id = new Identity(magic, DataVersion.NONE, ElementLayout.of(ElementType.INT));
      assertThatThrownBy(() -> fresh(id))
          .as(magic)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("printable ASCII");
    }
  }

  @Test
  void encodeNewRejectsLayoutsTheFormatCannotDescribe() {
    List<ElementLayout> bad =
        List.of(
            new ElementLayout(ElementType.LONG, 4, 4, List.of()),
            new ElementLayout(ElementType.LONG, 8, 4, List.of()),
            new ElementLayout(
                ElementType.LONG, 8, 8, List.of(new FieldLayout("a", ElementType.LONG, 0))),
            new ElementLayout(ElementType.STRUCT, 8, 8, List.of()),
            new ElementLayout(
                ElementType.STRUCT, 8, 3, List.of(new FieldLayout("a", ElementType.LONG, 0))),
            new ElementLayout(
                ElementType.STRUCT, 8, 16, List.of(new FieldLayout("a", ElementType.LONG, 0))),
            new ElementLayout(
                ElementType.STRUCT, 12, 8, List.of(new FieldLayout("a", ElementType.LONG, 0))),
            new ElementLayout(
                ElementType.STRUCT, 8, 8, List.of(new FieldLayout("a", ElementType.LONG, 4))),
            new ElementLayout(
                ElementType.STRUCT, 8, 8, List.of(new FieldLayout("a", ElementType.LONG, -1))),
            new ElementLayout(
                ElementType.STRUCT, 8, 8, List.of(new FieldLayout("", ElementType.LONG, 0))),
            new ElementLayout(
                ElementType.STRUCT, 8, 8, List.of(new FieldLayout("a\0b", ElementType.LONG, 0))),
            new ElementLayout(
                ElementType.STRUCT, 8, 8, List.of(new FieldLayout("a\ud800", ElementType.LONG, 0))),
            new ElementLayout(
                ElementType.STRUCT, 8, 8, List.of(new FieldLayout("a", ElementType.STRUCT, 0))),
            new ElementLayout(
                ElementType.STRUCT,
                8,
                8,
                List.of(new FieldLayout("a", ElementType.BYTE, Long.MAX_VALUE))));
    for (ElementLayout layout : bad) {
      assertThatThrownBy(() -> fresh(identity(layout)))
          .as(layout.toString())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("invalid element layout: ");
    }
  }

  @Test
  void encodeNewRejectsShortBufferAndBadPageSize() {
    assertThatThrownBy(
            () -> HeaderFormat.encodeNew(MemorySegment.ofArray(new byte[4096]), LONGS, 4096, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4096 bytes");
    assertThatThrownBy(
            () -> HeaderFormat.encodeNew(MemorySegment.ofArray(new byte[READ_BYTES]), LONGS, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("page size");
  }

  @Test
  void encodeSlotRejectsZeroSequenceAndNegativeLength() {
    MemorySegment s = fresh(LONGS);
    assertThatThrownBy(() -> HeaderFormat.encodeSlot(s, 1, new CommitSlot(0, 0, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sequence is 0");
    assertThatThrownBy(() -> HeaderFormat.encodeSlot(s, 1, new CommitSlot(2, -1, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("size is -1");
    assertThatThrownBy(() -> HeaderFormat.encodeSlot(s, 2, new CommitSlot(2, 0, 0)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decodeRejectsAnExpectedIdentityThatCouldNotBeWritten() {
    Identity bad =
        new Identity(
            "TICKDATA",
            new DataVersion(1, 2, 0),
            new ElementLayout(ElementType.LONG, 0, 8, List.of()));
    assertThatThrownBy(() -> decode(fresh(LONGS), EMPTY_FILE, bad))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- each check, each reason -------------------------------------------------------------

  @Test
  void decodeRejectsFileShorterThanTheSignature() {
    MemorySegment s = fresh(LONGS);
    VecFormatException e = decodeFailure(s.asSlice(0, 10), 10, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
    assertThat(e.getMessage()).startsWith("file is 10 bytes, shorter than the 65536-byte header");
    assertThat(decodeFailure(s, 0, LONGS).reason()).isEqualTo(Reason.TRUNCATED);
  }

  @Test
  void decodeRejectsFileWithoutTheLibrarySignature() {
    MemorySegment s = fresh(LONGS);
    putU8(s, 15, 1);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.NOT_A_MMAPVEC_FILE);
    assertThat(e.getMessage()).contains("\"mmapvec\\x01\"", "\"mmapvec\\x00\"");
    // A zero-filled file (say, a sparse file never written) is not ours either.
    MemorySegment zeros = MemorySegment.ofArray(new byte[READ_BYTES]);
    assertThat(decodeFailure(zeros, EMPTY_FILE, LONGS).reason())
        .isEqualTo(Reason.NOT_A_MMAPVEC_FILE);
  }

  @Test
  void decodeRejectsForeignMagic() {
    Identity other = new Identity("OTHERMAG", LONGS.dataVersion(), LONGS.layout());
    VecFormatException e = decodeFailure(fresh(LONGS), EMPTY_FILE, other);
    assertThat(e.reason()).isEqualTo(Reason.MAGIC_MISMATCH);
    assertThat(e.getMessage())
        .isEqualTo("magic is \"TICKDATA\", expected \"OTHERMAG\" (" + FILE + ")");
  }

  @Test
  void decodeEscapesNonPrintableMagicBytes() {
    MemorySegment s = fresh(LONGS);
    putU8(s, 0, 0x01);
    putU8(s, 7, 0xff);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.MAGIC_MISMATCH);
    assertThat(e.getMessage()).contains("\"\\x01ICKDAT\\xff\"");
  }

  @Test
  void decodeAnyRejectsNonPrintableMagicOnlyAfterTheChecksum() {
    MemorySegment s = fresh(LONGS);
    putU8(s, 3, 0x07);
    assertThat(failure(() -> HeaderFormat.decodeAny(s, EMPTY_FILE, FILE)).reason())
        .isEqualTo(Reason.CHECKSUM_MISMATCH);
    fixIdentityCrc(s);
    VecFormatException e = failure(() -> HeaderFormat.decodeAny(s, EMPTY_FILE, FILE));
    assertThat(e.reason()).isEqualTo(Reason.MAGIC_MISMATCH);
    assertThat(e.getMessage()).contains("\"TIC\\x07DATA\"");
  }

  @Test
  void decodeChecksMagicBeforeFileLength() {
    Identity other = new Identity("OTHERMAG", LONGS.dataVersion(), LONGS.layout());
    assertThat(decodeFailure(fresh(LONGS).asSlice(0, 100), 100, other).reason())
        .isEqualTo(Reason.MAGIC_MISMATCH);
  }

  @Test
  void decodeRejectsFileShorterThanTheDataOffset() {
    VecFormatException e = decodeFailure(fresh(LONGS), EMPTY_FILE - 1, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
    assertThat(e.getMessage())
        .startsWith("file is 65535 bytes, shorter than the 65536-byte header");
  }

  @Test
  void decodeRejectsTooFewHeaderBytesRead() {
    VecFormatException e = decodeFailure(fresh(LONGS).asSlice(0, 8192), EMPTY_FILE, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
    assertThat(e.getMessage()).contains("8192", "12288");
  }

  @Test
  void decodeReportsFileFromTheOtherByteOrder() {
    MemorySegment s = fresh(LONGS);
    // What the other byte order writes: every multi-byte field swapped, the marker among them.
    putU16(s, 16, 0x3412);
    putU16(s, 18, 0x0100);
    putU32(s, 20, Integer.reverseBytes(65536));
    VecFormatException e = decodeFailure(s, EMPTY_FILE, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.BYTE_ORDER_MISMATCH);
    String other = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "big" : "little";
    assertThat(e.getMessage())
        .isEqualTo(
            "byte-order marker is 0x3412, expected 0x1234: file was written on a "
                + other
                + "-endian machine ("
                + FILE
                + ")");
  }

  @Test
  void decodeRejectsGarbageByteOrderMarker() {
    MemorySegment s = fresh(LONGS);
    putU16(s, 16, 0x1235);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.BAD_BYTE_ORDER_MARKER);
    assertThat(e.getMessage()).startsWith("byte-order marker is 0x1235, expected 0x1234");
  }

  @Test
  void decodeRejectsUnknownFormatVersion() {
    MemorySegment s = fresh(LONGS);
    putU16(s, 18, 7);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT_VERSION);
    assertThat(e.getMessage()).startsWith("format version 7, this library reads 1");
  }

  @Test
  void decodeRejectsOtherDataOffset() {
    MemorySegment s = fresh(LONGS);
    putU32(s, 20, 4096);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.BAD_DATA_OFFSET);
    assertThat(e.getMessage()).startsWith("data offset is 4096, expected 65536");
  }

  @Test
  void decodeRejectsOtherDataVersion() {
    Identity newer = new Identity("TICKDATA", new DataVersion(1, 3, 0), LONGS.layout());
    VecFormatException e = decodeFailure(fresh(LONGS), EMPTY_FILE, newer);
    assertThat(e.reason()).isEqualTo(Reason.DATA_VERSION_MISMATCH);
    assertThat(e.getMessage()).startsWith("file has data version 1.2.0, application expects 1.3.0");

    MemorySegment s = fresh(LONGS);
    putU16(s, 28, 9);
    e = decodeFailure(s, EMPTY_FILE, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.DATA_VERSION_MISMATCH);
    assertThat(e.getMessage()).startsWith("file has data version 1.2.9, application expects 1.2.0");
  }

  @Test
  void decodeRejectsOtherElementType() {
    Identity doubles = identity(ElementLayout.of(ElementType.DOUBLE));
    VecFormatException e = decodeFailure(fresh(LONGS), EMPTY_FILE, doubles);
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage()).startsWith("file holds long (8 bytes), opened as double (8 bytes)");
    assertThat(decodeFailure(fresh(TICKS), EMPTY_FILE, LONGS).getMessage())
        .startsWith("file holds struct (24 bytes), opened as long (8 bytes)");
  }

  @Test
  void decodeRejectsUnknownElementTypeCode() {
    MemorySegment s = fresh(LONGS);
    putU8(s, 30, 99);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage()).contains("unknown type code 99", "opened as long (8 bytes)");
    fixIdentityCrc(s);
    e = failure(() -> HeaderFormat.decodeAny(s, EMPTY_FILE, FILE));
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage()).contains("type code is 99");
  }

  @Test
  void decodeRejectsOtherElementSize() {
    MemorySegment s = fresh(TICKS);
    putU32(s, 32, 32);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, TICKS);
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("file holds struct (32 bytes), opened as struct (24 bytes)");
  }

  @Test
  void decodeRejectsOtherElementAlignment() {
    MemorySegment s = fresh(TICKS);
    putU32(s, 36, 4);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, TICKS);
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage()).contains("aligned to 4 bytes", "aligned to 8 bytes");
  }

  @Test
  void decodeRejectsOtherFieldCount() {
    MemorySegment s = fresh(TICKS);
    putU32(s, 40, 2);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, TICKS);
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage()).contains("with 2 fields", "with 3 fields");
  }

  private static Identity ticksWithField1(FieldLayout field1) {
    return identity(
        new ElementLayout(
            ElementType.STRUCT,
            24,
            8,
            List.of(TICK.fields().get(0), field1, TICK.fields().get(2))));
  }

  @Test
  void decodeRejectsOtherFieldName() {
    Identity asked = ticksWithField1(new FieldLayout("bid", ElementType.DOUBLE, 8));
    VecFormatException e = decodeFailure(fresh(TICKS), EMPTY_FILE, asked);
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("field 1 is 'price' double@8 in the file, 'bid' double@8 in the record");

    MemorySegment s = fresh(TICKS);
    putU8(s, 64 + 48 + 4, 'k');
    e = decodeFailure(s, EMPTY_FILE, TICKS);
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("field 1 is 'prick' double@8 in the file, 'price' double@8 in the record");
  }

  @Test
  void decodeRejectsOtherFieldType() {
    Identity asked = ticksWithField1(new FieldLayout("price", ElementType.LONG, 8));
    VecFormatException e = decodeFailure(fresh(TICKS), EMPTY_FILE, asked);
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("field 1 is 'price' double@8 in the file, 'price' long@8 in the record");

    MemorySegment s = fresh(TICKS);
    putU8(s, 64 + 48 + 32, 99);
    e = decodeFailure(s, EMPTY_FILE, TICKS);
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("field 1 is 'price' type#99@8 in the file, 'price' double@8 in the record");
  }

  @Test
  void decodeRejectsOtherFieldOffset() {
    MemorySegment s = fresh(TICKS);
    putU32(s, 64 + 2 * 48 + 36, 20);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, TICKS);
    assertThat(e.reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("field 2 is 'qty' int@20 in the file, 'qty' int@16 in the record");
  }

  @Test
  void decodeAnyRejectsLayoutsThatMakeNoSense() {
    record Damage(String what, Identity base, Consumer<MemorySegment> change, String message) {}
    List<Damage> damages =
        List.of(
            new Damage(
                "long of 4 bytes",
                LONGS,
                s -> {
                  putU32(s, 32, 4);
                  putU32(s, 36, 4);
                },
                "long elements have size 4 and alignment 4 bytes, expected 8 and 8"),
            new Damage("size 0", TICKS, s -> putU32(s, 32, 0), "element size is 0"),
            new Damage("alignment 3", TICKS, s -> putU32(s, 36, 3), "alignment is 3"),
            new Damage("alignment 16", TICKS, s -> putU32(s, 36, 16), "alignment is 16"),
            new Damage(
                "size not a multiple of alignment",
                TICKS,
                s -> putU32(s, 32, 28),
                "element size 28 is not a multiple of its alignment 8"),
            new Damage(
                "primitive with fields",
                LONGS,
                s -> putU32(s, 40, 1),
                "long elements have 1 fields, expected none"),
            new Damage(
                "struct without fields",
                TICKS,
                s -> putU32(s, 40, 0),
                "struct elements have 0 fields, expected 1 to 84"),
            new Damage(
                "too many fields",
                TICKS,
                s -> putU32(s, 40, 0xFFFF_FFFFL),
                "field count is 4294967295, expected at most 84"));
    for (Damage d : damages) {
      MemorySegment s = fresh(d.base());
      d.change().accept(s);
      fixIdentityCrc(s);
      VecFormatException e = failure(() -> HeaderFormat.decodeAny(s, EMPTY_FILE, FILE));
      assertThat(e.reason()).as(d.what()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
      assertThat(e.getMessage())
          .as(d.what())
          .startsWith("element layout in the file is invalid: ")
          .contains(d.message());
    }
  }

  @Test
  void decodeAnyRejectsFieldsThatMakeNoSense() {
    record Damage(String what, int offset, int value, String message) {}
    int field2 = 64 + 2 * 48;
    List<Damage> damages =
        List.of(
            new Damage("field outside element", field2 + 36, 21, "does not fit in a 24-byte"),
            new Damage("unknown field type", field2 + 32, 99, "has type code 99"),
            new Damage("nested struct", field2 + 32, 16, "expected a primitive"),
            new Damage("empty name", field2, 0, "field 2 name '' is 0 bytes"),
            new Damage("name without NUL", field2 + 31, 'x', "no terminating NUL"),
            new Damage("name not UTF-8", field2 + 1, 0xff, "is not UTF-8"));
    for (Damage d : damages) {
      MemorySegment s = fresh(TICKS);
      putU8(s, d.offset(), d.value());
      if (d.what().equals("name without NUL")) {
        for (int i = 0; i < 31; i++) {
          putU8(s, field2 + i, 'x');
        }
      }
      fixIdentityCrc(s);
      VecFormatException e = failure(() -> HeaderFormat.decodeAny(s, EMPTY_FILE, FILE));
      assertThat(e.reason()).as(d.what()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
      assertThat(e.getMessage()).as(d.what()).contains(d.message());
    }
  }

  @Test
  void decodeRejectsDamagedIdentityBlock() {
    // Bytes no other check reads: the reserved byte, the flags, the informational fields, a
    // reserved byte of a field entry, the checksum itself.
    for (int offset : new int[] {31, 44, 48, 56, 63, 64 + 48 + 40}) {
      MemorySegment s = fresh(TICKS);
      flip(s, offset, 0x10);
      VecFormatException e = decodeFailure(s, EMPTY_FILE, TICKS);
      assertThat(e.reason()).as("byte %d", offset).isEqualTo(Reason.CHECKSUM_MISMATCH);
      assertThat(e.getMessage()).as("byte %d", offset).startsWith("identity block checksum is 0x");
    }
  }

  @Test
  void decodeIgnoresBytesOutsideTheFieldTable() throws Exception {
    MemorySegment s = fresh(TICKS);
    flip(s, 64 + 3 * 48, 0xff);
    flip(s, 4095, 0xff);
    flip(s, SLOT0 + 64, 0xff);
    assertThat(decode(s, EMPTY_FILE, TICKS).identity()).isEqualTo(TICKS);
  }

  // ---- commit slots ------------------------------------------------------------------------

  @Test
  void decodeFallsBackToTheOlderSlotWhenTheNewerIsDamaged() throws Exception {
    MemorySegment s = fresh(LONGS);
    HeaderFormat.encodeSlot(s, 1, new CommitSlot(2, 5, 0));
    flip(s, SLOT1 + 8, 0x01);
    Header h = decode(s, EMPTY_FILE + 40, LONGS);
    assertThat(h.activeSlot()).isZero();
    assertThat(h.active()).isEqualTo(new CommitSlot(1, 0, CREATED_MILLIS));
    assertThat(h.other()).isNull();
  }

  @Test
  void decodeRejectsBothSlotsDamaged() {
    MemorySegment s = fresh(LONGS);
    HeaderFormat.encodeSlot(s, 1, new CommitSlot(2, 5, 0));
    flip(s, SLOT0 + 60, 0x01);
    flip(s, SLOT1 + 3, 0x01);
    VecFormatException e = decodeFailure(s, EMPTY_FILE + 40, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.CHECKSUM_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("both commit slots are damaged: slot 0 fails its checksum")
        .contains("slot 1 fails its checksum");
  }

  @Test
  void decodeSaysEmptyForAnUnwrittenSlot() {
    MemorySegment s = fresh(LONGS);
    flip(s, SLOT0 + 20, 0x01);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.CHECKSUM_MISMATCH);
    assertThat(e.getMessage()).contains("slot 0 fails its checksum", "slot 1 is empty");
  }

  @Test
  void decodeTreatsSequenceZeroAsInvalidEvenWithAGoodChecksum() throws Exception {
    MemorySegment s = fresh(LONGS);
    rawSlot(s, SLOT1, 0, 3);
    Header h = decode(s, EMPTY_FILE, LONGS);
    assertThat(h.activeSlot()).isZero();
    assertThat(h.other()).isNull();
    rawSlot(s, SLOT0, 0, 0);
    VecFormatException e = decodeFailure(s, EMPTY_FILE, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.CHECKSUM_MISMATCH);
    assertThat(e.getMessage()).contains("slot 0 has sequence 0");
  }

  @Test
  void decodePicksSlotZeroWhenSequencesAreEqual() throws Exception {
    MemorySegment s = fresh(LONGS);
    HeaderFormat.encodeSlot(s, 0, new CommitSlot(4, 2, 0));
    HeaderFormat.encodeSlot(s, 1, new CommitSlot(4, 3, 0));
    Header h = decode(s, EMPTY_FILE + 24, LONGS);
    assertThat(h.activeSlot()).isZero();
    assertThat(h.size()).isEqualTo(2);
    assertThat(h.other()).isEqualTo(new CommitSlot(4, 3, 0));
  }

  @Test
  void decodeRejectsCommittedLengthBeyondTheFileWithoutFallingBack() {
    MemorySegment s = fresh(LONGS);
    HeaderFormat.encodeSlot(s, 1, new CommitSlot(2, 10, 0));
    // The older slot (length 0) would fit; the newer is valid, so the file was cut.
    VecFormatException e = decodeFailure(s, EMPTY_FILE + 79, LONGS);
    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
    assertThat(e.getMessage())
        .startsWith("committed size 10 elements needs 65616 bytes, file has 65615 bytes");
  }

  @Test
  void decodeRejectsHugeCommittedLengthWithoutOverflow() {
    for (long length : new long[] {Long.MAX_VALUE, -1L, (Long.MAX_VALUE - 65536) / 24 + 1}) {
      MemorySegment s = fresh(TICKS);
      rawSlot(s, SLOT1, 2, length);
      VecFormatException e = decodeFailure(s, HeaderFormat.MAX_FILE_BYTES, TICKS);
      assertThat(e.reason()).as("length %d", length).isEqualTo(Reason.TRUNCATED);
      assertThat(e.getMessage()).startsWith("committed size " + Long.toUnsignedString(length));
    }
  }

  @Test
  void decodeAcceptsTheLargestLengthThatFits() throws Exception {
    long length = (HeaderFormat.MAX_FILE_BYTES - 65536) / 24;
    MemorySegment s = fresh(TICKS);
    rawSlot(s, SLOT1, 2, length);
    assertThat(decode(s, HeaderFormat.MAX_FILE_BYTES, TICKS).size()).isEqualTo(length);
  }

  /**
   * Hardening 13.1: a file larger than 2^46 bytes is refused, with a typed reason, before anything
   * maps it (a writable open of a 2^61-byte sparse file used to spin forever sizing its address
   * reservation; fails without the check: decode accepted any size).
   */
  @Test
  void decodeRefusesFilesLargerThanTheLimit() throws Exception {
    MemorySegment s = fresh(LONGS);
    assertThat(HeaderFormat.MAX_FILE_BYTES).isEqualTo(1L << 46);
    assertThat(decode(s, HeaderFormat.MAX_FILE_BYTES, LONGS).size()).isZero();
    for (long size :
        new long[] {
          HeaderFormat.MAX_FILE_BYTES + 1, (1L << 61) + 65536, (1L << 62) + 65536, Long.MAX_VALUE
        }) {
      VecFormatException e = decodeFailure(s, size, LONGS);
      assertThat(e.reason()).as("size %d", size).isEqualTo(Reason.LIMIT_EXCEEDED);
      assertThat(e.getMessage()).startsWith("file is " + size + " bytes, more than the");
    }
  }

  /**
   * Hardening 13.8: an active sequence at or above 2^62 is refused at open (it used to open, then
   * every sync failed with an undeclared IllegalArgumentException at 2^63-1); fails without the
   * check. Just below the limit opens.
   */
  @Test
  void decodeRefusesSequencesAtTheLimit() throws Exception {
    for (long sequence : new long[] {HeaderFormat.MAX_SEQUENCE, Long.MAX_VALUE}) {
      MemorySegment s = fresh(LONGS);
      rawSlot(s, SLOT1, sequence, 0);
      VecFormatException e = decodeFailure(s, EMPTY_FILE, LONGS);
      assertThat(e.reason()).as("sequence %d", sequence).isEqualTo(Reason.LIMIT_EXCEEDED);
      assertThat(e.getMessage()).startsWith("commit sequence is " + sequence + " (slot 1)");
    }
    MemorySegment s = fresh(LONGS);
    rawSlot(s, SLOT1, HeaderFormat.MAX_SEQUENCE - 1, 0);
    assertThat(decode(s, EMPTY_FILE, LONGS).active().sequence())
        .isEqualTo(HeaderFormat.MAX_SEQUENCE - 1);
  }

  // ---- every byte, every length --------------------------------------------------------------

  /**
   * Flips every byte of a header whose two slots are both valid, two ways: inside the identity
   * block the file is refused, inside a slot that slot is ignored, elsewhere nothing changes.
   */
  @Test
  void everyFlippedHeaderByteIsRefusedOrFallsBackOrIsIgnored() throws Exception {
    MemorySegment good = fresh(TICKS);
    HeaderFormat.encodeSlot(good, 1, new CommitSlot(2, 3, 9));
    long fileSize = EMPTY_FILE + 3 * 24;
    Header intact = decode(good, fileSize, TICKS);
    int identityEnd = 64 + 48 * 3;
    for (int offset = 0; offset < READ_BYTES; offset++) {
      for (int mask : new int[] {0x01, 0x80, 0xff}) {
        MemorySegment s = copy(good);
        flip(s, offset, mask);
        String at = "byte " + offset + " ^ " + mask;
        if (offset < identityEnd) {
          assertThat(catchThrowable(() -> decode(s, fileSize, TICKS)))
              .as(at)
              .isInstanceOf(VecFormatException.class);
          assertThat(catchThrowable(() -> HeaderFormat.decodeAny(s, fileSize, FILE)))
              .as(at)
              .isInstanceOf(VecFormatException.class);
        } else if (offset >= SLOT0 && offset < SLOT0 + 64) {
          Header h = decode(s, fileSize, TICKS);
          assertThat(h.activeSlot()).as(at).isEqualTo(1);
          assertThat(h.other()).as(at).isNull();
        } else if (offset >= SLOT1 && offset < SLOT1 + 64) {
          Header h = decode(s, fileSize, TICKS);
          assertThat(h.activeSlot()).as(at).isZero();
          assertThat(h.size()).as(at).isZero();
          assertThat(h.other()).as(at).isNull();
        } else {
          assertThat(decode(s, fileSize, TICKS)).as(at).isEqualTo(intact);
        }
      }
    }
  }

  @Test
  void everyTruncationOfTheHeaderIsReportedAsTruncated() {
    MemorySegment good = fresh(TICKS);
    for (int n = 0; n <= READ_BYTES; n++) {
      int size = n;
      MemorySegment cut = good.asSlice(0, n);
      assertThat(failure(() -> HeaderFormat.decode(cut, size, TICKS, FILE)).reason())
          .as("%d bytes", n)
          .isEqualTo(Reason.TRUNCATED);
      assertThat(failure(() -> HeaderFormat.decodeAny(cut, size, FILE)).reason())
          .as("%d bytes", n)
          .isEqualTo(Reason.TRUNCATED);
      // The bytes are all there but the file is that short: still truncated.
      assertThat(failure(() -> HeaderFormat.decode(good, size, TICKS, FILE)).reason())
          .as("file of %d bytes", n)
          .isEqualTo(Reason.TRUNCATED);
    }
  }

  @Test
  void decodeReadsOnlyWhatTheDocumentedOffsetsSay() throws Exception {
    // A header written byte by byte from docs/FORMAT.md decodes: the encoder and the document
    // agree.
    MemorySegment s = MemorySegment.ofArray(new byte[READ_BYTES]);
    MemorySegment.copy(
        "MYDATA01mmapvec\0".getBytes(StandardCharsets.US_ASCII), 0, s, JAVA_BYTE, 0, 16);
    s.set(JAVA_SHORT_UNALIGNED, 16, (short) 0x1234);
    s.set(JAVA_SHORT_UNALIGNED, 18, (short) 1);
    s.set(JAVA_INT_UNALIGNED, 20, 65536);
    s.set(JAVA_SHORT_UNALIGNED, 24, (short) 3);
    s.set(JAVA_SHORT_UNALIGNED, 26, (short) 0);
    s.set(JAVA_SHORT_UNALIGNED, 28, (short) 1);
    s.set(JAVA_BYTE, 30, (byte) 4);
    s.set(JAVA_INT_UNALIGNED, 32, 4);
    s.set(JAVA_INT_UNALIGNED, 36, 4);
    s.set(JAVA_INT_UNALIGNED, 44, 16384);
    s.set(JAVA_LONG_UNALIGNED, 48, 42L);
    fixIdentityCrc(s);
    rawSlot(s, SLOT1, 7, 100);
    Header h = HeaderFormat.decodeAny(s, EMPTY_FILE + 400, FILE);
    assertThat(h.identity())
        .isEqualTo(
            new Identity("MYDATA01", new DataVersion(3, 0, 1), ElementLayout.of(ElementType.INT)));
    assertThat(h.pageSizeAtCreate()).isEqualTo(16384);
    assertThat(h.createdMillis()).isEqualTo(42);
    assertThat(h.activeSlot()).isEqualTo(1);
    assertThat(h.size()).isEqualTo(100);
  }
}
