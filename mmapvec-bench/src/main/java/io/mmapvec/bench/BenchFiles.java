package io.mmapvec.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Temporary directories for the benchmarks' vector files. They go under {@code
 * -Dmmapvec.bench.dir=DIR} when given (to benchmark a particular file system), else under {@code
 * java.io.tmpdir}.
 */
final class BenchFiles {
  private BenchFiles() {}

  /** {@return a new, empty directory for one benchmark trial} */
  static Path newDirectory(String prefix) throws IOException {
    String base = System.getProperty("mmapvec.bench.dir");
    return base == null
        ? Files.createTempDirectory(prefix)
        : Files.createTempDirectory(Files.createDirectories(Path.of(base)), prefix);
  }

  /** Deletes {@code dir} and everything in it; does nothing if it is null or gone. */
  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** {@return the value every benchmark stores at {@code index}: a cheap, non-trivial mix} */
  static long valueAt(long index) {
    return index * 0x9E3779B97F4A7C15L;
  }
}
