package io.mmapvec.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.VecOptions;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hardening 13.9: names of 234 to 255 bytes can be created (the temporary name {@code .NAME.<16
 * hex>.tmp} used to exceed 255 bytes: ENAMETOOLONG), and a failure while building the temporary
 * file names the requested path, not the temporary one. Both fail without the fix (checked).
 */
class CreateNamesTest {
  @TempDir Path dir;

  @Test
  void longNamesCanBeCreatedOnBothBackends() throws IOException {
    List<Backend> backends = new ArrayList<>(List.of(Backend.channelBackend()));
    if (Posix.isAvailable()) {
      backends.add(Backend.nativeBackend());
    }
    for (Backend backend : backends) {
      for (int length : new int[] {233, 234, 240, 255}) {
        String name = backend.name().charAt(0) + "x".repeat(length - 1);
        Path file = dir.resolve(name);
        Storage s =
            Storage.open(file, VecOptions.defaults(), ElementLayout.of(ElementType.LONG), backend);
        s.close();
        assertThat(Files.size(file)).as("%s, %d bytes", backend.name(), length).isPositive();
      }
      // Multi-byte characters are shortened at a character boundary.
      String wide = "é".repeat(127); // 254 bytes
      Storage.open(
              dir.resolve(wide), VecOptions.defaults(), ElementLayout.of(ElementType.LONG), backend)
          .close();
      Files.delete(dir.resolve(wide));
    }
    for (String n : List.of("a", "x".repeat(255), "é".repeat(127))) {
      String tmp = FileOpener.temporaryName(n);
      assertThat(tmp.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
      assertThat(tmp).startsWith(".").endsWith(".tmp");
    }
    assertThat(FileOpener.temporaryName("ticks.vec"))
        .matches("\\.ticks\\.vec\\.[0-9a-f]{16}\\.tmp");
  }

  @Test
  void createFailuresNameTheRequestedPath() {
    Path path = dir.resolve("ticks.vec");
    Path tmp = dir.resolve(".ticks.vec.0123456789abcdef.tmp");
    IOException e =
        FileOpener.namingRequested(
            new AccessDeniedException(tmp.toString(), null, "Permission denied"), path, tmp);
    assertThat(e).isInstanceOf(AccessDeniedException.class);
    assertThat(((FileSystemException) e).getFile()).isEqualTo(path.toString());
    assertThat(e.getMessage()).contains("Permission denied").contains(path.toString());
    IOException other =
        FileOpener.namingRequested(
            new IOException("fallocate failed: ENOSPC (" + tmp + ")"), path, tmp);
    assertThat(other.getMessage()).contains("ENOSPC").endsWith("(" + path + ")");
    assertThat(other.getCause()).hasMessageContaining("ENOSPC");
  }
}
