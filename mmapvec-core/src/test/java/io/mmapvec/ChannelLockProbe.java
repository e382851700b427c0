package io.mmapvec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child-JVM program: tries {@link FileChannel#tryLock()} (a classic POSIX lock, exclusive, whole
 * file) on the file named by its argument and prints {@code FREE} (and exits 0) when it gets the
 * lock, {@code HELD} (exit 1) when {@code tryLock} returns null, {@code HELD-IOEXCEPTION message}
 * (exit 1) when it fails with an {@link IOException}, and {@code ERROR class message} (exit 2) on
 * anything else. With a second argument {@code --wait} it first prints {@code WAITING} and waits
 * for a line on standard input, so that its JVM can start while other probes run.
 */
public final class ChannelLockProbe {
  private ChannelLockProbe() {}

  public static void main(String[] args) throws IOException {
    if (args.length > 1 && args[1].equals("--wait")) {
      System.out.println("WAITING");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    int code;
    try (FileChannel ch =
        FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (IOException e) {
        lock = null;
        System.out.println("HELD-IOEXCEPTION " + e);
      }
      if (lock != null) {
        lock.release();
        System.out.println("FREE");
        code = 0;
      } else {
        System.out.println("HELD");
        code = 1;
      }
    } catch (IOException | RuntimeException e) {
      System.out.println("ERROR " + e);
      code = 2;
    }
    System.out.flush();
    System.exit(code);
  }
}
