package io.mmapvec.internal.posix;

import java.nio.file.Path;

/**
 * Run by {@link PosixTest} in a child JVM started without {@code --enable-native-access}: prints
 * what {@link Posix} says about itself and what a call does, one fact per line.
 */
final class PosixUnavailableProbe {
  private PosixUnavailableProbe() {}

  public static void main(String[] args) throws Exception {
    System.out.println("available=" + Posix.isAvailable());
    System.out.println("reason=" + Posix.unavailableReason());
    try {
      Posix.open(Path.of(args[0]), false, false);
      System.out.println("open=returned");
    } catch (UnsupportedOperationException e) {
      System.out.println("open=UnsupportedOperationException: " + e.getMessage());
    }
    try {
      Posix.pageSize();
      System.out.println("pageSize=returned");
    } catch (UnsupportedOperationException e) {
      System.out.println("pageSize=UnsupportedOperationException");
    }
    System.out.println("lockHolderPid=" + Posix.lockHolderPid(0, 0));
  }
}
