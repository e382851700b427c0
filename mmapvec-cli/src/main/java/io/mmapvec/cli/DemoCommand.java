package io.mmapvec.cli;

import io.mmapvec.StructVec;
import io.mmapvec.SyncPolicy;
import io.mmapvec.VecDescription;
import io.mmapvec.VecFiles;
import io.mmapvec.VecFormatException;
import io.mmapvec.VecLockedException;
import io.mmapvec.VecOptions;
import io.mmapvec.VecStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mmapvec demo [DIR] [--count N]}: the whole promise in under a minute. Appends market ticks
 * with a background sync policy and prints the throughput; starts a child writer JVM, shows a
 * second writer refused by the lock, kills the child with SIGKILL and shows that everything it
 * synced survived; ends with {@code info}.
 *
 * <p>Files: {@code DIR/ticks.vec} and {@code DIR/crash.vec}. A rerun replaces them when they are
 * the demo's own (magic {@value #MAGIC}); any other file of those names is left alone and reported.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Show what mmapvec promises, in under a minute:",
      "  1. append N market ticks (a record of long, double, int) to DIR/ticks.vec, synced",
      "     every "
          + DemoCommand.SYNC_MILLIS
          + " ms by a background thread, and print the throughput;",
      "  2. start a child JVM writing DIR/crash.vec, show a second writer refused by the lock,",
      "     kill the child with SIGKILL, reopen and check that every tick it synced survived;",
      "  3. print 'mmapvec info' of DIR/ticks.vec.",
      "Reruns replace the demo's own files in DIR and nothing else."
    })
final class DemoCommand extends ToolCommand {
  /** The demo files' application magic. */
  static final String MAGIC = "MVDEMO02";

  /** How often the background thread syncs ticks.vec. */
  static final int SYNC_MILLIS = 100;

  /** The ticks the child writes between two syncs. */
  static final int CHILD_SYNC_EVERY = 50_000;

  /** The syncs the child reports before it is killed. */
  static final int CHILD_SYNCS_BEFORE_KILL = 4;

  /** How the demo opens its files. */
  static final VecOptions OPTIONS = VecOptions.defaults().withMagic(MAGIC).withDataVersion(1, 0, 0);

  /**
   * One market tick: 24 bytes, time at 0, price at 8, qty at 16, 4 bytes of padding.
   *
   * @param time epoch milliseconds
   * @param price the price
   * @param qty the quantity
   */
  record Tick(long time, double price, int qty) {}

