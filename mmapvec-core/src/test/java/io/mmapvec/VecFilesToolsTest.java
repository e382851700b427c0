package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mmapvec.StructRecords.All8;
import io.mmapvec.StructRecords.Tick;
import io.mmapvec.internal.posix.Posix;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** VecFiles' tool operations: describe in either order, openReader, verify, convert, compact. */
class VecFilesToolsTest {
  private static final ByteOrder OTHER =
      ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
          ? ByteOrder.BIG_ENDIAN
          : ByteOrder.LITTLE_ENDIAN;
  private static final int N = 3_000;

  @TempDir Path dir;

  // ------------------------------------------------------------------ an independent reader

  /**
   * Reads a vector file the way docs/FORMAT.md tells a foreign reader to, without library code: the
   * byte order from the marker, the length from the valid slot with the higher sequence, then the
   * raw element bytes.
   */
  record Raw(ByteOrder order, long length, int elementSize, byte[] elements) {
    static Raw read(Path file) throws IOException {
      byte[] all = Files.readAllBytes(file);
      ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.BIG_ENDIAN);
      ByteOrder order = b.getShort(16) == 0x1234 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      b.order(order);
      assertThat(b.getShort(16)).isEqualTo((short) 0x1234);
      long best = 0;
      long length = -1;
      for (int base : new int[] {4096, 8192}) {
        CRC32C crc = new CRC32C();
        crc.update(all, base, 60);
        long seq = b.getLong(base);
        if (seq > best && b.getInt(base + 60) == (int) crc.getValue()) {
          best = seq;
          length = b.getLong(base + 8);
        }
      }
      int size = b.getInt(32);
      byte[] elements = Arrays.copyOfRange(all, 65536, (int) (65536 + length * size));
      return new Raw(order, length, size, elements);
    }

