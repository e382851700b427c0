package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Appends prefault the capacity ahead of the data by writing zeros there (docs/ARCHITECTURE.md,
 * growth): the zeros must never land on an element, and what is made resident must stay bounded
 * whatever was reserved. Resident sizes are read from /proc/self/smaps (Linux), not timed.
 */
class PrefaultTest {
  @TempDir Path dir;

  enum Kind {
    NATIVE,
    CHANNEL
  }

  private static Backend backend(Kind kind) {
    if (kind == Kind.NATIVE) {
      assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
      return Backend.nativeBackend();
    }
    return Backend.channelBackend();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void appendingAfterReopenKeepsTheElementsOfThePartlyFilledLastPage(Kind kind) throws IOException {
    Backend b = backend(kind);
    Path f = dir.resolve("v.vec");
    try (LongVec v = LongVec.open(f, VecOptions.defaults(), b)) {
      for (long i = 0; i < 3; i++) {
        v.add(100 + i);
      }
    }
    try (LongVec v = LongVec.open(f, VecOptions.defaults(), b)) {
      for (long i = 3; i < 200_000; i++) {
        v.add(100 + i);
      }
      for (long i = 0; i < 200_000; i++) {
        assertThat(v.get(i)).as("element %d", i).isEqualTo(100 + i);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void appendingAfterTruncateOrClearKeepsWhatIsAppendedAndInserted(Kind kind) throws IOException {
    Backend b = backend(kind);
    try (LongVec v = LongVec.open(dir.resolve("t.vec"), VecOptions.defaults(), b)) {
      for (long i = 0; i < 100_000; i++) {
        v.add(i);
      }
      v.truncate(10);
      for (long i = 10; i < 300_000; i++) {
        v.add(-i);
      }
      v.insertAt(5, 77);
      v.addAll(new long[] {1, 2, 3});
      v.resize(400_000, 9);
      assertThat(v.get(4)).isEqualTo(4);
      assertThat(v.get(5)).isEqualTo(77);
      assertThat(v.get(6)).isEqualTo(5);
      assertThat(v.get(11)).isEqualTo(-10);
      assertThat(v.get(300_000)).isEqualTo(-299_999);
      assertThat(v.get(300_001)).isEqualTo(1);
      assertThat(v.get(300_003)).isEqualTo(3);
      assertThat(v.get(300_004)).isEqualTo(9);
      assertThat(v.get(399_999)).isEqualTo(9);
      v.clear();
      v.add(42);
      assertThat(v.get(0)).isEqualTo(42);
      assertThat(v.size()).isEqualTo(1);
    }
  }

  /** Committed elements beyond a truncate, after a reopen: the crash story and a live reader's. */
  @Test
  void aTruncateThenAnAppendAfterReopenNeverZeroesElementsOfTheLastCommit() throws IOException {
    Backend b = backend(Kind.NATIVE);
    Path f = dir.resolve("c.vec");
    int n = 100_000;
    try (LongVec v = LongVec.open(f, VecOptions.defaults(), b)) {
      for (long i = 0; i < n; i++) {
        v.add(i + 1);
      }
    }
    try (LongVec w = LongVec.open(f, VecOptions.defaults(), b);
        LongVec reader = LongVec.open(f, VecOptions.defaults().withReadOnly(true), b)) {
      w.truncate(10);
      w.add(-1); // the first append of this open: it prefaults (and used to zero beyond index 10)
      assertThat(reader.size()).isEqualTo(n);
      for (long i = 11; i < n; i++) {
        assertThat(reader.get(i))
            .as("element %d of the commit the reader holds", i)
            .isEqualTo(i + 1);
      }
      // What a crash now would leave: the last commit (size n), read from the file itself.
      ByteBuffer bytes = ByteBuffer.allocate(8 * n).order(ByteOrder.nativeOrder());
      try (FileChannel ch = FileChannel.open(f)) {
        while (bytes.hasRemaining()) {
          if (ch.read(bytes, 65536 + bytes.position()) < 0) {
            break;
          }
        }
      }
      for (int i = 11; i < n; i++) {
        assertThat(bytes.getLong(8 * i)).as("element %d in the file", i).isEqualTo(i + 1);
      }
    }
  }

  @Test
  void aHugeReservationMakesNothingResidentAndAppendsPrefaultABoundedWindow() throws IOException {
    Backend b = backend(Kind.NATIVE);
    Path f = dir.resolve("huge.vec");
    try (LongVec v = LongVec.open(f, VecOptions.defaults(), b)) {
      v.reserve(128L << 20); // 1 GiB of longs, allocated on disk
      assertThat(residentKiB(f)).as("resident after reserve").isLessThan(64);
      v.add(1);
      // The first append prefaults at most the smallest window (256 KiB) plus a page.
      assertThat(residentKiB(f)).as("resident after one append").isLessThanOrEqualTo(256 + 8);
      for (long i = 1; i < (16L << 20); i++) { // 128 MiB of longs
        v.add(i);
      }
      // 128 MiB written; the window ahead is at most 16 MiB (a sixteenth here: 8 MiB).
      long kib = residentKiB(f);
      // At least what was written (which proves this reads the right mapping), and no more than
      // the bounded window beyond it.
      assertThat(kib).as("resident after 128 MiB of appends").isGreaterThanOrEqualTo(120 * 1024);
      assertThat(kib)
          .as("resident after 128 MiB of appends")
          .isLessThanOrEqualTo(128 * 1024 + 16 * 1024 + 8);
      assertThat(v.get((16L << 20) - 1)).isEqualTo((16L << 20) - 1);
    }
  }

  /** {@return the summed Rss of this process's mappings of {@code file}, in KiB} */
  static long residentKiB(Path file) throws IOException {
    String name = file.toAbsolutePath().toString();
    List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
    long kib = 0;
    boolean inFile = false;
    for (String line : lines) {
      if (!line.isEmpty() && Character.digit(line.charAt(0), 16) >= 0 && line.contains("-")) {
        inFile = line.endsWith(name);
      } else if (inFile && line.startsWith("Rss:")) {
        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return kib;
  }
}
