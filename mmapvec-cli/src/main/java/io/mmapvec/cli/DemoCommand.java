package io.mmapvec.cli;

import io.mmapvec.LongVec;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecLockedException;
import io.mmapvec.VecOptions;
import io.mmapvec.VecStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mmapvec demo [DIR]}: writes a vector of a million longs to {@code DIR/demo.vec}, syncs it,
 * reads it back read-only, checks every value and prints how long each step took.
 *
 * <p>An existing {@code demo.vec} is replaced only when it is the demo's own file, that is when it
 * opens with the demo's magic {@value #MAGIC}, data version 1.0.0 and {@code long} elements;
 * anything else is left untouched and reported.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Write a million longs to a vector file, read them back, and time each step.",
      "",
      "Creates DIR/demo.vec, appends the squares 0, 1, 4, ..., syncs, reopens it read-only,",
      "verifies every value and sums them. An existing DIR/demo.vec is replaced only if this",
      "demo wrote it (magic "
          + DemoCommand.MAGIC
          + ", data version 1.0.0); any other file is left alone."
    })
public final class DemoCommand implements Callable<Integer> {
  /** The demo file's application magic. */
  static final String MAGIC = "MVDEMO01";

  /** The demo file's name inside DIR. */
  static final String FILE_NAME = "demo.vec";

