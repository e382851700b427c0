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
    assertThat(again)
        .isInstanceOf(VecFormatException.class)
        .hasMessageContaining(file.toString());
    assertThat(((VecFormatException) again).reason()).isEqualTo(VecFormatException.Reason.TRUNCATED);
    assertThat(Files.size(file)).isZero();
    assertThat(List.of(dir.toFile().list())).noneMatch(n -> n.endsWith(".tmp"));
  }
}
