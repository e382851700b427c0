package io.mmapvec.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk: exports and imports into a 1 MiB tmpfs fail with an {@code IOException} and leave
 * nothing there, neither under the target name nor as a temporary file.
 *
 * <p>Needs root, to mount the tmpfs (as mmapvec-core's DiskFullIT does); otherwise the class is
 * skipped and says why on stdout.
 */
class DiskFullIT {
  private static Path mountPoint;
  private static boolean mounted;

  @TempDir Path dir;

  @BeforeAll
  static void mountSmallTmpfs() throws Exception {
    String reason = null;
    Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    if (!Integer.valueOf(0).equals(uid)) {
      reason = "needs root to mount a 1 MiB tmpfs (uid is " + uid + ")";
    } else {
      mountPoint = Files.createTempDirectory("mmapvec-export-diskfull-");
      String out = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.toString());
      if (out != null) {
        reason = "mount -t tmpfs -o size=1m failed: " + out.strip();
      } else {
        mounted = true;
        long total = Files.getFileStore(mountPoint).getTotalSpace();
        if (!Files.getFileStore(mountPoint).type().equals("tmpfs") || total > (1 << 20)) {
          reason = "the mounted file system is not a 1 MiB tmpfs (" + total + " bytes)";
        }
      }
    }
    if (reason != null) {
      System.out.println("export DiskFullIT skipped: " + reason);
      assumeTrue(false, reason);
    }
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mountPoint == null) {
      return;
    }
    if (mounted && run("umount", mountPoint.toString()) != null) {
      run("umount", "-l", mountPoint.toString());
    }
    Files.deleteIfExists(mountPoint);
  }

  @AfterEach
  void emptyTheTmpfs() throws IOException {
    try (Stream<Path> s = Files.list(mountPoint)) {
      for (Path p : s.toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        return "timed out: " + String.join(" ", command);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
    } finally {
      p.destroyForcibly();
    }
  }

  private static void assertTmpfsEmpty() throws IOException {
    try (Stream<Path> s = Files.list(mountPoint)) {
      assertThat(s.map(Path::toString).toList()).as("files left on the full disk").isEmpty();
    }
  }

  @Test
  void parquetExportOntoAFullDiskLeavesNothing() throws Exception {
    Path vec = Fixtures.create(dir.resolve("in.vec"), Fixtures.Kind.LONG, 400_000);
    Throwable t =
        catchThrowable(
            () ->
                VecExport.toParquet(
                    vec,
                    mountPoint.resolve("out.parquet"),
                    ExportOptions.defaults().withCompression(Compression.NONE)));
    assertThat(t).isInstanceOf(IOException.class).hasMessageContaining("out.parquet");
    System.out.println("export DiskFullIT, Parquet: " + t);
    assertTmpfsEmpty();
  }

  @Test
  void arrowExportOntoAFullDiskLeavesNothing() throws Exception {
    Path vec = Fixtures.create(dir.resolve("in.vec"), Fixtures.Kind.RECORD, 100_000);
    Throwable t =
        catchThrowable(
            () ->
                VecExport.toArrow(vec, mountPoint.resolve("out.arrow"), ExportOptions.defaults()));
    assertThat(t).isInstanceOf(IOException.class).hasMessageContaining("out.arrow");
    System.out.println("export DiskFullIT, Arrow: " + t);
    assertTmpfsEmpty();
  }

  @Test
  void importOntoAFullDiskLeavesNothing() throws Exception {
    Path vec = Fixtures.create(dir.resolve("in.vec"), Fixtures.Kind.LONG, 400_000);
    Path parquet = dir.resolve("in.parquet");
    VecExport.toParquet(vec, parquet, ExportOptions.defaults());
    Throwable t =
        catchThrowable(
            () -> VecExport.fromParquet(parquet, mountPoint.resolve("out.vec"), b -> {}));
    assertThat(t).isInstanceOf(IOException.class).hasMessageContaining("out.vec");
    System.out.println("export DiskFullIT, import: " + t);
    assertTmpfsEmpty();
  }

  @Test
  void groupImportOntoAFullDiskLeavesNothing() throws Exception {
    Path vec = Fixtures.create(dir.resolve("in.vec"), Fixtures.Kind.RECORD, 100_000);
    Path parquet = dir.resolve("in.parquet");
    VecExport.toParquet(vec, parquet, ExportOptions.defaults());
    Throwable t =
        catchThrowable(
            () -> VecExport.fromParquetToGroup(parquet, mountPoint.resolve("out"), b -> {}));
    assertThat(t).isInstanceOf(IOException.class);
    System.out.println("export DiskFullIT, group import: " + t);
    assertTmpfsEmpty();
  }

  @Test
  void aSmallExportStillFits() throws Exception {
    // The same mount takes an export that fits: the failures above are the disk, not the mount.
    Path vec = Fixtures.create(dir.resolve("in.vec"), Fixtures.Kind.LONG, 1_000);
    VecExport.toParquet(vec, mountPoint.resolve("out.parquet"), ExportOptions.defaults());
    assertThat(mountPoint.resolve("out.parquet")).isNotEmptyFile();
  }
}