  /**
   * {@return the demo's tick number {@code i}: a function of {@code i} alone, so it can be checked}
   */
  static Tick tick(long i) {
    return new Tick(1_700_000_000_000L + i, 100.0 + (i % 10_000) / 100.0, (int) (i % 1_000) + 1);
  }

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      defaultValue = "mmapvec-demo",
      description =
          "Directory for the demo's files, created if missing (default: ./${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      defaultValue = "10000000",
      description = "How many ticks to append in step 1 (default: ${DEFAULT-VALUE}).")
  long count;

  @Override
  int execute() throws Exception {
    if (count < 1) {
      throw usage("--count must be at least 1, got " + count);
    }
    PrintWriter out = out();
    Path d = dir.toAbsolutePath().normalize();
    if (Files.exists(d) && !Files.isDirectory(d)) {
      throw new CliException(Main.FAILED, d + " is not a directory", null);
    }
    Files.createDirectories(d);
    Path ticks = d.resolve("ticks.vec");
    Path crash = d.resolve("crash.vec");
    boolean replaced = removePreviousDemoFile(ticks) | removePreviousDemoFile(crash);
    out.println(
        "mmapvec demo in "
            + d
            + (replaced ? " (replacing the previous run's files)" : "")
            + ", "
            + availableProcessors()
            + ", Java "
            + Runtime.version().feature());
    out.println();
    appendTicks(out, ticks);
    out.println();
    crashAChildWriter(out, crash);
    out.println();
    out.println("3. mmapvec info " + ticks);
    InfoCommand.printText(out, VecFiles.describe(ticks));
    out.println();
    out.println("Look again with: bin/mmapvec info " + ticks + "   (or verify, dump, stats)");
    return Main.OK;
  }

  private static String availableProcessors() {
    int n = Runtime.getRuntime().availableProcessors();
    return n + (n == 1 ? " core" : " cores");
  }

  /** Step 1: append {@link #count} ticks with a background sync policy, and time it. */
  private void appendTicks(PrintWriter out, Path file) throws IOException {
    out.println(
        "1. Append "
            + InfoCommand.count(count)
            + " ticks (record Tick(long time, double price, int qty), 24 bytes each) to "
            + file.getFileName()
            + ", synced every "
            + SYNC_MILLIS
            + " ms by a background thread");
    out.flush();
    VecOptions options = OPTIONS.withSyncPolicy(SyncPolicy.every(Duration.ofMillis(SYNC_MILLIS)));
    long t0 = System.nanoTime();
    long t1;
    VecStats stats;
    try (StructVec<Tick> v = StructVec.open(file, Tick.class, options);
        Progress p = Progress.startCounting("append", count, " ticks", drawBar())) {
      for (long i = 0; i < count; i++) {
        v.add(tick(i));
        if ((i & 0xFFFF) == 0) {
          p.accept(i);
        }
      }
      p.accept(count);
      t1 = System.nanoTime();
      stats = v.stats();
    }
    long t2 = System.nanoTime();
    double appendSeconds = (t1 - t0) / 1e9;
    out.println(
        String.format(
            Locale.ROOT,
            "   appended %s ticks in %.2f s: %.1f M ticks/s, %.0f MiB/s, with %d background syncs",
            InfoCommand.count(count),
            appendSeconds,
            count / appendSeconds / 1e6,
            count * 24.0 / appendSeconds / (1 << 20),
            stats.syncs()));
    out.println(
        String.format(
            Locale.ROOT,
            "   close (the final sync, then the lock released): %.2f s; durable from here on",
            (t2 - t1) / 1e9));
    out.flush();
  }

  private boolean drawBar() {
    return !common.quiet && Progress.stderrIsTerminal();
  }

  /** Step 2: a child writer, a refused second writer, SIGKILL, and what survived. */
  private void crashAChildWriter(PrintWriter out, Path file) throws Exception {
    out.println(
        "2. Crash: a child JVM appends ticks to "
            + file.getFileName()
            + " and syncs every "
            + InfoCommand.count(CHILD_SYNC_EVERY)
            + "; it is killed with SIGKILL mid-run");
    out.flush();
    List<String> command = new ArrayList<>();
    command.add(javaCommand());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.add(DemoWriterCommand.NAME);
    command.add(file.toString());
    Process child =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    long synced = -1;
    try {
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
      out.println("   child writer started: pid " + child.pid());
      int reports = 0;
      String line;
      while (reports < CHILD_SYNCS_BEFORE_KILL && (line = lines.readLine()) != null) {
        if (line.startsWith(DemoWriterCommand.SYNCED)) {
          synced = Long.parseLong(line.substring(DemoWriterCommand.SYNCED.length()).trim());
          reports++;
        }
      }
      if (reports < CHILD_SYNCS_BEFORE_KILL) {
        throw new CliException(
            Main.FAILED,
            "the child writer of "
                + file
                + " ended early (exit code "
                + child.waitFor()
                + "); run 'mmapvec demo-writer "
                + file
                + "' to see why",
            null);
      }
      out.println(
          "   it reported "
              + InfoCommand.count(synced)
              + " ticks synced; meanwhile a second writer tries to open the file:");
      try {
        StructVec.open(file, Tick.class, OPTIONS).close();
        throw new CliException(
            Main.FAILED, "a second writer was NOT refused by the lock on " + file, null);
      } catch (VecLockedException e) {
        out.println("   refused: " + Main.describe(e, file));
      }
      // SIGKILL on Linux and macOS. Through the handle: Process.destroyForcibly would also close
      // our end of the pipe, losing the reports of syncs that finished as the signal landed.
      child.toHandle().destroyForcibly();
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        throw new CliException(Main.FAILED, "the child writer did not die after SIGKILL", null);
      }
      // Syncs it finished before the signal landed, still in the pipe.
      while ((line = lines.readLine()) != null) {
        if (line.startsWith(DemoWriterCommand.SYNCED)) {
          synced = Long.parseLong(line.substring(DemoWriterCommand.SYNCED.length()).trim());
        }
      }
      out.println(
          "   killed with SIGKILL (exit code "
              + child.exitValue()
              + ") after it reported "
              + InfoCommand.count(synced)
              + " ticks synced");
    } finally {
      if (child.isAlive()) {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
      }
    }
    out.flush();
    long t0 = System.nanoTime();
    try (StructVec<Tick> v = StructVec.open(file, Tick.class, OPTIONS.withReadOnly(true))) {
      long t1 = System.nanoTime();
      long n = v.size();
      if (n < synced) {
        throw new CliException(
            Main.FAILED,
            "LOST DATA: "
                + file
                + " holds "
                + n
                + " ticks after the crash, but "
                + synced
                + " were synced",
            null);
      }
      for (long i = 0; i < n; i++) {
        Tick got = v.get(i);
        if (!got.equals(tick(i))) {
          throw new CliException(
              Main.FAILED,
              "WRONG DATA: tick " + i + " of " + file + " is " + got + ", expected " + tick(i),
              null);
        }
      }
      long t2 = System.nanoTime();
      out.println(
          String.format(
              Locale.ROOT,
              "   reopened in %.1f ms: %s ticks, every one of them correct (checked in %.0f ms):"
                  + " all %s synced ticks survived%s",
              (t1 - t0) / 1e6,
              InfoCommand.count(n),
              (t2 - t1) / 1e6,
              InfoCommand.count(synced),
              n > synced
                  ? ", and "
                      + InfoCommand.count(n - synced)
                      + " more that a sync committed as it died"
                  : "; those appended after that sync were never committed and are not there"));
    }
    out.flush();
  }

  private static String javaCommand() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * Deletes {@code file} if it is the demo's own; refuses, with the reason, if it is anything else.
   *
   * @return whether a previous demo file was deleted
   */
  private static boolean removePreviousDemoFile(Path file) throws CliException, IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new CliException(
          Main.FAILED, file + " exists and is not a regular file; leaving it alone", null);
    }
    VecDescription d;
    try {
      d = VecFiles.describe(file);
    } catch (VecFormatException e) {
      throw new CliException(
          Main.FAILED,
          file + " is not a demo file (" + Main.describe(e, file) + "); leaving it alone",
          e);
    }
    if (!d.magic().equals(MAGIC)) {
      throw new CliException(
          Main.FAILED,
          file + " is not a demo file (its magic is " + d.magic() + "); leaving it alone",
          null);
    }
    if (d.lock().holder() == VecDescription.LockState.Holder.WRITER
        || d.lock().holder() == VecDescription.LockState.Holder.READERS) {
      throw new CliException(
          Main.LOCKED,
          file + " is in use (" + InfoCommand.lockText(d.lock()) + "); leaving it alone",
          null);
    }
    Files.delete(file);
    return true;
  }
}