  /** How the demo opens its file for writing. */
  static final VecOptions OPTIONS = VecOptions.defaults().withMagic(MAGIC).withDataVersion(1, 0, 0);

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      description =
          "Directory for demo.vec, created if missing (default: a new temporary directory).")
  Path dir;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      defaultValue = "1000000",
      description = "How many longs to append (default: ${DEFAULT-VALUE}).")
  long count;

  /** Creates the command; picocli fills in its fields. */
  public DemoCommand() {}

  /** {@return the value the demo stores at {@code index}: its square, wrapping past 2^63} */
  static long valueAt(long index) {
    return index * index;
  }

  @Override
  public Integer call() throws CliException {
    if (count < 1) {
      throw new ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean temporary = dir == null;
    String created = "";
    Path d;
    if (temporary) {
      d = createTempDir();
    } else {
      d = dir.toAbsolutePath().normalize();
      if (!Files.exists(d)) {
        createDirs(d);
        created = " (created " + d + ")";
      } else if (!Files.isDirectory(d)) {
        throw new CliException(Main.DATA_ERROR, d + " is not a directory", null);
      }
    }
    Path file = d.resolve(FILE_NAME);
    boolean replaced = removePreviousDemoFile(file);

    // Write: append, sync, close.
    long capacity;
    double appendMs;
    double syncMs;
    VecStats stats;
    try (LongVec v = open(file, OPTIONS)) {
      out.println(
          "mmapvec demo: "
              + file
              + (replaced ? " (replaced the previous demo file)" : created)
              + ", "
              + v.stats().backend()
              + " backend");
      out.flush();
      long t0 = System.nanoTime();
      try {
        for (long i = 0; i < count; i++) {
          v.add(valueAt(i));
        }
      } catch (UncheckedIOException e) {
        throw new CliException(
            Main.DATA_ERROR, "cannot grow " + file + ": " + Main.describe(e.getCause(), file), e);
      }
      long t1 = System.nanoTime();
      try {
        v.sync();
      } catch (IOException e) {
        throw new CliException(
            Main.DATA_ERROR, "cannot sync " + file + ": " + Main.describe(e, file), e);
      }
      long t2 = System.nanoTime();
      capacity = v.capacity();
      stats = v.stats();
      appendMs = millis(t0, t1);
      syncMs = millis(t1, t2);
    } catch (IOException e) {
      throw new CliException(
          Main.DATA_ERROR, "cannot close " + file + ": " + Main.describe(e, file), e);
    }
    out.println(
        String.format(
            Locale.ROOT,
            "  appended %,d longs in %.1f ms (%s)",
            count,
            appendMs,
            rate(count, appendMs)));
    out.println(
        String.format(
            Locale.ROOT,
            "  sync: %.1f ms    file: %s (capacity %,d, grown %d %s)",
            syncMs,
            mebibytes(fileSize(file)),
            capacity,
            stats.growths(),
            stats.growths() == 1 ? "time" : "times"));
    out.flush();

    // Read back: reopen read-only, verify, scan.
    long t0 = System.nanoTime();
    try (LongVec v = open(file, OPTIONS.withReadOnly(true))) {
      long t1 = System.nanoTime();
      long n = v.size();
      if (n != count) {
        throw new CliException(
            Main.DATA_ERROR,
            "verification failed for " + file + ": size is " + n + ", expected " + count,
            null);
      }
      for (long i = 0; i < n; i++) {
        long got = v.get(i);
        if (got != valueAt(i)) {
          throw new CliException(
              Main.DATA_ERROR,
              "verification failed for "
                  + file
                  + ": element "
                  + i
                  + " is "
                  + got
                  + ", expected "
                  + valueAt(i),
              null);
        }
      }
      long t2 = System.nanoTime();
      long[] sum = {0};
      v.forEach(x -> sum[0] += x);
      long t3 = System.nanoTime();
      out.println(
          String.format(
              Locale.ROOT,
              "  reopened read-only in %.1f ms: %,d elements, all values verified in %.1f ms",
              millis(t0, t1),
              n,
              millis(t1, t2)));
      StringBuilder first = new StringBuilder();
      for (long i = 0; i < Math.min(3, n); i++) {
        first.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d", v.get(i)));
      }
      out.println(
          String.format(
              Locale.ROOT, "  first %d: %s   last: %,d", Math.min(3, n), first, v.get(n - 1)));
      out.println(
          String.format(Locale.ROOT, "  scan (sum = %,d) in %.1f ms", sum[0], millis(t2, t3)));
    } catch (IOException e) {
      throw new CliException(
          Main.DATA_ERROR, "cannot close " + file + ": " + Main.describe(e, file), e);
    }
    if (temporary) {
      out.println("  (a new temporary directory; remove it with: rm -r " + d + ")");
    }
    out.flush();
    return Main.OK;
  }

  /**
   * Deletes {@code file} if it is the demo's own; refuses, with the reason, if it is anything else.
   *
   * @return whether a previous demo file was deleted
   */
  private static boolean removePreviousDemoFile(Path file) throws CliException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new CliException(
          Main.DATA_ERROR, file + " exists and is not a regular file; leaving it alone", null);
    }
    try (LongVec previous = LongVec.open(file, OPTIONS.withReadOnly(true))) {
      // It opened with the demo's magic, data version and element type: it is ours.
      assert previous.size() >= 0;
    } catch (VecFormatException e) {
      throw new CliException(
          Main.DATA_ERROR,
          file + " is not a demo file (" + Main.describe(e, file) + "); leaving it alone",
          e);
    } catch (VecLockedException e) {
      throw new CliException(Main.DATA_ERROR, file + " is in use: " + Main.describe(e, file), e);
    } catch (IOException e) {
      throw new CliException(
          Main.DATA_ERROR, "cannot open " + file + ": " + Main.describe(e, file), e);
    }
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new CliException(
          Main.DATA_ERROR, "cannot delete the previous " + file + ": " + Main.describe(e, file), e);
    }
    return true;
  }

  private static LongVec open(Path file, VecOptions options) throws CliException {
    try {
      return LongVec.open(file, options);
    } catch (VecLockedException e) {
      throw new CliException(Main.DATA_ERROR, file + " is in use: " + Main.describe(e, file), e);
    } catch (IOException e) {
      throw new CliException(
          Main.DATA_ERROR, "cannot open " + file + ": " + Main.describe(e, file), e);
    }
  }

  private static Path createTempDir() throws CliException {
    try {
      return Files.createTempDirectory("mmapvec-demo-").toAbsolutePath();
    } catch (IOException e) {
      throw new CliException(
          Main.DATA_ERROR,
          "cannot create a temporary directory in "
              + System.getProperty("java.io.tmpdir")
              + ": "
              + Main.describe(e, null),
          e);
    }
  }

  private static void createDirs(Path d) throws CliException {
    try {
      Files.createDirectories(d);
    } catch (IOException e) {
      throw new CliException(
          Main.DATA_ERROR, "cannot create directory " + d + ": " + Main.describe(e, d), e);
    }
  }

  private static long fileSize(Path file) throws CliException {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new CliException(
          Main.DATA_ERROR, "cannot read the size of " + file + ": " + Main.describe(e, file), e);
    }
  }

  private static double millis(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e6;
  }

  /** {@return elements per second, in M/s, or k/s when that would show as 0.0 M/s} */
  static String rate(long elements, double millis) {
    if (!(millis > 0)) {
      return "too fast to time";
    }
    double perSecond = elements / (millis / 1e3);
    return perSecond >= 1e5
        ? String.format(Locale.ROOT, "%.1f M/s", perSecond / 1e6)
        : String.format(Locale.ROOT, "%.1f k/s", perSecond / 1e3);
  }

  private static String mebibytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
