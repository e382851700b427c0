package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mmapvec.VecFormatException.Reason;
import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Durability rule 10 and test 4 (the header fault matrix), through the public API: a real file made
 * by {@link LongVec}, damaged on purpose, must be refused with the specific {@link Reason} (or, for
 * a damaged newest commit slot, open with the older slot's length), never with another exception,
 * never rewritten by the failed open, and the message must name the file.
 *
 * <p>The byte offsets are those of docs/FORMAT.md (format v1), written here independently of {@code
 * HeaderFormat}: magic@0, signature@8, byte-order marker u16@16, format version u16@18, data offset
 * u32@20, data version 3×u16@24, element type u8@30, element size u32@32, alignment u32@36, field
 * count u32@40, page size u32@44, created u64@48, flags@56, identity CRC32C@60 over [0,60) and the
 * field table; commit slots at 4096 and 8192 (sequence u64, length u64, commit time u64, CRC32C@60
 * over the slot's first 60 bytes); data at 65536. Integers in the writer's order.
 */
class HeaderValidationTest {
  private static final VecOptions OPTIONS =
      VecOptions.defaults().withMagic("TESTMAGC").withDataVersion(1, 2, 3);

  private static final int MARKER = 16;
  private static final int FORMAT_VERSION = 18;
  private static final int DATA_OFFSET_FIELD = 20;
  private static final int VERSION_MAJOR = 24;
  private static final int VERSION_MINOR = 26;
  private static final int VERSION_PATCH = 28;
  private static final int TYPE_CODE = 30;
  private static final int ELEMENT_SIZE = 32;
  private static final int ALIGNMENT = 36;
  private static final int FIELD_COUNT = 40;
  private static final int PAGE_SIZE = 44;
  private static final int CREATED = 48;
  private static final int FLAGS = 56;
  private static final int IDENTITY_CRC = 60;
  private static final int FIELD_TABLE = 64;
  private static final int FIELD_BYTES = 48;
  private static final int SLOT0 = 4096;
  private static final int SLOT1 = 8192;
  private static final int SLOT_LENGTH = 8;
  private static final int SLOT_CRC = 60;
  private static final int HEADER_BYTES = 3 * 4096;
  private static final int DATA_OFFSET = 65536;

  /** The committed length, and the length of the older slot (an earlier sync). */
  private static final int LENGTH = 100;

  private static final int OLDER_LENGTH = 50;

  @TempDir static Path shared;
  @TempDir Path dir;

  /** The undamaged file's bytes. */
  private static byte[] pristine;

  /** Offsets of the slot with the higher sequence (committed length) and of the other one. */
  private static int newestSlot;

  private static int olderSlot;

  @BeforeAll
  static void createVectorWithTwoSyncsOfDifferentLengths() throws IOException {
    Path file = shared.resolve("pristine.vec");
    try (LongVec v = LongVec.open(file, OPTIONS)) {
      for (int i = 0; i < OLDER_LENGTH; i++) {
        v.add(value(i));
      }
      v.sync();
      for (int i = OLDER_LENGTH; i < LENGTH; i++) {
        v.add(value(i));
      }
      v.sync();
    }
    pristine = Files.readAllBytes(file);
    // What the rest of this class assumes, checked once: a format change is one clear failure.
    assertThat(pristine.length).isGreaterThanOrEqualTo(DATA_OFFSET + LENGTH * 8);
    long seq0 = getLong(pristine, SLOT0);
    long seq1 = getLong(pristine, SLOT1);
    assertThat(Math.abs(seq0 - seq1)).as("slot sequences %d and %d", seq0, seq1).isEqualTo(1);
    newestSlot = seq0 > seq1 ? SLOT0 : SLOT1;
    olderSlot = seq0 > seq1 ? SLOT1 : SLOT0;
    assertThat(getLong(pristine, newestSlot + SLOT_LENGTH)).isEqualTo(LENGTH);
    assertThat(getLong(pristine, olderSlot + SLOT_LENGTH)).isEqualTo(OLDER_LENGTH);
    assertThat(getShort(pristine, MARKER)).isEqualTo((short) 0x1234);
    assertThat(getInt(pristine, FIELD_COUNT)).isZero();
    byte[] check = pristine.clone();
    fixIdentityCrc(check);
    fixSlotCrc(check, SLOT0);
    fixSlotCrc(check, SLOT1);
    assertThat(check).as("CRC32C as docs/FORMAT.md describes it").isEqualTo(pristine);
  }

  private static long value(long i) {
    return i * 0x9E3779B97F4A7C15L + 1;
  }

  // ---- the undamaged file

  @Test
  void undamagedFileOpensWithItsCommittedLength() throws IOException {
    Path file = write("ok.vec", pristine);
    for (VecOptions options : List.of(OPTIONS, OPTIONS.withReadOnly(true))) {
      try (LongVec v = LongVec.open(file, options)) {
        assertContents(v, LENGTH);
      }
    }
  }

  // ---- identity

  @Test
  void openRejectsFileWithForeignMagic() throws IOException {
    Path file = write("magic.vec", pristine);
    VecFormatException e =
        assertRejected(file, OPTIONS.withMagic("OTHERMAG"), Reason.MAGIC_MISMATCH);
    assertThat(e.getMessage()).contains("TESTMAGC").contains("OTHERMAG");
    assertRejected(file, VecOptions.defaults(), Reason.MAGIC_MISMATCH);

    byte[] b = pristine.clone();
    b[3] ^= 0x20; // "TESTMAGC" -> "TEStMAGC"
    assertRejected(write("magic-damaged.vec", b), Reason.MAGIC_MISMATCH);
  }

  @Test
  void openRejectsFileWithoutLibrarySignature() throws IOException {
    byte[] b = pristine.clone();
    b[8] ^= 0x01;
    assertRejected(write("signature.vec", b), Reason.NOT_A_MMAPVEC_FILE);

    byte[] text = new byte[DATA_OFFSET + 4096];
    Arrays.fill(text, (byte) 'x');
    assertRejected(write("text.vec", text), Reason.NOT_A_MMAPVEC_FILE);
    assertRejected(write("zeros.vec", new byte[DATA_OFFSET + 4096]), Reason.NOT_A_MMAPVEC_FILE);
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, 15, 16, 100, 4096, 8192, 12287, 12288, 65535})
  void openRejectsFileTruncatedBelowTheHeader(int size) throws IOException {
    Path file = write("short.vec", Arrays.copyOf(pristine, size));
    assertRejected(file, Reason.TRUNCATED);
  }

  @ParameterizedTest(name = "{0} bytes of data")
  @ValueSource(ints = {0, 8, OLDER_LENGTH * 8, LENGTH * 8 - 1})
  void openRejectsFileTruncatedBelowTheCommittedData(int dataBytes) throws IOException {
    Path file = write("cut.vec", Arrays.copyOf(pristine, DATA_OFFSET + dataBytes));
    assertRejected(file, Reason.TRUNCATED);
  }

  @Test
  void fileCutRightAfterTheCommittedDataStillOpens() throws IOException {
    Path file = write("exact.vec", Arrays.copyOf(pristine, DATA_OFFSET + LENGTH * 8));
    for (VecOptions options : List.of(OPTIONS.withReadOnly(true), OPTIONS)) {
      try (LongVec v = LongVec.open(file, options)) {
        assertContents(v, LENGTH);
      }
    }
  }

  @Test
  void openRejectsGarbageByteOrderMarker() throws IOException {
    for (int marker : new int[] {0xABCD, 0x0000, 0xFFFF, 0x1212, 0x3434, 0x1235}) {
      byte[] b = pristine.clone();
      putShort(b, MARKER, (short) marker);
      assertRejected(write("marker.vec", b), Reason.BAD_BYTE_ORDER_MARKER);
      fixIdentityCrc(b);
      assertRejected(write("marker-crc.vec", b), Reason.BAD_BYTE_ORDER_MARKER);
    }
  }

  @Test
  void openRejectsByteSwappedMarkerAsFileFromTheOtherByteOrder() throws IOException {
    byte[] b = pristine.clone();
    byte t = b[MARKER];
    b[MARKER] = b[MARKER + 1];
    b[MARKER + 1] = t;
    VecFormatException e = assertRejected(write("swapped.vec", b), Reason.BYTE_ORDER_MISMATCH);
    assertThat(e.getMessage()).contains("endian");
  }

  @Test
  void openRejectsFileWrittenInTheOtherByteOrder() throws IOException {
    VecFormatException e =
        assertRejected(
            write("other-order.vec", otherByteOrder(pristine)), Reason.BYTE_ORDER_MISMATCH);
    String other =
        ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "big-endian" : "little-endian";
    assertThat(e.getMessage()).contains(other);
  }

  @Test
  void openRejectsUnsupportedFormatVersion() throws IOException {
    for (int version : new int[] {0, 2, 0x0100, 0xFFFF}) {
      byte[] b = pristine.clone();
      putShort(b, FORMAT_VERSION, (short) version);
      // Checked before the checksum: a later format version may checksum differently.
      assertRejected(write("format.vec", b), Reason.UNSUPPORTED_FORMAT_VERSION);
      fixIdentityCrc(b);
      assertRejected(write("format-crc.vec", b), Reason.UNSUPPORTED_FORMAT_VERSION);
    }
  }

  @Test
  void openRejectsOtherDataOffset() throws IOException {
    for (int offset : new int[] {0, 4096, 12288, 65535, 65537, 131072, -1}) {
      byte[] b = pristine.clone();
      putInt(b, DATA_OFFSET_FIELD, offset);
      fixIdentityCrc(b);
      assertRejected(write("offset.vec", b), Reason.BAD_DATA_OFFSET);
    }
  }

  @Test
  void openRejectsOtherDataVersion() throws IOException {
    Path file = write("version.vec", pristine);
    for (VecOptions asked :
        List.of(
            OPTIONS.withDataVersion(1, 2, 4),
            OPTIONS.withDataVersion(1, 3, 3),
            OPTIONS.withDataVersion(2, 2, 3),
            OPTIONS.withDataVersion(0, 0, 0))) {
      VecFormatException e = assertRejected(file, asked, Reason.DATA_VERSION_MISMATCH);
      assertThat(e.getMessage()).contains("1.2.3").contains(asked.dataVersion().toString());
    }
    for (int field : new int[] {VERSION_MAJOR, VERSION_MINOR, VERSION_PATCH}) {
      byte[] b = pristine.clone();
      putShort(b, field, (short) (getShort(b, field) + 1));
      fixIdentityCrc(b);
      assertRejected(write("version-" + field + ".vec", b), Reason.DATA_VERSION_MISMATCH);
    }
  }

  @Test
  void openRejectsOtherElementType() throws IOException {
    Path file = write("type.vec", pristine);
    for (Opener opener :
        List.<Opener>of(
            (p, o) -> DoubleVec.open(p, o), // same size, other type
            (p, o) -> IntVec.open(p, o),
            (p, o) -> ByteVec.open(p, o),
            (p, o) -> ShortVec.open(p, o),
            (p, o) -> FloatVec.open(p, o))) {
      Snapshot before = Snapshot.of(file);
      Throwable t = catchThrowable(() -> opener.open(file, OPTIONS).close());
      assertThat(t).isInstanceOf(VecFormatException.class).hasMessageContaining(file.toString());
      assertThat(((VecFormatException) t).reason()).isEqualTo(Reason.ELEMENT_TYPE_MISMATCH);
      assertThat(Snapshot.of(file)).isEqualTo(before);
    }

    record Change(int offset, int size, long value) {}
    for (Change c :
        List.of(
            new Change(TYPE_CODE, 1, 7), // double
            new Change(TYPE_CODE, 1, 16), // struct
            new Change(TYPE_CODE, 1, 0),
            new Change(TYPE_CODE, 1, 99),
            new Change(ELEMENT_SIZE, 4, 4),
            new Change(ELEMENT_SIZE, 4, 16),
            new Change(ELEMENT_SIZE, 4, 0),
            new Change(ALIGNMENT, 4, 4),
            new Change(ALIGNMENT, 4, 0),
            new Change(FIELD_COUNT, 4, 1),
            new Change(FIELD_COUNT, 4, 2))) {
      byte[] b = pristine.clone();
      if (c.size() == 1) {
        b[c.offset()] = (byte) c.value();
      } else {
        putInt(b, c.offset(), (int) c.value());
      }
      fixIdentityCrc(b);
      assertRejected(write("layout.vec", b), Reason.ELEMENT_TYPE_MISMATCH);
    }
  }

  @Test
  void openRejectsDamageToIdentityBytesNoOtherCheckReads() throws IOException {
    // A reserved byte, informational fields, the flags and the checksum itself.
    int[] offsets = {
      31,
      PAGE_SIZE,
      PAGE_SIZE + 2,
      CREATED,
      CREATED + 7,
      FLAGS,
      FLAGS + 3,
      IDENTITY_CRC,
      IDENTITY_CRC + 3
    };
    for (int offset : offsets) {
      byte[] b = pristine.clone();
      b[offset] ^= 0x01;
      VecFormatException e = assertRejected(write("identity.vec", b), Reason.CHECKSUM_MISMATCH);
      assertThat(e.getMessage()).as("byte %d", offset).contains("checksum");
    }
  }

  // ---- commit slots

  @Test
  void damagedNewestSlotFallsBackToTheOlderSlotsLength() throws IOException {
    for (int offset : new int[] {0, 7, SLOT_LENGTH, 20, 40, 59, SLOT_CRC, SLOT_CRC + 3}) {
      byte[] b = pristine.clone();
      b[newestSlot + offset] ^= 0x10;
      Path file = write("newest-" + offset + ".vec", b);
      try (LongVec v = LongVec.open(file, OPTIONS.withReadOnly(true))) {
        assertContents(v, OLDER_LENGTH);
      }
    }
    // Writable, then sync: the damaged slot is the inactive one; the next commit overwrites it.
    byte[] b = pristine.clone();
    b[newestSlot + SLOT_LENGTH] ^= 0x10;
    Path file = write("newest-then-sync.vec", b);
    try (LongVec v = LongVec.open(file, OPTIONS)) {
      assertContents(v, OLDER_LENGTH);
      v.add(value(OLDER_LENGTH));
      v.add(value(OLDER_LENGTH + 1));
      v.sync();
    }
    try (LongVec v = LongVec.open(file, OPTIONS.withReadOnly(true))) {
      assertContents(v, OLDER_LENGTH + 2);
    }
  }

  @Test
  void validSlotWithTheHigherSequenceWinsWhereverItIs() throws IOException {
    long newestSequence = getLong(pristine, newestSlot);
    byte[] b = pristine.clone();
    putLong(b, olderSlot, newestSequence + 1);
    fixSlotCrc(b, olderSlot);
    try (LongVec v = LongVec.open(write("older-wins.vec", b), OPTIONS.withReadOnly(true))) {
      assertContents(v, OLDER_LENGTH);
    }
  }

  @Test
  void slotWithSequenceOutsideOneTo2Pow63Minus1IsNotValid() throws IOException {
    for (long sequence : new long[] {0, Long.MIN_VALUE, -1}) {
      byte[] b = pristine.clone();
      putLong(b, newestSlot, sequence);
      fixSlotCrc(b, newestSlot);
      try (LongVec v = LongVec.open(write("sequence.vec", b), OPTIONS.withReadOnly(true))) {
        assertThat(v.size())
            .as("newest slot with sequence %s", Long.toUnsignedString(sequence))
            .isEqualTo(OLDER_LENGTH);
      }
      putLong(b, olderSlot, sequence);
      fixSlotCrc(b, olderSlot);
      assertRejected(write("sequences.vec", b), Reason.CHECKSUM_MISMATCH);
    }
  }

  /**
   * Hardening 13.8: a newest slot with sequence 2^63-1 (or anything from 2^62) is refused at open
   * with LIMIT_EXCEEDED, on both backends; before the fix it opened and every sync then failed with
   * an undeclared IllegalArgumentException.
   */
  @Test
  void openRefusesCommitSequenceAtTheLimit() throws IOException {
    for (long sequence : new long[] {Long.MAX_VALUE, 1L << 62}) {
      byte[] b = pristine.clone();
      putLong(b, newestSlot, sequence);
      fixSlotCrc(b, newestSlot);
      assertRejected(write("sequence-limit.vec", b), Reason.LIMIT_EXCEEDED);
    }
    byte[] b = pristine.clone();
    putLong(b, newestSlot, (1L << 62) - 2);
    fixSlotCrc(b, newestSlot);
    Path file = write("sequence-below.vec", b);
    try (LongVec v = LongVec.open(file, OPTIONS)) {
      v.add(1);
      v.sync(); // writes sequence 2^62 - 1, the last one allowed
      v.add(2);
      Throwable t = catchThrowable(v::sync);
      assertThat(t).isInstanceOf(IOException.class).hasMessageContaining("at its limit 2^62");
    } catch (IOException expectedAtClose) {
      // close retries the sync of the poisoned vector and reports the same failure
    }
  }

  /**
   * Hardening 13.1: a valid vector made sparse beyond 2^46 bytes is refused with LIMIT_EXCEEDED on
   * both backends, writable and read-only. Before the fix a writable native open of a 2^61 + 64 KiB
   * file spun forever (the reservation doubling overflowed to 0) and one above 2^62 opened with a
   * bogus capacity. Needs a file system that allows such sparse files: tmpfs at /dev/shm.
   */
  @Test
  void openRefusesSparseFilesLargerThanTheLimit() throws IOException {
    Path shm = Path.of("/dev/shm");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isDirectory(shm) && Files.isWritable(shm), "no tmpfs at /dev/shm");
    Path tmp = Files.createTempDirectory(shm, "mmapvec-huge-");
    try {
      for (long size : new long[] {(1L << 46) + 4096, (1L << 61) + 65536, (1L << 62) + 65536}) {
        Path file = tmp.resolve("huge.vec");
        Files.write(file, pristine);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate(size); // no-op: truncate only shrinks; extend with a write at the end
          ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
        }
        assertThat(Files.size(file)).isEqualTo(size);
        for (Backend backend : List.of(Backend.current(), Backend.channelBackend())) {
          for (VecOptions o : List.of(OPTIONS, OPTIONS.withReadOnly(true))) {
            String how = (o.readOnly() ? "read-only " : "writable ") + backend.name();
            Throwable t =
                org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                    java.time.Duration.ofSeconds(60),
                    () -> catchThrowable(() -> LongVec.open(file, o, backend).close()),
                    how + " open of a " + size + "-byte sparse file hangs");
            assertThat(t).as("%s open, size %d", how, size).isInstanceOf(VecFormatException.class);
            assertThat(((VecFormatException) t).reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
            assertThat(t.getMessage()).contains(file.toString());
            assertThat(Files.size(file)).isEqualTo(size);
          }
        }
        Files.delete(file);
      }
    } finally {
      try (Stream<Path> s = Files.list(tmp)) {
        for (Path p : s.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(tmp);
    }
  }

  @Test
  void slotZeroWinsATieOfSequences() throws IOException {
    byte[] b = pristine.clone();
    putLong(b, olderSlot, getLong(pristine, newestSlot));
    fixSlotCrc(b, olderSlot);
    long slotZeroLength = getLong(pristine, SLOT0 + SLOT_LENGTH);
    try (LongVec v = LongVec.open(write("tie.vec", b), OPTIONS.withReadOnly(true))) {
      assertContents(v, (int) slotZeroLength);
    }
  }

  @Test
  void damagedOlderSlotDoesNotMatter() throws IOException {
    byte[] b = pristine.clone();
    b[olderSlot + SLOT_LENGTH] ^= 0x10;
    try (LongVec v = LongVec.open(write("older.vec", b), OPTIONS)) {
      assertContents(v, LENGTH);
    }
  }

  @Test
  void openRejectsFileWhoseBothSlotsAreDamaged() throws IOException {
    byte[] b = pristine.clone();
    b[SLOT0 + SLOT_LENGTH] ^= 0x01;
    b[SLOT1 + SLOT_CRC] ^= 0x01;
    VecFormatException e = assertRejected(write("both.vec", b), Reason.CHECKSUM_MISMATCH);
    assertThat(e.getMessage()).contains("slot");

    byte[] empty = pristine.clone();
    Arrays.fill(empty, SLOT0, SLOT0 + 64, (byte) 0);
    Arrays.fill(empty, SLOT1, SLOT1 + 64, (byte) 0);
    assertRejected(write("both-empty.vec", empty), Reason.CHECKSUM_MISMATCH);
  }

  @Test
  void openRejectsValidSlotWhoseLengthDoesNotFitTheFile() throws IOException {
    // A newest slot with a good checksum vouches for durable data: a file too short for it was cut.
    long capacity = (pristine.length - DATA_OFFSET) / 8;
    for (long length : new long[] {capacity + 1, 1L << 20, 1L << 60, Long.MAX_VALUE}) {
      byte[] b = pristine.clone();
      putLong(b, newestSlot + SLOT_LENGTH, length);
      fixSlotCrc(b, newestSlot);
      assertRejected(write("length.vec", b), Reason.TRUNCATED);
    }
    // The length is a u64: these are 2^64-1 and 2^63 elements, which no file holds.
    for (long length : new long[] {-1, Long.MIN_VALUE}) {
      byte[] b = pristine.clone();
      putLong(b, newestSlot + SLOT_LENGTH, length);
      fixSlotCrc(b, newestSlot);
      assertRejected(write("huge.vec", b), Reason.TRUNCATED);
    }
  }

  // ---- every byte

  /**
   * Flips every byte of the header pages, one at a time, in one copy (restored after each open): an
   * open either works with a length the crash contract allows or throws {@link VecFormatException};
   * never another exception, never a crash, never a rewrite of the file. Stricter where the format
   * makes a promise: damage to the identity block is always refused, damage to the newest slot
   * never yields its length, and damage to the older slot changes nothing.
   */
  @Test
  void everySingleByteFlipInTheHeaderIsRefusedOrOpensWithAnAllowedLength() throws IOException {
    Path file = write("flip.vec", pristine);
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    byte[] damaged = Arrays.copyOf(pristine, HEADER_BYTES);
    ByteBuffer readBack = ByteBuffer.allocate(HEADER_BYTES);
    long start = System.nanoTime();
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      bytes:
      for (int i = 0; i < HEADER_BYTES; i++) {
        for (int mask : i < 128 || inSlot(i) ? new int[] {0xFF, 0x01, 0x80} : new int[] {0xFF}) {
          byte original = pristine[i];
          damaged[i] = (byte) (original ^ mask);
          writeByte(ch, i, damaged[i]);
          String outcome = openOnce(file, i, failures);
          outcomes.merge(region(i) + ": " + outcome, 1, Integer::sum);

          readBack.clear();
          while (readBack.hasRemaining() && ch.read(readBack, readBack.position()) > 0) {}
          if (ch.size() != pristine.length || !Arrays.equals(readBack.array(), damaged)) {
            failures.add("byte " + i + " ^ " + mask + ": open changed the file (" + outcome + ")");
            ch.write(ByteBuffer.wrap(pristine), 0);
            ch.truncate(pristine.length);
          }
          damaged[i] = original;
          writeByte(ch, i, original);
          if (failures.size() > 20) {
            break bytes;
          }
        }
      }
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("byte flips over [0, " + HEADER_BYTES + ") in " + millis + " ms:");
    outcomes.forEach((k, v) -> System.out.println("  " + k + " x" + v));
    assertThat(failures).isEmpty();
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("flip.vec");
    }
  }

  /** Opens once, writable, and checks the outcome against what byte {@code i} may cause. */
  private static String openOnce(Path file, int i, List<String> failures) {
    LongVec v = null;
    try {
      v = LongVec.open(file, OPTIONS);
      long size = v.size();
      long allowed = i >= newestSlot && i < newestSlot + 64 ? OLDER_LENGTH : LENGTH;
      if (i < FIELD_TABLE) {
        failures.add("byte " + i + ": identity damage went unnoticed, opened with " + size);
      } else if (size != allowed) {
        failures.add("byte " + i + ": opened with length " + size + ", expected " + allowed);
      } else if (v.get(0) != value(0) || v.get(size - 1) != value(size - 1)) {
        failures.add("byte " + i + ": opened with wrong contents");
      }
      return "opened with " + size;
    } catch (VecFormatException e) {
      if (!e.getMessage().contains(file.toString())) {
        failures.add("byte " + i + ": message does not name the file: " + e.getMessage());
      }
      if (i >= olderSlot && i < olderSlot + 64) {
        // Rule 4: the valid slot with the higher sequence wins; the older one does not matter.
        failures.add("byte " + i + ": refused for damage to the older slot only: " + e);
      }
      return e.reason().toString();
    } catch (Throwable t) {
      failures.add("byte " + i + ": " + t);
      return t.getClass().getSimpleName();
    } finally {
      if (v != null) {
        try {
          v.close();
        } catch (Throwable t) {
          failures.add("byte " + i + ": close failed: " + t);
        }
      }
    }
  }

  private static boolean inSlot(int i) {
    return i >= SLOT0 && i < SLOT0 + 64 || i >= SLOT1 && i < SLOT1 + 64;
  }

  private static String region(int i) {
    if (i < FIELD_TABLE) {
      return "identity [0,64)";
    }
    if (i < SLOT0) {
      return "unused [64,4096)";
    }
    if (i >= newestSlot && i < newestSlot + 64) {
      return "newest slot";
    }
    if (i >= olderSlot && i < olderSlot + 64) {
      return "older slot";
    }
    return "unused slot page bytes";
  }

  private static void writeByte(FileChannel ch, long offset, byte b) throws IOException {
    ch.write(ByteBuffer.wrap(new byte[] {b}), offset);
  }

  // ---- helpers

  @FunctionalInterface
  private interface Opener {
    Vec open(Path path, VecOptions options) throws IOException;
  }

  /** What must not change when an open fails: the file's bytes and size, and the directory. */
  private record Snapshot(String sha256, long size, List<String> directory) {
    static Snapshot of(Path file) throws IOException {
      try (Stream<Path> s = Files.list(file.toAbsolutePath().getParent())) {
        byte[] bytes = Files.readAllBytes(file);
        return new Snapshot(
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
            bytes.length,
            s.map(p -> p.getFileName().toString()).sorted().toList());
      } catch (NoSuchAlgorithmException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static VecFormatException assertRejected(Path file, Reason reason) throws IOException {
    return assertRejected(file, OPTIONS, reason);
  }

  /**
   * Opens {@code file} writable, then read-only, with the backend of this JVM and with the
   * FileChannel fallback; each open must throw {@link VecFormatException} with {@code reason} (any
   * reason if null), name the file, and leave the file and its directory exactly as they were.
   */
  private static VecFormatException assertRejected(Path file, VecOptions options, Reason reason)
      throws IOException {
    Snapshot before = Snapshot.of(file);
    VecFormatException first = null;
    for (Backend backend : List.of(Backend.current(), Backend.channelBackend())) {
      for (VecOptions o : List.of(options.withReadOnly(false), options.withReadOnly(true))) {
        String how = (o.readOnly() ? "read-only " : "writable ") + backend.name();
        Throwable t = catchThrowable(() -> LongVec.open(file, o, backend).close());
        assertThat(t).as("%s open of %s", how, file).isInstanceOf(VecFormatException.class);
        VecFormatException e = (VecFormatException) t;
        if (reason != null) {
          assertThat(e.reason()).as("%s open: %s", how, e.getMessage()).isEqualTo(reason);
        }
        assertThat(e.getMessage()).as("the message names the file").contains(file.toString());
        assertThat(e.file()).isEqualTo(file);
        assertThat(Snapshot.of(file))
            .as("after a failed %s open: never rewritten, no temporary files", how)
            .isEqualTo(before);
        if (first == null) {
          first = e;
        }
      }
    }
    return first;
  }

  private static void assertContents(LongVec v, int length) {
    assertThat(v.size()).isEqualTo(length);
    long[] expected = new long[length];
    for (int i = 0; i < length; i++) {
      expected[i] = value(i);
    }
    assertThat(v.toArray()).isEqualTo(expected);
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  /** The file as a machine of the other byte order would have written it. */
  private static byte[] otherByteOrder(byte[] mine) {
    byte[] b = mine.clone();
    int[][] fields = {
      {MARKER, 2}, {FORMAT_VERSION, 2}, {DATA_OFFSET_FIELD, 4}, {VERSION_MAJOR, 2},
      {VERSION_MINOR, 2}, {VERSION_PATCH, 2}, {ELEMENT_SIZE, 4}, {ALIGNMENT, 4},
      {FIELD_COUNT, 4}, {PAGE_SIZE, 4}, {CREATED, 8}, {FLAGS, 4},
    };
    for (int[] f : fields) {
      reverse(b, f[0], f[1]);
    }
    putIntSwapped(b, IDENTITY_CRC, identityCrc(b, 0));
    for (int slot : new int[] {SLOT0, SLOT1}) {
      for (int field = 0; field < 24; field += 8) { // sequence, length, commit time
        reverse(b, slot + field, 8);
      }
      putIntSwapped(b, slot + SLOT_CRC, crc(b, slot, SLOT_CRC));
    }
    return b;
  }

  private static void reverse(byte[] b, int offset, int length) {
    for (int i = 0, j = length - 1; i < j; i++, j--) {
      byte t = b[offset + i];
      b[offset + i] = b[offset + j];
      b[offset + j] = t;
    }
  }

  private static void putIntSwapped(byte[] b, int offset, int v) {
    putInt(b, offset, Integer.reverseBytes(v));
  }

  private static int identityCrc(byte[] b, int fieldCount) {
    CRC32C crc = new CRC32C();
    crc.update(b, 0, IDENTITY_CRC);
    crc.update(b, FIELD_TABLE, FIELD_BYTES * fieldCount);
    return (int) crc.getValue();
  }

  private static int crc(byte[] b, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(b, offset, length);
    return (int) crc.getValue();
  }

  /** Recomputes the identity checksum, as a writer of this (changed) header would have. */
  private static void fixIdentityCrc(byte[] b) {
    int count = getInt(b, FIELD_COUNT);
    int fields = count >= 0 && count <= (4096 - FIELD_TABLE) / FIELD_BYTES ? count : 0;
    putInt(b, IDENTITY_CRC, identityCrc(b, fields));
  }

  private static void fixSlotCrc(byte[] b, int slot) {
    putInt(b, slot + SLOT_CRC, crc(b, slot, SLOT_CRC));
  }

  private static ByteBuffer nat(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
  }

  private static short getShort(byte[] b, int offset) {
    return nat(b).getShort(offset);
  }

  private static int getInt(byte[] b, int offset) {
    return nat(b).getInt(offset);
  }

  private static long getLong(byte[] b, int offset) {
    return nat(b).getLong(offset);
  }

  private static void putShort(byte[] b, int offset, short v) {
    nat(b).putShort(offset, v);
  }

  private static void putInt(byte[] b, int offset, int v) {
    nat(b).putInt(offset, v);
  }

  private static void putLong(byte[] b, int offset, long v) {
    nat(b).putLong(offset, v);
  }
}
