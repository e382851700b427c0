package io.mmapvec;

import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.CrashHooks;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The child-JVM side of {@link KillNineIT} and {@link CrashPointsIT}: runs a {@link CrashWorkload}
 * on one new file and reports its progress on standard output, one flushed line per event, so a
 * parent that kills it knows how far it got:
 *
 * <ul>
 *   <li>{@code START} first thing, {@code OPENED} once the file is created and open;
 *   <li>{@code SYNCING seq kind} before sync point {@code seq} ({@code kind}: sync, shrink or
 *       close), {@code SYNCED seq length} only after it returned;
 *   <li>{@code GROW op} before an operation that must grow the file, {@code GREW op} after it;
 *   <li>at the end, {@code REACHED point=count ...} (the crash points passed) and {@code DONE}.
 * </ul>
 *
 * <p>It keeps its own {@link CrashModel} and compares (sizes after every operation, contents at
 * every sync point, removed values): a difference prints {@code DIVERGED ...} and exits with 3.
 *
 * <p>Usage: {@code CrashChild FILE SEED native|channel PROFILE MAX_OPS [HALT_POINT HALT_COUNT]}.
 * With a halt point, a {@link CrashHooks.Listener} halts the JVM (status {@link
 * CrashHooks#HALT_STATUS}) the {@code HALT_COUNT}-th time the point is reached; {@code
 * -Dmmapvec.test.crashAt=POINT} on the JVM's command line halts at the first time instead.
 */
public final class CrashChild {
  private CrashChild() {}

  private static final PrintStream OUT = System.out;

  /**
   * Runs the workload; see the class comment for the arguments and the output.
   *
   * @param args FILE SEED BACKEND PROFILE MAX_OPS [HALT_POINT HALT_COUNT]
   * @throws Exception when the vector fails, which the parent then reports with this output
   */
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    Backend backend =
        switch (args[2]) {
          case "native" -> Backend.nativeBackend();
          case "channel" -> Backend.channelBackend();
          default -> throw new IllegalArgumentException("backend " + args[2]);
        };
    CrashWorkload.Profile profile = CrashWorkload.Profile.named(args[3]);
    int maxOps = Integer.parseInt(args[4]);
    String haltPoint = args.length > 5 ? args[5] : null;
    int haltCount = args.length > 6 ? Integer.parseInt(args[6]) : 1;

    Map<String, Integer> reached = new TreeMap<>();
    CrashHooks.setListener(
        (point, f) -> {
          int n = reached.merge(point.key(), 1, Integer::sum);
          if (point.key().equals(haltPoint) && n == haltCount) {
            OUT.flush();
            Runtime.getRuntime().halt(CrashHooks.HALT_STATUS);
          }
        });

    say("START");
    LongVec vec = LongVec.open(file, VecOptions.defaults(), backend);
    say("OPENED " + vec.capacity());
    CrashWorkload w = new CrashWorkload(seed, profile, maxOps);
    CrashModel model = new CrashModel();
    int seq = 0;
    for (CrashWorkload.Op op = w.next(0); op != null; op = w.next(model.size())) {
      if (op.isSyncPoint()) {
        seq++;
        String kind =
            switch (op.kind()) {
              case SHRINK_TO_FIT -> "shrink";
              case CLOSE -> "close";
              default -> "sync";
            };
        long length = vec.size();
        say("SYNCING " + seq + " " + kind);
        op.applyTo(vec);
        say("SYNCED " + seq + " " + length);
        model.sync();
        if (op.kind() != CrashWorkload.Kind.CLOSE) {
          long[] have = vec.toArray();
          if (!Arrays.equals(have, model.contents())) {
            diverged(op, "contents differ from the model's at sync #" + seq);
          }
        }
        continue;
      }
      boolean grows = op.neededCapacity(vec.size()) > vec.capacity();
      if (grows) {
        say("GROW " + op.number());
      }
      long removed = op.applyTo(vec);
      if (grows) {
        say("GREW " + op.number());
      }
      long expected = op.applyTo(model);
      if (removed != expected) {
        diverged(
            op,
            "removed "
                + CrashWorkload.describe(removed)
                + ", model says "
                + CrashWorkload.describe(expected));
      }
      if (vec.size() != model.size()) {
        diverged(op, "size " + vec.size() + ", model says " + model.size());
      }
    }
    StringBuilder b = new StringBuilder("REACHED");
    reached.forEach((p, n) -> b.append(' ').append(p).append('=').append(n));
    say(b.toString());
    say("DONE");
  }

  private static void diverged(CrashWorkload.Op op, String what) {
    say("DIVERGED after " + op + ": " + what);
    System.exit(3);
  }

  private static void say(String line) {
    OUT.println(line);
    OUT.flush();
  }

  // ------------------------------------------------------------------------------ parent side

  /** {@return a child's JVM options: native access, assertions, fast start, then {@code extra}} */
  static List<String> jvmOptions(String... extra) {
    List<String> o = new ArrayList<>();
    o.add("--enable-native-access=ALL-UNNAMED");
    o.add("-ea");
    // Start fast: these children do little work and several run at once on a small machine.
    o.add("-Xshare:auto");
    o.add("-XX:TieredStopAtLevel=1");
    o.add("-XX:+UseSerialGC");
    o.add("-XX:-UsePerfData");
    o.add("-Xss512k");
    o.add("-Xmx96m");
    o.addAll(Arrays.asList(extra));
    return o;
  }

  /**
   * A running child. Its standard output goes to a file, read as it grows: a pipe would lose the
   * last lines of a child killed with SIGKILL (the JDK's process reaper drains and closes the pipe
   * under a reading thread, which then sees "Stream closed"), and a kill test must see every line
   * written before the death. Standard error goes to another file.
   */
  static final class Run implements AutoCloseable {
    /**
     * Held while this JVM starts a child and while a test thread has a vector open that it will
     * reopen. A child shares every descriptor of this JVM from its fork until its exec; a vector
     * closed in that window keeps its locks (they belong to the open file description) until the
     * exec, and an immediate reopen is refused. The crash tests start children from two threads and
     * must not trip over that (it is reported as a library issue, not tested here).
     */
    static final Object SPAWN_LOCK = new Object();

    private final Process process;
    private final Path out;
    private final Path err;

    private Run(Process process, Path out, Path err) {
      this.process = process;
      this.out = out;
      this.err = err;
    }

    /**
     * Starts {@code CrashChild} with {@code args} in a new JVM on this JVM's class path.
     *
     * @param dir where the child's output files go
     * @param jvmOptions options before the main class (see {@link #jvmOptions})
     */
    static Run start(Path dir, List<String> jvmOptions, String... args) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(ChildJvm.javaExecutable());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.addAll(jvmOptions);
      command.add(CrashChild.class.getName());
      command.addAll(Arrays.asList(args));
      Path out = dir.resolve("child.out");
      Path err = dir.resolve("child.err");
      Process p;
      synchronized (SPAWN_LOCK) {
        p =
            new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
      }
      p.getOutputStream().close();
      return new Run(p, out, err);
    }

    /**
     * Waits until a line starting with {@code prefix} came, the child exited or the time ran out.
     * {@return whether the line came}
     */
    boolean awaitLine(String prefix, long timeoutMillis) throws InterruptedException, IOException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      while (true) {
        boolean exited =
            !process.isAlive(); // before reading: no line written before exit is missed
        for (String l : lines()) {
          if (l.startsWith(prefix)) {
            return true;
          }
        }
        if (exited || System.nanoTime() > deadline) {
          return false;
        }
        Thread.sleep(2);
      }
    }

    /** Kills the child with SIGKILL at once. */
    void kill() {
      process.destroyForcibly();
    }

    /**
     * Waits for the child to exit. {@return its exit status, or -1 if it did not exit in time (it
     * is then killed)}
     */
    int awaitExit(long timeoutMillis) throws InterruptedException {
      if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        return -1;
      }
      return process.exitValue();
    }

    /** {@return the complete lines written so far} */
    List<String> lines() throws IOException {
      String text;
      try {
        text = Files.readString(out, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        return List.of();
      }
      int end = text.lastIndexOf('\n');
      return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
    }

    /** {@return the child's output, for failure messages (the last lines of stdout)} */
    String transcript() {
      StringBuilder b = new StringBuilder("--- child stdout");
      try {
        List<String> l = lines();
        int from = Math.max(0, l.size() - 40);
        if (from > 0) {
          b.append(" (last 40 of ").append(l.size()).append(" lines)");
        }
        b.append(" ---\n");
        for (String s : l.subList(from, l.size())) {
          b.append(s).append('\n');
        }
      } catch (IOException e) {
        b.append(" ---\n").append(e).append('\n');
      }
      b.append("--- child stderr ---\n");
      try {
        String e = Files.readString(err);
        b.append(e.length() > 4000 ? e.substring(0, 4000) + "...\n" : e);
      } catch (NoSuchFileException e) {
        // none
      } catch (IOException e) {
        b.append(e).append('\n');
      }
      return b.toString();
    }

    /** Kills the child if it still runs. Never throws. */
    @Override
    public void close() {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * What a child's output says about how far it got.
   *
   * @param started it printed START
   * @param opened its file was created and open
   * @param lastSynced the last sync point reported done (0: none)
   * @param lastLength the length that sync committed
   * @param syncing a later sync point was started ({@code lastSynced + 1}), or 0
   * @param syncingKind that sync's kind, or null
   * @param growing the number of an operation that started to grow the file and did not finish, or
   *     0
   * @param done it finished the workload
   * @param diverged a DIVERGED line, or null
   */
  record Progress(
      boolean started,
      boolean opened,
      int lastSynced,
      long lastLength,
      int syncing,
      String syncingKind,
      int growing,
      boolean done,
      String diverged) {

    static Progress of(List<String> lines) {
      boolean started = false;
      boolean opened = false;
      int synced = 0;
      long length = 0;
      int syncing = 0;
      String kind = null;
      int growing = 0;
      boolean done = false;
      String diverged = null;
      for (String l : lines) {
        String[] f = l.split(" ");
        switch (f[0]) {
          case "START" -> started = true;
          case "OPENED" -> opened = true;
          case "SYNCING" -> {
            syncing = Integer.parseInt(f[1]);
            kind = f[2];
          }
          case "SYNCED" -> {
            synced = Integer.parseInt(f[1]);
            length = Long.parseLong(f[2]);
            syncing = 0;
            kind = null;
          }
          case "GROW" -> growing = Integer.parseInt(f[1]);
          case "GREW" -> growing = 0;
          case "DONE" -> done = true;
          case "DIVERGED" -> diverged = l;
          default -> {}
        }
      }
      return new Progress(started, opened, synced, length, syncing, kind, growing, done, diverged);
    }
  }
}
