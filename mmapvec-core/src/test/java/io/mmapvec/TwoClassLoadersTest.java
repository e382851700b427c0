package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.Storage;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two copies of mmapvec in one JVM, loaded by different class loaders (an application server, a
 * plugin host), share one registry of open files (hardening 13.9, durability rule 9). Without it
 * the second copy's refused open of a file the first copy holds through the {@code FileChannel}
 * fallback would open and close a descriptor of it, and closing any descriptor drops the process's
 * classic POSIX locks: another process could then take the file. Fails with a per-class-loader
 * registry (the second copy's open then gets past the registry).
 */
class TwoClassLoadersTest {
  @TempDir Path dir;

  /** Called reflectively in the other class loader's copy. */
  public static Object openWithTheFallback(String path) throws IOException {
    return Storage.open(
        Path.of(path),
        VecOptions.defaults(),
        ElementLayout.of(ElementType.LONG),
        Backend.channelBackend());
  }

  @Test
  void aSecondCopyOfTheLibraryIsRefusedBeforeItOpensADescriptor() throws Exception {
    LockProbes.assumePython();
    Path file = dir.resolve("two.vec");
    Storage first = (Storage) openWithTheFallback(file.toString());
    try {
      URL classes = Storage.class.getProtectionDomain().getCodeSource().getLocation();
      URL tests = TwoClassLoadersTest.class.getProtectionDomain().getCodeSource().getLocation();
      try (URLClassLoader other =
          new URLClassLoader(new URL[] {classes, tests}, ClassLoader.getPlatformClassLoader())) {
        Class<?> copy = other.loadClass(TwoClassLoadersTest.class.getName());
        assertThat(copy).isNotSameAs(TwoClassLoadersTest.class);
        java.lang.reflect.Method open = copy.getMethod("openWithTheFallback", String.class);
        open.setAccessible(true); // the test class is package-private
        Throwable t = catchThrowable(() -> open.invoke(null, file.toString()));
        assertThat(t).isInstanceOf(InvocationTargetException.class);
        Throwable refused = t.getCause();
        assertThat(refused.getClass().getName()).isEqualTo(VecLockedException.class.getName());
        assertThat(refused.getClass())
            .as("the other copy's class")
            .isNotSameAs(VecLockedException.class);
        assertThat(refused).hasMessageContaining("already open in this JVM");
      }
      // The first copy's POSIX lock still holds: another process cannot take the file.
      assertThat(LockProbes.lockfFree(file, dir)).as("lockf from another process").isFalse();
    } finally {
      first.close();
    }
    assertThat(System.getProperties().stringPropertyNames())
        .as("the registration is gone with the close")
        .noneMatch(k -> k.startsWith("io.mmapvec.open."));
  }
}