    ByteBuffer buffer() {
      return ByteBuffer.wrap(elements).order(order);
    }
  }

  /** The element types a convert round trip is checked on. */
  enum Kind {
    BYTE,
    SHORT,
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    RECORD
  }

  /** Writes N values of {@code kind} with the library; value i is a function of i. */
  private static void write(Kind kind, Path file) throws IOException {
    switch (kind) {
      case BYTE -> {
        try (ByteVec v = ByteVec.open(file)) {
          for (int i = 0; i < N; i++) {
            v.add((byte) (i * 7));
          }
        }
      }
      case SHORT -> {
        try (ShortVec v = ShortVec.open(file)) {
          for (int i = 0; i < N; i++) {
            v.add((short) (i * 31 - 1000));
          }
        }
      }
      case INT -> {
        try (IntVec v = IntVec.open(file)) {
          for (int i = 0; i < N; i++) {
            v.add(i * 1_000_003);
          }
        }
      }
      case LONG -> {
        try (LongVec v = LongVec.open(file)) {
          for (int i = 0; i < N; i++) {
            v.add(i * 0x1_0000_0001L - 5);
          }
        }
      }
      case FLOAT -> {
        try (FloatVec v = FloatVec.open(file)) {
          for (int i = 0; i < N; i++) {
            v.add(i * 0.5f - 3);
          }
        }
      }
      case DOUBLE -> {
        try (DoubleVec v = DoubleVec.open(file)) {
          for (int i = 0; i < N; i++) {
            v.add(i / 3.0);
          }
        }
      }
      case RECORD -> {
        try (StructVec<All8> v = StructVec.open(file, All8.class)) {
          for (int i = 0; i < N; i++) {
            v.add(all8(i));
          }
        }
      }
    }
  }

  private static All8 all8(int i) {
    return new All8(
        (byte) i,
        (short) (i * 3),
        (char) ('A' + i % 26),
        i * 7,
        i * 0x1_0000_0001L,
        i * 0.25f,
        i / 7.0,
        i % 2 == 0);
  }

  /** Checks value i of a raw file of {@code kind} against the function that wrote it. */
  private static void checkValues(Kind kind, Raw raw) {
    ByteBuffer b = raw.buffer();
    assertThat(raw.length()).isEqualTo(N);
    for (int i = 0; i < N; i++) {
      switch (kind) {
        case BYTE -> assertThat(b.get(i)).isEqualTo((byte) (i * 7));
        case SHORT -> assertThat(b.getShort(2 * i)).isEqualTo((short) (i * 31 - 1000));
        case INT -> assertThat(b.getInt(4 * i)).isEqualTo(i * 1_000_003);
        case LONG -> assertThat(b.getLong(8 * i)).isEqualTo(i * 0x1_0000_0001L - 5);
        case FLOAT -> assertThat(b.getFloat(4 * i)).isEqualTo(i * 0.5f - 3);
        case DOUBLE -> assertThat(b.getDouble(8 * i)).isEqualTo(i / 3.0);
        case RECORD -> {
          // C layout of All8: b@0 s@2 c@4 i@8 l@16 f@24 d@32 z@40, 48 bytes.
          int at = raw.elementSize() * i;
          All8 want = all8(i);
          assertThat(raw.elementSize()).isEqualTo(48);
          assertThat(b.get(at)).isEqualTo(want.b());
          assertThat(b.getShort(at + 2)).isEqualTo(want.s());
          assertThat(b.getChar(at + 4)).isEqualTo(want.c());
          assertThat(b.getInt(at + 8)).isEqualTo(want.i());
          assertThat(b.getLong(at + 16)).isEqualTo(want.l());
          assertThat(b.getFloat(at + 24)).isEqualTo(want.f());
          assertThat(b.getDouble(at + 32)).isEqualTo(want.d());
          assertThat(b.get(at + 40)).isEqualTo((byte) (want.z() ? 1 : 0));
        }
      }
    }
  }

  // ------------------------------------------------------------------ convert

  @ParameterizedTest
  @EnumSource(Kind.class)
  void convertToTheOtherOrderAndBackGivesIdenticalElementBytes(Kind kind) throws IOException {
    Path original = dir.resolve("original.vec");
    Path foreign = dir.resolve("foreign.vec");
    Path back = dir.resolve("back.vec");
    write(kind, original);
    Raw mine = Raw.read(original);
    checkValues(kind, mine);

    List<Long> progress = new ArrayList<>();
    VecFiles.convert(original, foreign, OTHER, progress::add);
    Raw theirs = Raw.read(foreign);
    assertThat(theirs.order()).isEqualTo(OTHER);
    checkValues(kind, theirs);
    assertThat(progress).isSorted().last().isEqualTo((long) mine.elements().length);
    if (kind != Kind.BYTE) {
      assertThat(theirs.elements()).isNotEqualTo(mine.elements());
    }

    VecDescription d = VecFiles.describe(foreign);
    assertThat(d.byteOrder()).isEqualTo(OTHER);
    assertThat(d.size()).isEqualTo(N);
    assertThat(d.fields()).isEqualTo(VecFiles.describe(original).fields());

    VecFiles.convert(foreign, back, ByteOrder.nativeOrder());
    Raw again = Raw.read(back);
    assertThat(again.order()).isEqualTo(ByteOrder.nativeOrder());
    assertThat(again.elements()).isEqualTo(mine.elements());
  }

  @Test
  void aConvertedFileReadsBackInNumpy() throws Exception {
    Assumptions.assumeTrue(hasNumpy(), "python3 with numpy is not installed");
    Path original = dir.resolve("ticks.vec");
    Path foreign = dir.resolve("ticks-other.vec");
    try (StructVec<Tick> v = StructVec.open(original, Tick.class)) {
      for (int i = 0; i < N; i++) {
        v.add(new Tick(1_000 + i, i * 0.5, i * 3));
      }
    }
    VecFiles.convert(original, foreign, OTHER);
    String o = OTHER == ByteOrder.BIG_ENDIAN ? ">" : "<";
    String script =
        "import numpy as np, sys\n"
            + "t = np.dtype({'names': ['time','price','qty'], 'formats': ['"
            + o
            + "i8','"
            + o
            + "f8','"
            + o
            + "i4'], 'offsets': [0, 8, 16], 'itemsize': 24})\n"
            + "a = np.memmap(sys.argv[1], dtype=t, mode='r', offset=65536, shape=("
            + N
            + ",))\n"
            + "print(int(a['time'].sum()), repr(float(a['price'].sum())), int(a['qty'].sum()))\n";
    Process p =
        new ProcessBuilder("python3", "-c", script, foreign.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes()).strip();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    long times = 0;
    double prices = 0;
    long qtys = 0;
    for (int i = 0; i < N; i++) {
      times += 1_000 + i;
      prices += i * 0.5;
      qtys += i * 3;
    }
    assertThat(output).isEqualTo(times + " " + prices + " " + qtys);
  }

  private static boolean hasNumpy() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy").start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @Test
  void openingAFileOfTheOtherOrderNamesTheConvertCommand() throws IOException {
    Path original = dir.resolve("longs.vec");
    Path foreign = dir.resolve("foreign.vec");
    write(Kind.LONG, original);
    VecFiles.convert(original, foreign, OTHER);
    VecFormatException e =
        catchThrowableOfType(VecFormatException.class, () -> LongVec.open(foreign).close());
    assertThat(e.reason()).isEqualTo(VecFormatException.Reason.BYTE_ORDER_MISMATCH);
    assertThat(e.getMessage()).contains("mmapvec convert").contains("VecFiles.convert");
  }

  @Test
  void convertRefusesAnExistingTargetAndLeavesItAlone() throws IOException {
    Path original = dir.resolve("longs.vec");
    Path target = dir.resolve("taken.vec");
    write(Kind.LONG, original);
    Files.writeString(target, "keep me");
    assertThatThrownBy(() -> VecFiles.convert(original, target, OTHER))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(target)).isEqualTo("keep me");
  }

  @Test
  void convertOfAnUnsoundSourceLeavesNoTarget() throws IOException {
    Path junk = dir.resolve("junk.vec");
    Files.write(junk, new byte[70_000]);
    Path target = dir.resolve("out.vec");
    assertThatThrownBy(() -> VecFiles.convert(junk, target, OTHER))
        .isInstanceOf(VecFormatException.class);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("junk.vec");
    }
  }

  @Test
  void convertOfAFileThisJvmWritesIsRefused() throws IOException {
    Path file = dir.resolve("longs.vec");
    try (LongVec v = LongVec.open(file)) {
      v.add(1);
      assertThatThrownBy(() -> VecFiles.convert(file, dir.resolve("out.vec"), OTHER))
          .isInstanceOf(VecLockedException.class);
    }
    assertThat(dir.resolve("out.vec")).doesNotExist();
  }

  // ------------------------------------------------------------------ describe

  @Test
  void describeReportsAFreeFile() throws IOException {
    Path file = dir.resolve("longs.vec");
    write(Kind.LONG, file);
    VecDescription d = VecFiles.describe(file);
    assertThat(d.byteOrder()).isEqualTo(ByteOrder.nativeOrder());
    if (Posix.isAvailable()) {
      assertThat(d.lock().holder()).isEqualTo(VecDescription.LockState.Holder.FREE);
      assertThat(d.lock().pids()).isEmpty();
    }
  }

  @Test
  void describeWorksWhileAnotherProcessWritesAndNamesIt() throws Exception {
    Assumptions.assumeTrue(Posix.isAvailable(), "native access is not available");
    Path file = dir.resolve("held.vec");
    try (ChildJvm writer =
        ChildJvm.start(
            dir, "writer", Holder.class, file.toString(), "rw", "native", "--values", "25")) {
      writer.awaitLine("READY");
      VecDescription d = VecFiles.describe(file);
      assertThat(d.size()).isEqualTo(25);
      assertThat(d.lock().holder()).isEqualTo(VecDescription.LockState.Holder.WRITER);
      assertThat(d.lock().pids()).contains(writer.pid());
      // Everything that reads data still takes a lock, and is refused.
      assertThatThrownBy(() -> VecFiles.openReader(file)).isInstanceOf(VecLockedException.class);
      assertThatThrownBy(() -> VecFiles.verify(file)).isInstanceOf(VecLockedException.class);
      assertThatThrownBy(() -> VecFiles.compact(file)).isInstanceOf(VecLockedException.class);
    }
  }

  @Test
  void describeSeesReaders() throws Exception {
    Assumptions.assumeTrue(Posix.isAvailable(), "native access is not available");
    Path file = dir.resolve("read.vec");
    write(Kind.LONG, file);
    try (ChildJvm reader =
        ChildJvm.start(dir, "reader", Holder.class, file.toString(), "ro", "native")) {
      reader.awaitLine("READY");
      VecDescription d = VecFiles.describe(file);
      assertThat(d.lock().holder()).isEqualTo(VecDescription.LockState.Holder.READERS);
      // A live reader holds only an OFD lock on the reader byte, whose owner the kernel does not
      // show (/proc/locks prints pid -1 for OFD locks): no pid, rather than a wrong one.
      assertThat(d.lock().pids()).isEmpty();
      try (VecReader r = VecFiles.openReader(file)) {
        assertThat(r.size()).isEqualTo(N);
      }
    }
  }

  @Test
  void describeInTheJvmThatWritesTheFileShowsThisProcess() throws IOException {
    Assumptions.assumeTrue(Posix.isAvailable(), "native access is not available");
    Path file = dir.resolve("mine.vec");
    try (LongVec v = LongVec.open(file)) {
      v.add(1);
      v.sync();
      VecDescription d = VecFiles.describe(file);
      assertThat(d.size()).isEqualTo(1);
      assertThat(d.lock().holder()).isEqualTo(VecDescription.LockState.Holder.WRITER);
      assertThat(d.lock().pids()).contains(ProcessHandle.current().pid());
      v.add(2); // the vector still works: describe took and dropped nothing of its locks
    }
    assertThat(VecFiles.describe(file).size()).isEqualTo(2);
  }

  @Test
  void describeOfAMissingFileIsNoSuchFile() {
    assertThatThrownBy(() -> VecFiles.describe(dir.resolve("missing.vec")))
        .isInstanceOf(NoSuchFileException.class);
  }

  // ------------------------------------------------------------------ openReader

  @Test
  void aReaderReadsAForeignFilesValuesInItsOrder() throws IOException {
    Path original = dir.resolve("longs.vec");
    Path foreign = dir.resolve("foreign.vec");
    write(Kind.LONG, original);
    VecFiles.convert(original, foreign, OTHER);
    VecReader r = VecFiles.openReader(foreign);
    try (r) {
      assertThat(r.byteOrder()).isEqualTo(OTHER);
      MemorySegment s = r.elements();
      assertThat(s.byteSize()).isEqualTo(8L * N);
      assertThat(s.isReadOnly()).isTrue();
      ValueLayout.OfLong layout = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(r.byteOrder());
      for (int i = 0; i < N; i++) {
        assertThat(s.get(layout, 8L * i)).isEqualTo(i * 0x1_0000_0001L - 5);
      }
    }
    assertThatThrownBy(r::elements).isInstanceOf(VecClosedException.class);
    r.close(); // idempotent
    try (LongVec v = LongVec.open(original)) {
      v.add(0); // the reader released its lock
    }
  }

  @Test
  void aReaderOfAnEmptyVectorHasNoElements() throws IOException {
    Path file = dir.resolve("empty.vec");
    LongVec.open(file).close();
    try (VecReader r = VecFiles.openReader(file)) {
      assertThat(r.size()).isZero();
      assertThat(r.elements().byteSize()).isZero();
    }
  }

  // ------------------------------------------------------------------ verify

  @Test
  void verifyFindsASoundFileSoundAndReadsEveryByte() throws IOException {
    Path file = dir.resolve("ticks.vec");
    write(Kind.RECORD, file);
    List<Long> progress = new ArrayList<>();
    VerifyReport r = VecFiles.verify(file, progress::add);
    assertThat(r.isSound()).isTrue();
    assertThat(r.problems()).isEmpty();
    assertThat(r.description()).isPresent();
    assertThat(progress).last().isEqualTo(48L * N);
  }

  @Test
  void verifyFindsAForeignFileSoundWithANote() throws IOException {
    Path original = dir.resolve("longs.vec");
    Path foreign = dir.resolve("foreign.vec");
    write(Kind.LONG, original);
    VecFiles.convert(original, foreign, OTHER);
    VerifyReport r = VecFiles.verify(foreign);
    assertThat(r.isSound()).isTrue();
    assertThat(r.notes()).anyMatch(n -> n.contains("convert"));
  }

  @Test
  void verifyReportsADamagedHeaderWithItsReason() throws IOException {
    Path file = dir.resolve("longs.vec");
    write(Kind.LONG, file);
    flipByte(file, 44); // the page size: only the identity checksum covers it
    VerifyReport r = VecFiles.verify(file);
    assertThat(r.isSound()).isFalse();
    assertThat(r.description()).isEmpty();
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(VerifyReport.Kind.HEADER);
              assertThat(p.formatReason()).contains(VecFormatException.Reason.CHECKSUM_MISMATCH);
              assertThat(p.message())
                  .contains("identity block checksum")
                  .doesNotContain(file.toString());
            });
  }

  @Test
  void verifyReportsTruncatedData() throws IOException {
    Path file = dir.resolve("longs.vec");
    write(Kind.LONG, file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(65536 + 8 * 10);
    }
    VerifyReport r = VecFiles.verify(file);
    assertThat(r.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.formatReason()).contains(VecFormatException.Reason.TRUNCATED));
  }

  @Test
  void verifyReportsBooleansThatAreNeitherZeroNorOne() throws IOException {
    Path file = dir.resolve("all8.vec");
    write(Kind.RECORD, file);
    // All8's boolean is at 40 in its 48-byte element; spoil elements 5 and 9.
    for (int i : new int[] {5, 9}) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[] {7}), 65536 + 48L * i + 40);
      }
    }
    VerifyReport r = VecFiles.verify(file);
    assertThat(r.isSound()).isFalse();
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo(VerifyReport.Kind.BOOLEAN_VALUE);
              assertThat(p.message())
                  .isEqualTo(
                      "2 boolean values are neither 0 nor 1 (first: element 5 field 'z' holds 7)");
            });
  }

  @Test
  void verifyNotesASlotLeftDamagedBySync() throws IOException {
    Path file = dir.resolve("longs.vec");
    try (LongVec v = LongVec.open(file)) {
      v.add(1);
      v.sync(); // slot 1, sequence 2
      v.add(2);
      v.sync(); // slot 0, sequence 3
    }
    flipByte(file, 4096 + 20); // slot 0's commit time: slot 1 wins with sequence 2
    VerifyReport r = VecFiles.verify(file);
    assertThat(r.isSound()).isTrue();
    assertThat(r.description().orElseThrow().size()).isEqualTo(1);
    assertThat(r.notes()).anyMatch(n -> n.startsWith("commit slot 0 is damaged"));
  }

  @Test
  void verifyOfAMissingFileThrows() {
    assertThatThrownBy(() -> VecFiles.verify(dir.resolve("missing.vec")))
        .isInstanceOf(NoSuchFileException.class);
  }

  // ------------------------------------------------------------------ compact

  @Test
  void compactShrinksTheCapacityToTheLengthAndKeepsEveryElement() throws IOException {
    Path file = dir.resolve("longs.vec");
    try (LongVec v = LongVec.open(file)) {
      for (int i = 0; i < N; i++) {
        v.add(i);
      }
      v.reserve(1_000_000);
    }
    long before = Files.size(file);
    long freed = VecFiles.compact(file);
    assertThat(freed).isEqualTo(before - Files.size(file)).isPositive();
    VecDescription d = VecFiles.describe(file);
    assertThat(d.capacity()).isBetween((long) N, N + 4096L / 8);
    try (LongVec v = LongVec.open(file)) {
      assertThat(v.size()).isEqualTo(N);
      assertThat(v.get(N - 1)).isEqualTo(N - 1);
    }
    assertThat(VecFiles.compact(file)).isZero();
  }

  @Test
  void compactRefusesAFileOfTheOtherOrder() throws IOException {
    Path original = dir.resolve("longs.vec");
    Path foreign = dir.resolve("foreign.vec");
    write(Kind.LONG, original);
    VecFiles.convert(original, foreign, OTHER);
    byte[] bytes = Files.readAllBytes(foreign);
    VecFormatException e =
        catchThrowableOfType(VecFormatException.class, () -> VecFiles.compact(foreign));
    assertThat(e.reason()).isEqualTo(VecFormatException.Reason.BYTE_ORDER_MISMATCH);
    assertThat(Files.readAllBytes(foreign)).isEqualTo(bytes);
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x01));
      b.rewind();
      ch.write(b, offset);
    }
  }
}
