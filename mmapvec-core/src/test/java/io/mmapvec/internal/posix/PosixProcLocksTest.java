package io.mmapvec.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing of {@code /proc/locks} and {@code dev_t} numbers, without native calls. */
class PosixProcLocksTest {
  /** Device 253:1 (0xfd:0x01), as glibc encodes it in st_dev. */
  private static final long DEV_FD_01 = DeviceNumbers.makedev(0xfd, 0x01);

  private static long holder(String locks, long dev, long ino) throws IOException {
    return ProcLocks.holderPid(new BufferedReader(new StringReader(locks)), dev, ino);
  }

  @Test
  void makedevMajorAndMinorFollowGlibcsBitLayout() {
    assertThat(DeviceNumbers.makedev(8, 1)).isEqualTo(0x801L);
    assertThat(DeviceNumbers.makedev(0xfe, 0)).isEqualTo(0xfe00L);
    // Wide numbers use the high bits: major 12-bit low part at bits 8-19, the rest at 44-63;
    // minor 8-bit low part at bits 0-7, the rest at 20-43.
    assertThat(DeviceNumbers.makedev(0x12345, 0x6789a))
        .isEqualTo(0x0001_2000_6783_459AL); // glibc makedev(0x12345, 0x6789a)
    for (long major : new long[] {0, 1, 8, 253, 259, 4095, 4096, 0xfffff, 0xffffffffL}) {
      for (long minor : new long[] {0, 1, 255, 256, 65536, 0xfffff, 0xffffffffL}) {
        long dev = DeviceNumbers.makedev(major, minor);
        assertThat(DeviceNumbers.major(dev)).as("major of %x:%x", major, minor).isEqualTo(major);
        assertThat(DeviceNumbers.minor(dev)).as("minor of %x:%x", major, minor).isEqualTo(minor);
      }
    }
  }

  @Test
  void findsTheHolderOfAFlockByDeviceAndInode() throws IOException {
    String locks =
        """
        1: OFDLCK ADVISORY  WRITE -1 fd:01:1234 0 EOF
        2: FLOCK  ADVISORY  WRITE 4321 fd:01:1234 0 EOF
        3: POSIX  ADVISORY  READ 555 08:01:1234 0 EOF
        """;
    assertThat(holder(locks, DEV_FD_01, 1234)).isEqualTo(4321);
    assertThat(holder(locks, DeviceNumbers.makedev(8, 1), 1234)).isEqualTo(555);
  }

  @Test
  void anOfdLockShownWithPidMinusOneIsNoHolder() throws IOException {
    assertThat(holder("1: OFDLCK ADVISORY  WRITE -1 fd:01:1234 0 EOF\n", DEV_FD_01, 1234))
        .isEqualTo(-1);
  }

  @Test
  void anOfdLockShownWithAPidIsFound() throws IOException {
    assertThat(holder("1: OFDLCK ADVISORY  READ 77 fd:01:1234 0 EOF\n", DEV_FD_01, 1234))
        .isEqualTo(77);
  }

  @Test
  void otherFilesAndDevicesDoNotMatch() throws IOException {
    String locks =
        """
        1: FLOCK  ADVISORY  WRITE 10 fd:01:12345 0 EOF
        2: FLOCK  ADVISORY  WRITE 11 fd:02:1234 0 EOF
        3: FLOCK  ADVISORY  WRITE 12 fe:01:1234 0 EOF
        """;
    assertThat(holder(locks, DEV_FD_01, 1234)).isEqualTo(-1);
  }

  @Test
  void aWaiterIsNotAHolder() throws IOException {
    String locks =
        """
        1: -> FLOCK  ADVISORY  WRITE 99 fd:01:1234 0 EOF
        1: FLOCK  ADVISORY  WRITE 100 fd:01:1234 0 EOF
        """;
    assertThat(holder(locks, DEV_FD_01, 1234)).isEqualTo(100);
  }

  @Test
  void aPidOfZeroFromAnotherPidNamespaceIsNoHolder() throws IOException {
    assertThat(holder("1: FLOCK  ADVISORY  WRITE 0 fd:01:1234 0 EOF\n", DEV_FD_01, 1234))
        .isEqualTo(-1);
  }

  @Test
  void wideDeviceNumbersAndLargeInodesMatch() throws IOException {
    long dev = DeviceNumbers.makedev(0x103, 0x10000);
    long ino = 0xfedcba9876543210L; // above Long.MAX_VALUE as unsigned
    String locks =
        "7: FLOCK  ADVISORY  WRITE 31337 103:10000:" + Long.toUnsignedString(ino) + " 0 EOF\n";
    assertThat(holder(locks, dev, ino)).isEqualTo(31337);
  }

  @Test
  void malformedLinesAreSkipped() throws IOException {
    String locks =
        """

        garbage
        1: FLOCK ADVISORY WRITE
        2: FLOCK  ADVISORY  WRITE xyz fd:01:1234 0 EOF
        3: FLOCK  ADVISORY  WRITE 5 fd:zz:1234 0 EOF
        4: FLOCK  ADVISORY  WRITE 6 fd01:1234 0 EOF
        5: FLOCK  ADVISORY  WRITE 7 fd:01:1234 0 EOF
        """;
    assertThat(holder(locks, DEV_FD_01, 1234)).isEqualTo(7);
  }

  @Test
  void anUnreadableLocksFileGivesMinusOne(@TempDir Path dir) {
    assertThat(ProcLocks.holderPid(dir.resolve("no-such-file"), DEV_FD_01, 1234)).isEqualTo(-1);
  }

  @Test
  void readsALocksFile(@TempDir Path dir) throws IOException {
    Path locks =
        Files.writeString(
            dir.resolve("locks"), "2: FLOCK  ADVISORY  WRITE 4321 fd:01:1234 0 EOF\n");
    assertThat(ProcLocks.holderPid(locks, DEV_FD_01, 1234)).isEqualTo(4321);
  }

  @Test
  void heldListsEveryLockOnTheFileWithItsKindModeAndPid(@TempDir Path dir) throws IOException {
    Path locks = dir.resolve("locks");
    Files.writeString(
        locks,
        """
        1: OFDLCK ADVISORY  WRITE -1 fd:01:1234 0 EOF
        2: FLOCK  ADVISORY  WRITE 4321 fd:01:1234 0 EOF
        2: -> FLOCK  ADVISORY  WRITE 999 fd:01:1234 0 EOF
        3: FLOCK  ADVISORY  READ 555 fd:01:1234 0 EOF
        4: POSIX  ADVISORY  READ 556 fd:01:9999 0 EOF
        """);
    assertThat(ProcLocks.held(locks, DEV_FD_01, 1234))
        .containsExactly(
            new HeldLock("OFDLCK", true, -1),
            new HeldLock("FLOCK", true, 4321),
            new HeldLock("FLOCK", false, 555));
    assertThat(ProcLocks.held(locks, DEV_FD_01, 42)).isEmpty();
    assertThat(ProcLocks.held(dir.resolve("missing"), DEV_FD_01, 1234)).isNull();
  }
}
