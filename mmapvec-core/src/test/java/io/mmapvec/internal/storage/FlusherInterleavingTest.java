package io.mmapvec.internal.storage;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.VecOptions;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.posix.Posix;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flusher of {@code SyncPolicy.every} against the owner's write protocol, one interleaving at a
 * time: each test runs {@link Storage#backgroundSync()} at the moment the flusher thread could run
 * it, between the steps a typed vector makes for one call, then reads the file as a crash at that
 * moment would leave it. The rule (Storage's class comment): a committed size never covers data
 * that was not written.
 */
class FlusherInterleavingTest {
  @TempDir Path dir;

  private Path path;
  private Storage s;

  @BeforeEach
  void open() throws IOException {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    path = dir.resolve("v.vec");
    s =
        Storage.open(
            path,
            VecOptions.defaults(),
            ElementLayout.of(ElementType.LONG),
            Backend.nativeBackend());
  }

  @AfterEach
  void close() throws IOException {
    if (s != null) {
      s.close();
    }
  }

  /** LongVec.add: appendSlot, store, appended. */
  private void add(long value) {
    long i = s.appendSlot();
    s.data().setAtIndex(JAVA_LONG, i, value);
    s.appended(i);
  }

  /** {@return the committed size in the file, as a reopen after a crash now would see it} */
  private long committedSize() throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) HeaderFormat.HEADER_READ_BYTES);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // until full or end of file
      }
      buf.flip();
      Header h = HeaderFormat.decodeAny(MemorySegment.ofBuffer(buf), ch.size(), path);
      return h.size();
    }
  }

  /** {@return element {@code i} as the file holds it} */
  private long elementInFile(long i) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
      ch.read(buf, HeaderFormat.DATA_OFFSET + i * Long.BYTES);
      return buf.flip().getLong();
    }
  }

  @Test
  void flusherBetweenAppendSlotAndAppendedCommitsTheOldLength() throws IOException {
    add(11);
    s.sync();
    long i = s.appendSlot();
    s.backgroundSync(); // the flusher runs before the element is stored
    assertThat(committedSize()).isEqualTo(1);
    s.data().setAtIndex(JAVA_LONG, i, 22);
    s.appended(i);
    s.backgroundSync();
    assertThat(committedSize()).isEqualTo(2);
    assertThat(elementInFile(1)).isEqualTo(22);
  }

  @Test
  void flusherInsideAnInsertInTheMiddleCommitsOnlyValuesEachIndexHeld() throws IOException {
    add(11);
    add(22);
    s.sync();
    long i = s.openGap(1, 1); // LongVec.insertAt(1, 33), first half
    s.backgroundSync();
    long length = committedSize();
    assertThat(length).isIn(2L, 3L);
    assertThat(elementInFile(0)).isEqualTo(11);
    assertThat(elementInFile(1)).isIn(22L, 33L); // the old element at 1, or the new one
    if (length == 3) {
      assertThat(elementInFile(2)).isEqualTo(22);
    }
    s.data().setAtIndex(JAVA_LONG, i, 33);
    s.countMutation();
  }

  /**
   * {@code insertAt(size(), v)}, and {@code insertAt(0, v)} on an empty vector: the gap is past the
   * old end, so it holds no element yet. A flusher that runs after {@code openGap} publishes the
   * new size and before the caller stores the value must not commit a length that covers the gap.
   */
  @Test
  void flusherInsideAnInsertAtTheEndDoesNotCommitTheUnwrittenGap() throws IOException {
    add(11);
    s.sync();
    long i = s.openGap(1, 1); // LongVec.insertAt(1, 33) on [11], first half
    s.backgroundSync(); // the flusher runs before the value is stored
    long length = committedSize();
    long inFile = elementInFile(1);
    s.data().setAtIndex(JAVA_LONG, i, 33);
    s.countMutation();
    assertThat(length == 1 || inFile == 33)
        .as(
            "a crash now reopens with length %d and element 1 = %d, a value never written there",
            length, inFile)
        .isTrue();
  }
}
