package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.mmapvec.internal.storage.Backend;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hardening 13.5: a FIFO, a device or a directory is refused before it is opened for reading or
 * writing, with a FileSystemException naming the file, on both backends and for {@code
 * VecFiles.describe}. Before the fix a read-only open and describe of a FIFO blocked forever (and
 * stayed registered, so later opens said "already open in this JVM"), a writable open failed with
 * an untyped "pread failed: ESPIPE", and the fallback's errors ("Is a directory") did not name the
 * file. The FIFO cases hang without the fix (checked: the 20 s timeout fires).
 */
class NotARegularFileTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"native", "channel"})
  void fifoDeviceAndDirectoryAreRefusedWithoutBlocking(String backendName) throws Exception {
    Backend backend = FaultTest.backend(backendName);
    Path fifo = dir.resolve("pipe.vec");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(p.waitFor()).as("mkfifo").isZero();
    Path sub = Files.createDirectory(dir.resolve("sub.vec"));
    List<Path> targets = new ArrayList<>(List.of(fifo, sub));
    if (Files.exists(Path.of("/dev/null"))) {
      targets.add(Path.of("/dev/null"));
    }
    for (Path target : targets) {
      for (int round = 0; round < 2; round++) { // a refused open leaves nothing registered
        check(
            target,
            "read-only open",
            () -> LongVec.open(target, VecOptions.defaults().withReadOnly(true), backend).close());
        check(
            target,
            "writable open",
            () -> LongVec.open(target, VecOptions.defaults(), backend).close());
        check(target, "describe", () -> VecFiles.describe(target, backend));
      }
    }
    assertThat(Files.isRegularFile(fifo)).isFalse();
  }

  private static void check(Path target, String what, Executable call) {
    Throwable t =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20), () -> catchThrowable(call::execute), what + " blocks");
    assertThat(t)
        .as("%s of %s", what, target)
        .isInstanceOf(FileSystemException.class)
        .hasMessageContaining(target.toString())
        .hasMessageContaining("not a regular file");
  }
}
