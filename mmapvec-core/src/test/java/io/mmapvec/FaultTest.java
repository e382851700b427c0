package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hardening 13.6 and 13.7: faults of mapped memory (SIGBUS, which the JDK reports as {@link
 * InternalError}) when the file is cut behind the library's back or a hole cannot be filled.
 */
class FaultTest {
  @TempDir Path dir;

  static Backend backend(String name) {
    if (name.equals("native")) {
      assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
      return Backend.nativeBackend();
    }
    return Backend.channelBackend();
  }

  /** Cuts the file to {@code size} bytes from another process, which ignores advisory locks. */
  static void truncateFromOutside(Path file, long size) throws Exception {
    Process p =
        new ProcessBuilder("truncate", "-s", Long.toString(size), file.toString())
            .inheritIO()
            .start();
    assertThat(p.waitFor()).as("truncate exit code").isZero();
  }

  /**
   * 13.7: another process truncates the file; close()'s commit-slot write faults. close() must
   * still unmap, unlock and unregister: before the fix the InternalError escaped before all three,
   * every later close() threw again, another process's {@code flock -n -x} failed and this JVM
   * could not reopen the file (VecLockedException). Fails with the old close() (checked).
   */
  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"native", "channel"})
  void closeReleasesEverythingAfterAFault(String backendName) throws Exception {
    Backend backend = backend(backendName);
    Path file = dir.resolve("cut.vec");
    LongVec v = LongVec.open(file, VecOptions.defaults(), backend);
    for (int i = 0; i < 100; i++) {
      v.add(i);
    }
    v.sync();
    v.add(100);
    truncateFromOutside(file, 0);
    Throwable first = catchThrowable(v::close);
    assertThat(first).as("close() after the file was cut").isNotNull();
    assertThat(catchThrowable(v::close)).as("a second close() does nothing").isNull();
    assertThatThrownBy(v::size).isInstanceOf(VecClosedException.class);
    if (backendName.equals("native")) {
      LockProbes.assumeFlock();
      assertThat(LockProbes.flockFree(file, dir)).as("flock -n -x after close").isTrue();
    }
    // Unregistered: this JVM may open the file again; it is refused for what it is (cut), not as
    // "already open in this JVM".
    Throwable again = catchThrowable(() -> LongVec.open(file, VecOptions.defaults(), backend));
    assertThat(again).isInstanceOf(VecFormatException.class).hasMessageContaining(file.toString());
    assertThat(((VecFormatException) again).reason())
        .isEqualTo(VecFormatException.Reason.TRUNCATED);
    assertThat(Files.size(file)).isZero();
    assertThat(List.of(dir.toFile().list())).noneMatch(n -> n.endsWith(".tmp"));
  }

  /**
   * 13.6: a store (and a load) into a page the file no longer has raises SIGBUS, which the JDK
   * reports as InternalError. The library turns it into an UncheckedIOException naming the file and
   * poisons the vector; before the fix the InternalError escaped and the vector went on accepting
   * writes. Fails without the fix (checked: InternalError from add).
   */
  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"native", "channel"})
  void faultOfMappedMemoryIsATypedExceptionThatPoisons(String backendName) throws Exception {
    Backend backend = backend(backendName);
    Path file = dir.resolve("fault.vec");
    LongVec v = LongVec.open(file, VecOptions.defaults(), backend);
    try {
      for (int i = 0; i < 100; i++) {
        v.add(i);
      }
      v.sync();
      truncateFromOutside(file, 65536); // the header stays, every data page goes
      Throwable t = catchThrowable(() -> v.add(100));
      assertThat(t)
          .isInstanceOf(java.io.UncheckedIOException.class)
          .hasMessageContaining("a fault of mapped memory")
          .hasMessageContaining(file.toString())
          .hasRootCauseInstanceOf(InternalError.class);
      assertThat(v.size()).as("the failed add added nothing").isEqualTo(100);
      assertThatThrownBy(() -> v.set(0, 1))
          .as("poisoned: later writes are refused")
          .isInstanceOf(java.io.UncheckedIOException.class)
          .hasMessageContaining("refuses writes");
      assertThatThrownBy(() -> v.get(5))
          .isInstanceOf(java.io.UncheckedIOException.class)
          .hasMessageContaining("a fault of mapped memory");
      assertThatThrownBy(v::toArray).isInstanceOf(java.io.UncheckedIOException.class);
      assertThatThrownBy(v::sync).isInstanceOf(IOException.class);
    } finally {
      catchThrowable(v::close);
    }
    assertThat(v.toString()).contains("closed");
  }

  /**
   * 13.6: a valid file whose spare capacity is a hole (as cp --sparse=always, tar -S, rsync -S
   * make) gets blocks for it at a writable open, so a store there cannot raise SIGBUS on a full
   * disk. Native backend only: the fallback has no fallocate (a documented limit). Fails without
   * the fix (checked: the blocks stay as punched).
   */
  @org.junit.jupiter.api.Test
  void writableOpenAllocatesHolesInTheExistingCapacity() throws Exception {
    Backend backend = backend("native");
    Path file = dir.resolve("sparse.vec");
    try (LongVec v = LongVec.open(file, VecOptions.defaults(), backend)) {
      for (int i = 0; i < 10; i++) {
        v.add(i);
      }
      v.reserve(1 << 20); // 8 MiB of spare capacity
    }
    long size = Files.size(file);
    Process p =
        new ProcessBuilder(
                "fallocate",
                "--punch-hole",
                "--offset",
                "131072",
                "--length",
                Long.toString(size - 131072),
                file.toString())
            .inheritIO()
            .start();
    assertThat(p.waitFor()).as("fallocate --punch-hole").isZero();
    assertThat(allocatedBytes(file)).as("after punching").isLessThan(size / 2);
    try (LongVec v = LongVec.open(file, VecOptions.defaults().withReadOnly(true), backend)) {
      assertThat(v.size()).isEqualTo(10);
    }
    assertThat(allocatedBytes(file)).as("a read-only open changes nothing").isLessThan(size / 2);
    try (LongVec v = LongVec.open(file, VecOptions.defaults(), backend)) {
      assertThat(allocatedBytes(file)).as("after a writable open").isGreaterThanOrEqualTo(size);
      assertThat(Files.size(file)).isEqualTo(size);
      assertThat(v.toArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
  }

  private static long allocatedBytes(Path file) throws Exception {
    Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertThat(p.waitFor()).isZero();
    String[] f = out.split(" ");
    return Long.parseLong(f[0]) * Long.parseLong(f[1]);
  }

  /**
   * 13.9: the path is removed (and created anew) while a writer has it open. Before the fix the
   * writer went on syncing into the deleted file and its data was lost silently; now every sync and
   * close says so with an IOException naming the path. Fails without the check (checked).
   */
  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"native", "channel"})
  void syncReportsThatThePathWasRemovedOrReplaced(String backendName) throws Exception {
    Backend backend = backend(backendName);
    Path file = dir.resolve("gone.vec");
    LongVec v = LongVec.open(file, VecOptions.defaults(), backend);
    try {
      v.add(1);
      v.sync();
      Files.delete(file);
      v.add(2);
      assertThatThrownBy(v::sync)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("the file was removed since it was opened")
          .hasMessageContaining(file.toString());
      try (LongVec other = LongVec.open(file, VecOptions.defaults(), backend)) {
        other.add(7); // a second writer creates the path anew
      }
      assertThatThrownBy(v::sync)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("the path now leads to another file");
      assertThat(v.get(1)).as("the vector itself still works").isEqualTo(2);
    } finally {
      Throwable atClose = catchThrowable(v::close);
      assertThat(atClose).isInstanceOf(IOException.class).hasMessageContaining("removed");
    }
    try (LongVec other = LongVec.open(file, VecOptions.defaults(), backend)) {
      assertThat(other.toArray()).containsExactly(7);
    }
  }
}
