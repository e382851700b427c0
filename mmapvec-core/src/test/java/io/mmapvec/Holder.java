package io.mmapvec;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.mmapvec.internal.storage.Backend;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child-JVM program (started through {@link ChildJvm}) that opens a {@link LongVec} and holds it
 * while the parent probes the file from outside.
 *
 * <p>Usage: {@code Holder PATH|- rw|ro native|channel [--values N] [--control FILE]}. With a path
 * it opens the vector at once (a writable open adds {@code N} values and syncs); with {@code -} it
 * opens nothing until told. Then it obeys commands, one per line on standard input, and answers on
 * standard output:
 *
 * <ul>
 *   <li>after an open: {@code READY size}, {@code LOCKED holderPid message}, {@code FORMAT reason
 *       message} or {@code ERROR class message};
 *   <li>{@code close} → {@code CLOSED}; {@code open} → opens the same path again;
 *   <li>{@code touch-channel}, {@code touch-stream}, {@code touch-raf} → open and close another
 *       descriptor of the file in this JVM ({@code FileChannel}, {@code FileInputStream}, {@code
 *       RandomAccessFile}) → {@code TOUCHED what};
 *   <li>{@code spawn-sleep} → starts {@code sleep 60} with {@code posix_spawn}, which (unlike
 *       {@code ProcessBuilder}, whose helper closes every descriptor above 2) lets the child
 *       inherit every descriptor not marked close-on-exec → {@code CHILD pid};
 *   <li>{@code race PATH GO} → {@code WAITING}, spins until the file {@code GO} exists, then opens
 *       {@code PATH} for writing and, if that works, appends its own pid and syncs;
 *   <li>{@code exit} → {@code EXITING}, then exits without closing the vector (so does end of
 *       input).
 * </ul>
 */
public final class Holder {
  private Holder() {}

  private static Path path;
  private static boolean readOnly;
  private static Backend backend;
  private static int values;
  private static LongVec vec;

  /** Kept open on purpose: the spawn test checks that a child inherits it. */
  @SuppressWarnings("unused")
  private static FileInputStream control;

  public static void main(String[] args) throws Throwable {
    path = args[0].equals("-") ? null : Path.of(args[0]);
    readOnly =
        switch (args[1]) {
          case "rw" -> false;
          case "ro" -> true;
          default -> throw new IllegalArgumentException("mode " + args[1]);
        };
    backend =
        switch (args[2]) {
          case "native" -> Backend.nativeBackend();
          case "channel" -> Backend.channelBackend();
          default -> throw new IllegalArgumentException("backend " + args[2]);
        };
    for (int i = 3; i < args.length; i += 2) {
      switch (args[i]) {
        case "--values" -> values = Integer.parseInt(args[i + 1]);
        case "--control" -> control = new FileInputStream(args[i + 1]);
        default -> throw new IllegalArgumentException("option " + args[i]);
      }
    }
    say("PID " + ProcessHandle.current().pid());
    if (path != null) {
      open(path, values);
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] words = line.trim().split(" ");
      switch (words[0]) {
        case "close" -> {
          vec.close();
          vec = null;
          say("CLOSED");
        }
        case "open" -> open(path, 0);
        case "touch-channel" -> {
          FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
          say("TOUCHED channel");
        }
        case "touch-stream" -> {
          new FileInputStream(path.toFile()).close();
          say("TOUCHED stream");
        }
        case "touch-raf" -> {
          new RandomAccessFile(path.toFile(), "rw").close();
          say("TOUCHED raf");
        }
        case "spawn-sleep" -> say("CHILD " + spawnSleep());
        case "race" -> race(Path.of(words[1]), Path.of(words[2]));
        case "exit" -> {
          say("EXITING");
          System.exit(0);
        }
        default -> say("ERROR unknown command " + line);
      }
    }
    System.exit(0);
  }

  private static void race(Path file, Path go) {
    path = file;
    say("WAITING");
    while (!Files.exists(go)) {
      Thread.onSpinWait();
    }
    open(file, -1);
  }

  /** Opens {@code file}; a writable open then appends {@code n} values (-1: our pid) and syncs. */
  private static void open(Path file, int n) {
    VecOptions options = VecOptions.defaults().withReadOnly(readOnly);
    try {
      vec = LongVec.open(file, options, backend);
      if (!readOnly && n != 0) {
        if (n < 0) {
          vec.add(ProcessHandle.current().pid());
        }
        for (int i = 0; i < n; i++) {
          vec.add(i);
        }
        vec.sync();
      }
      say("READY " + vec.size());
    } catch (VecLockedException e) {
      say("LOCKED " + e.holderPid().orElse(-1) + " " + e.getMessage());
    } catch (VecFormatException e) {
      say("FORMAT " + e.reason() + " " + e.getMessage());
    } catch (Throwable t) {
      t.printStackTrace();
      say("ERROR " + t.getClass().getName() + " " + t.getMessage());
    }
  }

  @SuppressWarnings("restricted")
  private static long spawnSleep() throws Throwable {
    Linker linker = Linker.nativeLinker();
    // int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
    //                 const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);
    MethodHandle spawn =
        linker.downcallHandle(
            linker.defaultLookup().find("posix_spawn").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    String sleep = Files.isExecutable(Path.of("/usr/bin/sleep")) ? "/usr/bin/sleep" : "/bin/sleep";
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pid = arena.allocate(JAVA_INT);
      MemorySegment argv = arena.allocate(ADDRESS, 3);
      argv.setAtIndex(ADDRESS, 0, arena.allocateFrom("sleep"));
      argv.setAtIndex(ADDRESS, 1, arena.allocateFrom("60"));
      argv.setAtIndex(ADDRESS, 2, MemorySegment.NULL);
      MemorySegment envp = arena.allocate(ADDRESS, 1); // zeroed: an empty environment
      int rc =
          (int)
              spawn.invokeExact(
                  pid,
                  arena.allocateFrom(sleep),
                  MemorySegment.NULL,
                  MemorySegment.NULL,
                  argv,
                  envp);
      if (rc != 0) {
        throw new IOException("posix_spawn(" + sleep + ") failed with error " + rc);
      }
      return pid.get(JAVA_INT, 0);
    }
  }

  private static void say(String line) {
    System.out.println(line.replace('\n', ' '));
    System.out.flush();
  }
}
