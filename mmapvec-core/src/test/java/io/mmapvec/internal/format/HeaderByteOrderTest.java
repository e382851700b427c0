package io.mmapvec.internal.format;

import static io.mmapvec.internal.format.HeaderBytes.CREATED_MILLIS;
import static io.mmapvec.internal.format.HeaderBytes.TICK;
import static io.mmapvec.internal.format.HeaderBytes.identity;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mmapvec.VecFormatException;
import io.mmapvec.VecFormatException.Reason;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class HeaderByteOrderTest {
  private static final Path FILE = Path.of("data/x.vec");
  private static final long FILE_SIZE = 65536 + 24 * 1000;
  private static final ByteOrder OTHER =
      ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
          ? ByteOrder.BIG_ENDIAN
          : ByteOrder.LITTLE_ENDIAN;
  private static final ElementLayout LONGS = ElementLayout.of(ElementType.LONG);

  /**
   * A header written byte by byte from the tables of docs/FORMAT.md, in {@code order}, without any
   * code of the library: slot 0 = (1, 0, created), slot 1 = (2, length, commitTime).
   */
  static byte[] handWritten(ByteOrder order, Identity id, long length, long commitTime) {
    ByteBuffer b = ByteBuffer.allocate(3 * 4096).order(order);
    b.put(0, id.magic().getBytes(StandardCharsets.US_ASCII));
    b.put(8, "mmapvec\0".getBytes(StandardCharsets.US_ASCII));
    b.putShort(16, (short) 0x1234);
    b.putShort(18, (short) 1);
    b.putInt(20, 65536);
    b.putShort(24, (short) id.dataVersion().major());
    b.putShort(26, (short) id.dataVersion().minor());
    b.putShort(28, (short) id.dataVersion().patch());
    ElementLayout l = id.layout();
    b.put(30, (byte) l.type().code());
    b.putInt(32, (int) l.byteSize());
    b.putInt(36, (int) l.byteAlignment());
    b.putInt(40, l.fields().size());
    b.putInt(44, 4096);
    b.putLong(48, CREATED_MILLIS);
    for (int i = 0; i < l.fields().size(); i++) {
      FieldLayout f = l.fields().get(i);
      int base = 64 + 48 * i;
      b.put(base, f.name().getBytes(StandardCharsets.UTF_8));
      b.put(base + 32, (byte) f.type().code());
      b.putInt(base + 36, (int) f.offset());
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 60);
    crc.update(b.array(), 64, 48 * l.fields().size());
    b.putInt(60, (int) crc.getValue());
    slot(b, 4096, 1, 0, CREATED_MILLIS);
    slot(b, 8192, 2, length, commitTime);
    return b.array();
  }

  private static void slot(ByteBuffer b, int base, long sequence, long length, long time) {
    b.putLong(base, sequence);
    b.putLong(base + 8, length);
    b.putLong(base + 16, time);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), base, 60);
    b.putInt(base + 60, (int) crc.getValue());
  }

  /** The library's own header in this machine's order, with the same content. */
  private static MemorySegment encoded(Identity id, long length, long commitTime) {
    MemorySegment s = HeaderBytes.fresh(id);
    HeaderFormat.encodeSlot(s, 1, new CommitSlot(2, length, commitTime));
    return s;
  }

  private static byte[] bytes(MemorySegment s) {
    return s.toArray(JAVA_BYTE);
  }

  @Test
  void theHandWrittenHeaderInThisOrderIsTheLibrarysOwn() {
    for (Identity id : List.of(identity(TICK), identity(LONGS))) {
      assertThat(handWritten(ByteOrder.nativeOrder(), id, 1000, 5))
          .isEqualTo(bytes(encoded(id, 1000, 5)));
    }
  }

  @Test
  void toOrderWritesWhatAMachineOfTheOtherOrderWrites() {
    for (Identity id : List.of(identity(TICK), identity(LONGS))) {
      MemorySegment s = encoded(id, 1000, 5);
      HeaderByteOrder.toOrder(s, OTHER);
      assertThat(bytes(s)).isEqualTo(handWritten(OTHER, id, 1000, 5));
    }
  }

  @Test
  void toOrderOfThisMachinesOrderChangesNothing() {
    MemorySegment s = encoded(identity(TICK), 7, 5);
    byte[] before = bytes(s);
    HeaderByteOrder.toOrder(s, ByteOrder.nativeOrder());
    assertThat(bytes(s)).isEqualTo(before);
  }

  @Test
  void aHeaderOfTheOtherOrderDecodesToTheSameValues() throws VecFormatException {
    Identity id = identity(TICK);
    MemorySegment foreign = MemorySegment.ofArray(handWritten(OTHER, id, 1000, 5));
    HeaderByteOrder.Decoded d = HeaderByteOrder.decodeEitherOrder(foreign, FILE_SIZE, FILE);
    assertThat(d.byteOrder()).isEqualTo(OTHER);
    assertThat(d.header()).isEqualTo(HeaderFormat.decodeAny(encoded(id, 1000, 5), FILE_SIZE, FILE));
    assertThat(d.header().length()).isEqualTo(1000);
    assertThat(d.header().activeSlot()).isEqualTo(1);
  }

  @Test
  void aHeaderOfThisOrderDecodesAsDecodeAnyDoes() throws VecFormatException {
    MemorySegment s = encoded(identity(LONGS), 3, 5);
    HeaderByteOrder.Decoded d = HeaderByteOrder.decodeEitherOrder(s, FILE_SIZE, FILE);
    assertThat(d.byteOrder()).isEqualTo(ByteOrder.nativeOrder());
    assertThat(d.header()).isEqualTo(HeaderFormat.decodeAny(s, FILE_SIZE, FILE));
  }

  @Test
  void damageInAForeignIdentityBlockIsStillDamage() {
    byte[] b = handWritten(OTHER, identity(TICK), 1000, 5);
    b[45] ^= 0x10; // the page size: read by no check but the checksum
    VecFormatException e =
        catchThrowableOfType(
            VecFormatException.class,
            () -> HeaderByteOrder.decodeEitherOrder(MemorySegment.ofArray(b), FILE_SIZE, FILE));
    assertThat(e.reason()).isEqualTo(Reason.CHECKSUM_MISMATCH);
    assertThat(e.getMessage()).contains("identity block checksum");
  }

  @Test
  void aDamagedNewestSlotOfAForeignFileFallsBackToTheOlderOne() throws VecFormatException {
    byte[] b = handWritten(OTHER, identity(TICK), 1000, 5);
    b[8192 + 9] ^= 0x01; // slot 1's length
    HeaderByteOrder.Decoded d =
        HeaderByteOrder.decodeEitherOrder(MemorySegment.ofArray(b), FILE_SIZE, FILE);
    assertThat(d.header().activeSlot()).isZero();
    assertThat(d.header().length()).isZero();
    assertThat(d.header().other()).isNull();
  }

  @Test
  void bothForeignSlotsDamagedIsChecksumMismatch() {
    byte[] b = handWritten(OTHER, identity(LONGS), 10, 5);
    b[4096 + 1] ^= 0x01;
    b[8192 + 1] ^= 0x01;
    VecFormatException e =
        catchThrowableOfType(
            VecFormatException.class,
            () -> HeaderByteOrder.decodeEitherOrder(MemorySegment.ofArray(b), FILE_SIZE, FILE));
    assertThat(e.reason()).isEqualTo(Reason.CHECKSUM_MISMATCH);
    assertThat(e.getMessage()).contains("both commit slots are damaged");
  }

  @Test
  void aGarbageMarkerIsNeitherOrder() {
    byte[] b = handWritten(ByteOrder.nativeOrder(), identity(LONGS), 10, 5);
    b[16] = 0x55;
    b[17] = 0x66;
    VecFormatException e =
        catchThrowableOfType(
            VecFormatException.class,
            () -> HeaderByteOrder.decodeEitherOrder(MemorySegment.ofArray(b), FILE_SIZE, FILE));
    assertThat(e.reason()).isEqualTo(Reason.BAD_BYTE_ORDER_MARKER);
  }

  @Test
  void aShortForeignFileIsTruncatedNotSwapped() {
    byte[] b = handWritten(OTHER, identity(LONGS), 10, 5);
    VecFormatException e =
        catchThrowableOfType(
            VecFormatException.class,
            () ->
                HeaderByteOrder.decodeEitherOrder(
                    MemorySegment.ofArray(b).asSlice(0, 100), 100, FILE));
    assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
  }

  @Test
  void swappingTwiceGivesTheOriginalBytes() {
    MemorySegment s = encoded(identity(TICK), 123, 5);
    MemorySegment back = HeaderByteOrder.swapped(HeaderByteOrder.swapped(s, true), false);
    assertThat(bytes(back)).isEqualTo(bytes(s));
  }
}
