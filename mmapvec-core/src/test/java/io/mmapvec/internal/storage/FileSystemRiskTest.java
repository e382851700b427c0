package io.mmapvec.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.VecOptions;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.posix.Posix;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rule 14: network and user-space file systems get a warning, local ones do not. */
class FileSystemRiskTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse", "fuse.sshfs", "fuseblk", "NFS4"})
  void networkAndUserSpaceFileSystemsAreRisky(String type) {
    String reason = FileSystemWarning.riskOfFileSystem(type);
    assertThat(reason).as(type).isNotBlank();
  }

  @Test
  void theReasonSaysWhatIsAtRisk() {
    assertThat(FileSystemWarning.riskOfFileSystem("nfs4"))
        .containsIgnoringCase("NFS")
        .contains("lock");
    assertThat(FileSystemWarning.riskOfFileSystem("cifs")).contains("CIFS");
    assertThat(FileSystemWarning.riskOfFileSystem("fuse.sshfs")).contains("FUSE");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ext4", "xfs", "btrfs", "tmpfs", "ext3", "f2fs", "zfs"})
  void localFileSystemsAreNotRisky(String type) {
    assertThat(FileSystemWarning.riskOfFileSystem(type)).as(type).isNull();
  }

  /**
   * Opening a vector on tmpfs (/dev/shm) logs no warning about the file system. The library logs
   * through {@code System.Logger}, which goes to {@code java.util.logging} here; the test module
   * does not read {@code java.logging} at compile time, so the capturing handler is attached
   * reflectively.
   */
  @Test
  void openingOnTmpfsLogsNoWarning() throws Exception {
    Path shm = Path.of("/dev/shm");
    assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no writable /dev/shm");
    assumeTrue(Files.getFileStore(shm).type().equals("tmpfs"), "/dev/shm is not tmpfs");
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    Path dir = Files.createTempDirectory(shm, "mmapvec-risk-");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    LogCapture capture = LogCapture.attach("io.mmapvec", log);
    try {
      // The capture sees what the library logs.
      System.getLogger("io.mmapvec").log(System.Logger.Level.WARNING, "mmapvec: capture probe");
      capture.flush();
      assertThat(log.toString(StandardCharsets.UTF_8)).contains("capture probe");
      log.reset();

      Storage s =
          Storage.open(
              dir.resolve("v.vec"),
              VecOptions.defaults(),
              ElementLayout.of(ElementType.LONG),
              Backend.nativeBackend());
      s.close();
      capture.flush();
      assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain(" is on ");
    } finally {
      capture.detach();
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** A {@code java.util.logging.StreamHandler} on one logger, reached by reflection. */
  private record LogCapture(Object logger, Object handler) {
    static LogCapture attach(String name, OutputStream out) throws ReflectiveOperationException {
      Class<?> loggerClass = Class.forName("java.util.logging.Logger");
      Class<?> handlerClass = Class.forName("java.util.logging.Handler");
      Class<?> formatterClass = Class.forName("java.util.logging.Formatter");
      Object formatter =
          Class.forName("java.util.logging.SimpleFormatter").getConstructor().newInstance();
      Object handler =
          Class.forName("java.util.logging.StreamHandler")
              .getConstructor(OutputStream.class, formatterClass)
              .newInstance(out, formatter);
      Object logger = loggerClass.getMethod("getLogger", String.class).invoke(null, name);
      loggerClass.getMethod("addHandler", handlerClass).invoke(logger, handler);
      return new LogCapture(logger, handler);
    }

    void flush() throws ReflectiveOperationException {
      handler.getClass().getMethod("flush").invoke(handler);
    }

    void detach() throws ReflectiveOperationException {
      Class<?> handlerClass = Class.forName("java.util.logging.Handler");
      logger.getClass().getMethod("removeHandler", handlerClass).invoke(logger, handler);
    }
  }
}
