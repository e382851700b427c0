package io.mmapvec;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child JVM running a {@code main} class from the test class path, for tests that need a second
 * process (locks, crashes). It talks a line protocol: commands go to its standard input, one per
 * line; its answers are lines in its standard output, which goes to a file under the test's
 * temporary directory (as does its standard error), so nothing is lost when it dies.
 *
 * <p>Always use it in try-with-resources: {@link #close()} kills the child and its descendants.
 *
 * <p><b>Threads:</b> one test thread per instance.
 */
final class ChildJvm implements AutoCloseable {
  /** Generous: several builds share this machine, and a JVM may take seconds to start there. */
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final String name;
  private final Process process;
  private final Path out;
  private final Path err;
  private final BufferedWriter stdin;
  private int consumedLines;

  private ChildJvm(String name, Process process, Path out, Path err) {
    this.name = name;
    this.process = process;
    this.out = out;
    this.err = err;
    this.stdin =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
  }

  /** {@return the java launcher of this JVM} */
  static String javaExecutable() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * Starts {@code mainClass} with {@code args} in a new JVM on this JVM's class path, with
   * assertions and native access enabled.
   *
   * @param dir where the child's stdout and stderr files go
   * @param name a short name for the files and for messages
   */
  static ChildJvm start(Path dir, String name, Class<?> mainClass, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-ea");
    // Start fast: these children do little work.
    command.add("-Xshare:auto");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Xmx64m");
    command.add(mainClass.getName());
    command.addAll(Arrays.asList(args));
    String unique = name + "-" + COUNTER.incrementAndGet();
    Path out = dir.resolve(unique + ".out");
    Path err = dir.resolve(unique + ".err");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    return new ChildJvm(unique, p, out, err);
  }

  /** {@return the child's process id} */
  long pid() {
    return process.pid();
  }

  /** {@return the child process} */
  Process process() {
    return process;
  }

  /** Sends one command line to the child's standard input. */
  void send(String line) throws IOException {
    stdin.write(line);
    stdin.write('\n');
    stdin.flush();
  }

  /**
   * Waits for the next line (after those already returned) that starts with one of {@code
   * prefixes}, skipping others; fails the test with the child's output if the child exits first or
   * the time runs out.
   */
  String awaitLine(String... prefixes) throws IOException, InterruptedException {
    return awaitLine(TIMEOUT, prefixes);
  }

  /** Like {@link #awaitLine(String...)} with an explicit timeout. */
  String awaitLine(Duration timeout, String... prefixes) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean exited =
          !process.isAlive(); // before reading, so no line written before exit is missed
      List<String> lines = completeLines();
      for (int i = consumedLines; i < lines.size(); i++) {
        String line = lines.get(i);
        for (String prefix : prefixes) {
          if (line.startsWith(prefix)) {
            consumedLines = i + 1;
            return line;
          }
        }
      }
      if (exited) {
        return fail(
            "%s exited (code %d) before printing a line starting with %s%n%s",
            name, process.exitValue(), Arrays.toString(prefixes), transcript());
      }
      if (System.nanoTime() > deadline) {
        return fail(
            "%s printed no line starting with %s within %s%n%s",
            name, Arrays.toString(prefixes), timeout, transcript());
      }
      Thread.sleep(5);
    }
  }

  /** Sends {@code command} and waits for the answer starting with one of {@code prefixes}. */
  String ask(String command, String... prefixes) throws IOException, InterruptedException {
    send(command);
    return awaitLine(prefixes);
  }

  /** Waits for the child to exit; fails the test on timeout. {@return the exit code} */
  int awaitExit(Duration timeout) throws InterruptedException, IOException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      fail("%s did not exit within %s%n%s", name, timeout, transcript());
    }
    return process.exitValue();
  }

  /** Kills the child with SIGKILL and waits until it is gone (its descendants are left alone). */
  void kill() throws InterruptedException, IOException {
    process.destroyForcibly();
    awaitExit(TIMEOUT);
  }

  /** {@return the child's output so far, for failure messages} */
  String transcript() throws IOException {
    return "--- stdout of "
        + name
        + " ---\n"
        + read(out)
        + "--- stderr of "
        + name
        + " ---\n"
        + read(err);
  }

  private List<String> completeLines() throws IOException {
    String text = read(out);
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return List.of();
    }
    return Arrays.asList(text.substring(0, end).split("\n", -1));
  }

  private static String read(Path file) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    }
  }

  /** Kills the child and its descendants, and waits for the child. Never throws. */
  @Override
  public void close() {
    try {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        stdin.close();
      } catch (IOException ignored) {
        // The child is gone; its pipe may be broken.
      }
    }
  }

  @Override
  public String toString() {
    return name + "[pid " + process.pid() + "]";
  }
}
