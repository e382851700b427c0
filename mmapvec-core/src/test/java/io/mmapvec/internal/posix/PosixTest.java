package io.mmapvec.internal.posix;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.NativeCallException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The native layer against real files in a temporary directory, and real child processes. */
@Timeout(120) // a retry loop that never ends must fail, not hang the build
class PosixTest {
  private static final long MIB = 1L << 20;

  @TempDir Path dir;

  /** Descriptors a test opened and has not closed; closed after each test. */
  private final List<Integer> open = new ArrayList<>();

  @BeforeAll
  static void requireNativeAccess() {
    // The test JVM runs with --enable-native-access=ALL-UNNAMED; without it nothing here works.
    assertThat(Posix.unavailableReason()).isNull();
  }

  @AfterEach
  void closeLeftovers() throws NativeCallException {
    for (int fd : open) {
      Posix.close(fd, null);
    }
  }

  private int openTracked(Path path, boolean writable, boolean createExclusive) throws IOException {
    int fd = Posix.open(path, writable, createExclusive);
    open.add(fd);
    return fd;
  }

  private void closeTracked(int fd, Path path) throws NativeCallException {
    open.remove(Integer.valueOf(fd));
    Posix.close(fd, path);
  }

  private Path fileWith(String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  // ---------------------------------------------------------------- availability

  @Test
  void isAvailableWhenNativeAccessIsEnabledOnLinux() {
    assertThat(Posix.isAvailable()).isTrue();
    assertThat(Posix.unavailableReason()).isNull();
  }

  @Test
  void withoutNativeAccessNothingIsBoundAndTheReasonNamesTheFlag() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path out = dir.resolve("probe.out");
    Path err = dir.resolve("probe.err");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                PosixUnavailableProbe.class.getName(),
                dir.resolve("anything").toString())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
    } finally {
      child.destroyForcibly();
    }
    String stdout = Files.readString(out);
    String stderr = Files.readString(err);
    assertThat(child.exitValue()).as(stdout + stderr).isZero();
    assertThat(stdout)
        .contains("available=false")
        .contains("reason=native access is not enabled for the class path")
        .contains("--enable-native-access=ALL-UNNAMED")
        .contains("open=UnsupportedOperationException: native file calls are unavailable")
        .contains("pageSize=UnsupportedOperationException")
        .contains("lockHolderPid=-1");
    // JDK 22+ warns on the first restricted call by a module without native access: no such
    // warning means no downcall handle was created.
    assertThat(stderr).doesNotContain("restricted method");
  }

  @Test
  void pageSizeMatchesGetconf() throws Exception {
    String getconf = run("getconf", "PAGESIZE").strip();
    assertThat(Posix.pageSize()).isEqualTo(Integer.parseInt(getconf));
    assertThat(Integer.bitCount(Posix.pageSize())).isOne();
  }

  // ---------------------------------------------------------------- open and close

  @Test
  void createExclusiveCreatesAnEmptyFileWithMode0644LessUmask() throws IOException {
    Path file = dir.resolve("new.vec");
    int fd = openTracked(file, true, true);
    assertThat(file).exists().isEmptyFile();
    assertThat(Posix.fstat(fd, file).size()).isZero();
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    assertThat(permissions)
        .contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)
        .doesNotContain(
            PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);
    closeTracked(fd, file);

    int again = openTracked(file, false, false);
    assertThat(again).isNotNegative();
    closeTracked(again, file);
  }

  @Test
  void openOfMissingFileThrowsNoSuchFileException() {
    Path missing = dir.resolve("missing.vec");
    assertThatThrownBy(() -> Posix.open(missing, false, false))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("open failed: ENOENT (No such file or directory)");
  }

  @Test
  void createExclusiveOfExistingFileThrowsFileAlreadyExistsAndLeavesItAlone() throws IOException {
    Path file = fileWith("taken.vec", "keep me".getBytes(UTF_8));
    assertThatThrownBy(() -> Posix.open(file, true, true))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("EEXIST");
    assertThat(file).hasContent("keep me");
  }

  @Test
  void openOfForbiddenFileThrowsAccessDenied() throws IOException {
    // Root bypasses file permissions, but not sysfs's: /sys/kernel/notes refuses writers to all.
    Path file = Path.of("/sys/kernel/notes");
    if (!Files.exists(file)) {
      file = fileWith("secret.vec", new byte[1]);
      Files.setPosixFilePermissions(file, Set.of());
    }
    Path forbidden = file;
    assertThatThrownBy(() -> Posix.open(forbidden, true, false))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("EACCES")
        .hasMessageContaining(forbidden.toString());
  }

  @Test
  void accessErrorsOfPathCallsMapToAccessDenied() {
    Path file = dir.resolve("x");
    assertThat(Errno.pathFailure("open", Errno.EACCES, file, null))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessage(file + ": open failed: EACCES (Permission denied)");
    assertThat(Errno.pathFailure("unlink", Errno.EPERM, file, null))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("EPERM");
    assertThat(Errno.pathFailure("open", Errno.EINVAL, file, null))
        .isInstanceOf(NativeCallException.class);
  }

  @Test
  void openOfDirectoryForWritingThrowsNativeCallExceptionWithEisdir() {
    NativeCallException e =
        catchThrowableOfType(NativeCallException.class, () -> Posix.open(dir, true, false));
    assertThat(e.function()).isEqualTo("open");
    assertThat(e.errnoName()).isEqualTo("EISDIR");
    assertThat(e.errno()).isEqualTo(21);
    assertThat(e.file()).isEqualTo(dir);
  }

  @Test
  void openSetsCloseOnExec() throws IOException {
    Path file = fileWith("cloexec.vec", new byte[1]);
    int fd = openTracked(file, false, false);
    // /proc/self/fdinfo/N lists the open flags in octal; O_CLOEXEC is 02000000.
    String flags =
        Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
            .filter(l -> l.startsWith("flags:"))
            .findFirst()
            .orElseThrow()
            .substring("flags:".length())
            .strip();
    assertThat(Integer.parseInt(flags, 8) & 02000000).isNotZero();
  }

  @Test
  void closeOfAClosedDescriptorThrowsEbadf() throws IOException {
    Path file = fileWith("twice.vec", new byte[1]);
    int fd = Posix.open(file, false, false);
    Posix.close(fd, file);
    assertThatThrownBy(() -> Posix.close(fd, file))
        .isInstanceOf(NativeCallException.class)
        .hasMessage("close failed: EBADF (Bad file descriptor) (" + file + ")");
  }

  // ---------------------------------------------------------------- fstat

  @Test
  void fstatReportsDeviceInodeSizeAndModeLikeTheJdk() throws IOException {
    Path file = fileWith("stat.vec", new byte[12345]);
    int fd = openTracked(file, false, false);
    FileStat stat = Posix.fstat(fd, file);
    assertThat(stat.size()).isEqualTo(12345L);
    assertThat(stat.ino()).isEqualTo((Long) Files.getAttribute(file, "unix:ino"));
    assertThat(stat.dev()).isEqualTo((Long) Files.getAttribute(file, "unix:dev"));
    assertThat(stat.mode()).isEqualTo((Integer) Files.getAttribute(file, "unix:mode"));
    assertThat(stat.mode() & 0170000).as("S_IFREG").isEqualTo(0100000);
  }

  @Test
  void fstatOfADirectoryReportsADirectory() throws IOException {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    int fd = openTracked(sub, false, false);
    assertThat(Posix.fstat(fd, sub).mode() & 0170000).as("S_IFDIR").isEqualTo(0040000);
  }

  @Test
  void statxFallbackAgreesWithFstat() throws IOException {
    Path file = fileWith("statx.vec", new byte[777]);
    int fd = openTracked(file, false, false);
    assertThat(Stat.fstatViaStatx(fd, file)).isEqualTo(Posix.fstat(fd, file));
  }

  @Test
  void fstatOfABadDescriptorThrowsEbadf() {
    Path file = dir.resolve("none");
    assertThatThrownBy(() -> Posix.fstat(-1, file))
        .isInstanceOf(NativeCallException.class)
        .hasMessageContaining("fstat failed: EBADF");
  }

  @Test
  void deviceNumbersSplitLikeStat() throws Exception {
    Path file = fileWith("dev.vec", new byte[1]);
    String[] majorMinor = run("stat", "--format=%Hd %Ld", file.toString()).strip().split(" ");
    long dev = (Long) Files.getAttribute(file, "unix:dev");
    assertThat(DeviceNumbers.major(dev)).isEqualTo(Long.parseLong(majorMinor[0]));
    assertThat(DeviceNumbers.minor(dev)).isEqualTo(Long.parseLong(majorMinor[1]));
  }

  // ---------------------------------------------------------------- pread and pwrite

  @Test
  void pwriteThenPreadRoundTripsNativeMemory() throws IOException {
    Path file = dir.resolve("rw.vec");
    int fd = openTracked(file, true, true);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment src = arena.allocate(4096);
      for (int i = 0; i < 4096; i++) {
        src.set(JAVA_BYTE, i, (byte) (i * 31));
      }
      Posix.pwrite(fd, src, 100, file);
      assertThat(Files.size(file)).isEqualTo(4196);

      MemorySegment dst = arena.allocate(4096);
      assertThat(Posix.pread(fd, dst, 100, file)).isEqualTo(4096);
      assertThat(dst.mismatch(src)).isEqualTo(-1);
    }
    byte[] onDisk = Files.readAllBytes(file);
    assertThat(onDisk[100 + 5]).isEqualTo((byte) (5 * 31));
    assertThat(Arrays.copyOf(onDisk, 100)).containsOnly(0);
  }

  @Test
  void preadPastEndOfFileReturnsTheBytesThereAre() throws IOException {
    Path file = fileWith("short.vec", "0123456789".getBytes(UTF_8));
    int fd = openTracked(file, false, false);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment dst = arena.allocate(64);
      assertThat(Posix.pread(fd, dst, 4, file)).isEqualTo(6);
      assertThat(new String(dst.asSlice(0, 6).toArray(JAVA_BYTE), UTF_8)).isEqualTo("456789");
      assertThat(Posix.pread(fd, dst, 10, file)).isZero();
      assertThat(Posix.pread(fd, dst, 1000, file)).isZero();
    }
  }

  @Test
  void pwriteAndPreadAcceptHeapSegmentsLargerThanTheBounceBuffer() throws IOException {
    Path file = dir.resolve("heap.vec");
    int fd = openTracked(file, true, true);
    byte[] data = new byte[(int) (3 * MIB + 17)];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i ^ (i >>> 8) ^ (i >>> 16));
    }
    Posix.pwrite(fd, MemorySegment.ofArray(data), 5, file);
    assertThat(Files.size(file)).isEqualTo(data.length + 5L);

    byte[] back = new byte[data.length + 100];
    long n = Posix.pread(fd, MemorySegment.ofArray(back), 5, file);
    assertThat(n).isEqualTo(data.length);
    assertThat(Arrays.copyOf(back, data.length)).isEqualTo(data);
  }

  @Test
  void preadIntoAReadOnlySegmentIsRefused() throws IOException {
    Path file = fileWith("ro.vec", new byte[8]);
    int fd = openTracked(file, false, false);
    MemorySegment readOnly = MemorySegment.ofArray(new byte[8]).asReadOnly();
    assertThatThrownBy(() -> Posix.pread(fd, readOnly, 0, file))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pwriteOnAReadOnlyDescriptorThrowsEbadf() throws IOException {
    Path file = fileWith("rofd.vec", new byte[8]);
    int fd = openTracked(file, false, false);
    assertThatThrownBy(() -> Posix.pwrite(fd, MemorySegment.ofArray(new byte[4]), 0, file))
        .isInstanceOf(NativeCallException.class)
        .hasMessageContaining("pwrite failed: EBADF");
  }

  // ---------------------------------------------------------------- size and allocation

  @Test
  void fallocateGrowsTheSizeAndAllocatesBlocks() throws Exception {
    Path file = dir.resolve("alloc.vec");
    int fd = openTracked(file, true, true);
    Posix.fallocate(fd, 0, 4 * MIB, file);
    assertThat((Long) Files.getAttribute(file, "unix:size")).isEqualTo(4 * MIB);
    assertThat(Posix.fstat(fd, file).size()).isEqualTo(4 * MIB);
    assertThat(allocatedBytes(file)).isGreaterThanOrEqualTo(4 * MIB);
  }

  @Test
  void ftruncateGrowsWithoutAllocatingWhichIsWhyGrowthUsesFallocate() throws Exception {
    // The contrast that makes the fallocate test meaningful: the same size, but sparse.
    Path file = dir.resolve("sparse.vec");
    int fd = openTracked(file, true, true);
    Posix.ftruncate(fd, 4 * MIB, file);
    assertThat(Posix.fstat(fd, file).size()).isEqualTo(4 * MIB);
    assertThat(allocatedBytes(file)).isLessThan(4 * MIB);
  }

  @Test
  void fallocateInsideTheFileKeepsSizeAndData() throws IOException {
    Path file = fileWith("keep.vec", new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    int fd = openTracked(file, true, false);
    Posix.fallocate(fd, 2, 4, file);
    assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void ftruncateShrinksAndGrows() throws IOException {
    Path file = fileWith("trunc.vec", new byte[] {9, 9, 9, 9, 9, 9});
    int fd = openTracked(file, true, false);
    Posix.ftruncate(fd, 2, file);
    assertThat(Files.readAllBytes(file)).containsExactly(9, 9);
    Posix.ftruncate(fd, 5, file);
    assertThat(Files.readAllBytes(file)).containsExactly(9, 9, 0, 0, 0);
  }

  @Test
  void failedCallMessageNamesFunctionErrnoAndFile() throws IOException {
    Path file = fileWith("readonly.vec", new byte[10]);
    int fd = openTracked(file, false, false);
    NativeCallException e =
        catchThrowableOfType(NativeCallException.class, () -> Posix.ftruncate(fd, 0, file));
    assertThat(e.function()).isEqualTo("ftruncate");
    assertThat(e.errnoName()).isIn("EINVAL", "EBADF");
    assertThat(e.file()).isEqualTo(file);
    assertThat(e.getMessage())
        .startsWith("ftruncate failed: " + e.errnoName() + " (")
        .endsWith(") (" + file + ")");
    assertThat(file).hasSize(10);
  }

  // ---------------------------------------------------------------- mmap and msync

  @Test
  void mmapWriteThenMsyncIsSeenThroughFileChannel() throws IOException {
    Path file = dir.resolve("map.vec");
    int fd = openTracked(file, true, true);
    int page = Posix.pageSize();
    Posix.fallocate(fd, 0, 2L * page, file);
    try (Arena arena = Arena.ofShared()) {
      MemorySegment map = Posix.mmap(fd, 2L * page, true, arena, file);
      assertThat(map.byteSize()).isEqualTo(2L * page);
      assertThat(map.address() % page).isZero();
      map.set(JAVA_LONG, 0, 0x1122334455667788L);
      map.set(JAVA_LONG, page + 8, 42L);
      Posix.msync(map, 0, 2L * page, file);

      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.allocate(2 * page).order(java.nio.ByteOrder.nativeOrder());
        while (buf.hasRemaining() && ch.read(buf) >= 0) {}
        assertThat(buf.getLong(0)).isEqualTo(0x1122334455667788L);
        assertThat(buf.getLong(page + 8)).isEqualTo(42L);
      }
    }
  }

  @Test
  void mmapMaySpanMoreThanTheFileAsAReservation() throws IOException {
    Path file = dir.resolve("reserve.vec");
    int fd = openTracked(file, true, true);
    int page = Posix.pageSize();
    Posix.fallocate(fd, 0, page, file);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment map = Posix.mmap(fd, 1L << 30, true, arena, file);
      assertThat(map.byteSize()).isEqualTo(1L << 30);
      map.set(JAVA_BYTE, 5, (byte) 7); // only the allocated page is touched
      // Growing the file beneath the reservation makes more of it usable without a remap.
      Posix.fallocate(fd, page, page, file);
      map.set(JAVA_BYTE, page + 5, (byte) 8);
      Posix.msync(map, 0, 2L * page, file);
    }
    byte[] bytes = Files.readAllBytes(file);
    assertThat(bytes).hasSize(2 * page);
    assertThat(bytes[5]).isEqualTo((byte) 7);
    assertThat(bytes[page + 5]).isEqualTo((byte) 8);
  }

  /**
   * JDK-8364167 lets a thread make one more access after a shared arena's close; the range must
   * then still be mapped (anonymous, harmless) rather than gone, and be unmapped a little later.
   */
  @Test
  void closingTheArenaLeavesAnAnonymousPlaceholderThenUnmapsIt() throws Exception {
    Path file = dir.resolve("retire-" + System.nanoTime() + ".vec");
    int fd = openTracked(file, true, true);
    Posix.fallocate(fd, 0, Posix.pageSize(), file);
    Arena arena = Arena.ofShared();
    long base = Posix.mmap(fd, Posix.pageSize(), true, arena, file).address();
    String start = Long.toHexString(base) + "-";

    arena.close();

    List<String> placeholder = mappingsStartingAt(start);
    assertThat(placeholder).as("the range is still mapped right after close").hasSize(1);
    assertThat(placeholder.getFirst())
        .as("anonymous, not the file")
        .doesNotContain(file.toString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!mappingsStartingAt(start).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(mappingsStartingAt(start))
        .as("the placeholder is unmapped after its grace")
        .isEmpty();
  }

  private static List<String> mappingsStartingAt(String start) throws IOException {
    return Files.readAllLines(Path.of("/proc/self/maps")).stream()
        .filter(l -> l.startsWith(start))
        .toList();
  }

  @Test
  void closingTheArenaUnmaps() throws IOException {
    Path file = dir.resolve("unmap-" + System.nanoTime() + ".vec");
    int fd = openTracked(file, true, true);
    Posix.fallocate(fd, 0, Posix.pageSize(), file);
    Arena arena = Arena.ofShared();
    MemorySegment map = Posix.mmap(fd, Posix.pageSize(), true, arena, file);
    assertThat(mappingsOf(file)).hasSize(1);

    arena.close();

    assertThat(mappingsOf(file)).as("munmap ran when the arena closed").isEmpty();
    assertThatThrownBy(() -> map.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Posix.msync(map, 0, 1, file))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void readOnlyMappingRefusesStoresInsteadOfCrashing() throws IOException {
    Path file = fileWith("romap.vec", new byte[Posix.pageSize()]);
    int fd = openTracked(file, false, false);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment map = Posix.mmap(fd, Posix.pageSize(), false, arena, file);
      assertThat(map.isReadOnly()).isTrue();
      assertThat(map.get(JAVA_BYTE, 0)).isZero();
      assertThatThrownBy(() -> map.set(JAVA_BYTE, 0, (byte) 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("read-only");
    }
  }

  @Test
  void msyncWithAnUnalignedOffsetRoundsDownToThePage() throws IOException {
    Path file = dir.resolve("unaligned.vec");
    int fd = openTracked(file, true, true);
    int page = Posix.pageSize();
    Posix.fallocate(fd, 0, 3L * page, file);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment map = Posix.mmap(fd, 3L * page, true, arena, file);
      map.set(JAVA_BYTE, page + 100, (byte) 5);
      // msync(2) fails with EINVAL unless the address is page-aligned.
      Posix.msync(map, page + 100, 1, file);
      Posix.msync(map, 3, 2L * page, file);
      Posix.msync(map, 3L * page - 1, 1, file);
    }
    assertThat(Files.readAllBytes(file)[page + 100]).isEqualTo((byte) 5);
  }

  @Test
  void msyncOutsideTheMappingIsRefused() throws IOException {
    Path file = dir.resolve("bounds.vec");
    int fd = openTracked(file, true, true);
    int page = Posix.pageSize();
    Posix.fallocate(fd, 0, page, file);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment map = Posix.mmap(fd, page, true, arena, file);
      assertThatThrownBy(() -> Posix.msync(map, page - 1, 2, file))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void mmapOfAnImpossibleLengthSaysWhatToCheck() throws IOException {
    Path file = fileWith("huge.vec", new byte[1]);
    int fd = openTracked(file, false, false);
    try (Arena arena = Arena.ofConfined()) {
      NativeCallException e =
          catchThrowableOfType(
              NativeCallException.class, () -> Posix.mmap(fd, 1L << 62, false, arena, file));
      assertThat(e.errnoName()).isEqualTo("ENOMEM");
      assertThat(e.getMessage())
          .startsWith("mmap failed: ENOMEM (Cannot allocate memory; ")
          .contains("ulimit -v")
          .contains("vm.max_map_count")
          .endsWith("(" + file + ")");
    }
  }

  @Test
  void mmapOfABadDescriptorThrowsEbadf() {
    Path file = dir.resolve("none.vec");
    try (Arena arena = Arena.ofConfined()) {
      assertThatThrownBy(() -> Posix.mmap(-1, 4096, false, arena, file))
          .isInstanceOf(NativeCallException.class)
          .hasMessageContaining("mmap failed: EBADF");
    }
  }

  @Test
  void fdatasyncSucceedsAndReportsABadDescriptor() throws IOException {
    Path file = dir.resolve("sync.vec");
    int fd = openTracked(file, true, true);
    Posix.pwrite(fd, MemorySegment.ofArray(new byte[] {1, 2, 3}), 0, file);
    Posix.fdatasync(fd, file);
    assertThatThrownBy(() -> Posix.fdatasync(-1, file))
        .isInstanceOf(NativeCallException.class)
        .hasMessageContaining("fdatasync failed: EBADF");
  }

  // ---------------------------------------------------------------- OFD locks

  @Test
  void ofdLockRefusesASecondDescriptionInTheSameProcessUntilTheFirstCloses() throws IOException {
    Path file = fileWith("ofd.vec", new byte[1]);
    int first = openTracked(file, true, false);
    int second = openTracked(file, true, false);
    assertThat(Posix.tryLockOfd(first, true, file)).isTrue();
    assertThat(Posix.tryLockOfd(second, true, file)).isFalse();
    assertThat(Posix.tryLockOfd(second, false, file)).isFalse();

    closeTracked(first, file);

    assertThat(Posix.tryLockOfd(second, true, file)).isTrue();
  }

  @Test
  void ofdLockSurvivesTheClosingOfAnotherDescriptorOnTheFile() throws IOException {
    // The flaw of classic fcntl locks (and FileChannel.lock) that OFD locks do not have.
    Path file = fileWith("survive.vec", new byte[1]);
    int holder = openTracked(file, true, false);
    assertThat(Posix.tryLockOfd(holder, true, file)).isTrue();
    Posix.close(Posix.open(file, false, false), file);
    int other = openTracked(file, true, false);
    assertThat(Posix.tryLockOfd(other, true, file)).isFalse();
  }

  @Test
  void sharedOfdLocksCoexistAndExcludeAWriter() throws IOException {
    Path file = fileWith("shared.vec", new byte[1]);
    int a = openTracked(file, false, false);
    int b = openTracked(file, false, false);
    int writer = openTracked(file, true, false);
    assertThat(Posix.tryLockOfd(a, false, file)).isTrue();
    assertThat(Posix.tryLockOfd(b, false, file)).isTrue();
    assertThat(Posix.tryLockOfd(writer, true, file)).isFalse();
  }

  @Test
  void exclusiveOfdLockOnAReadOnlyDescriptorThrowsEbadf() throws IOException {
    Path file = fileWith("ofdro.vec", new byte[1]);
    int fd = openTracked(file, false, false);
    assertThatThrownBy(() -> Posix.tryLockOfd(fd, true, file))
        .isInstanceOf(NativeCallException.class)
        .hasMessageContaining("fcntl(F_OFD_SETLK) failed: EBADF");
  }

  @Test
  void childProcessLockfIsRefusedWhileWeHoldTheOfdLock() throws Exception {
    Path file = fileWith("lockf.vec", new byte[1]);
    int fd = openTracked(file, true, false);
    assertThat(Posix.tryLockOfd(fd, true, file)).isTrue();
    String script =
        "import fcntl, sys\n"
            + "f = open(sys.argv[1], 'r+')\n"
            + "try:\n"
            + "    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
            + "except OSError:\n"
            + "    sys.exit(3)\n";
    assertThat(exitCode("python3", "-c", script, file.toString())).isEqualTo(3);
    closeTracked(fd, file);
    assertThat(exitCode("python3", "-c", script, file.toString())).isZero();
  }

  // ---------------------------------------------------------------- OFD byte-range locks

  @Test
  void rangeLocksOnDifferentBytesDoNotConflictAndOverlappingOnesDo() throws IOException {
    // The live-reader scheme: the writer holds byte 16384 exclusively, readers byte 16385 shared,
    // both past the end of this 1-byte file (a lock range needs no bytes).
    Path file = fileWith("ranges.vec", new byte[1]);
    int writer = openTracked(file, true, false);
    int reader1 = openTracked(file, false, false);
    int reader2 = openTracked(file, false, false);
    int other = openTracked(file, true, false);
    assertThat(Posix.tryLockRange(writer, 16384, 1, true, file)).isTrue();
    assertThat(Posix.tryLockRange(reader1, 16385, 1, false, file)).isTrue();
    assertThat(Posix.tryLockRange(reader2, 16385, 1, false, file)).isTrue();
    assertThat(Posix.tryLockRange(other, 16384, 1, true, file)).isFalse();
    assertThat(Posix.tryLockRange(other, 16384, 1, false, file)).isFalse();
    assertThat(Posix.tryLockRange(other, 16385, 1, true, file)).isFalse();
    assertThat(Posix.tryLockRange(other, 16386, 1, true, file)).isTrue();
    // A whole-file lock overlaps both bytes: a v1 writer or reader is refused, and refuses.
    Posix.unlockRange(other, 16386, 1, file);
    assertThat(Posix.tryLockOfd(other, true, file)).isFalse();
    assertThat(Posix.tryLockOfd(other, false, file)).isFalse();
  }

  @Test
  void queryReportsTheConflictingRangeWithoutTakingIt() throws IOException {
    Path file = fileWith("query.vec", new byte[1]);
    int writer = openTracked(file, true, false);
    int reader = openTracked(file, false, false);
    assertThat(Posix.queryLockRange(reader, 16384, 1, false, file)).isNull();
    assertThat(Posix.tryLockRange(writer, 16384, 1, true, file)).isTrue();
    LockConflict c = Posix.queryLockRange(reader, 16384, 1, false, file);
    assertThat(c).isNotNull();
    assertThat(c.exclusive()).isTrue();
    assertThat(c.start()).isEqualTo(16384);
    assertThat(c.length()).isEqualTo(1);
    assertThat(c.pid()).isEqualTo(-1); // an OFD lock
    // Our own description's locks never conflict with a query through it.
    assertThat(Posix.queryLockRange(writer, 16384, 1, true, file)).isNull();
    // The query took nothing: the writer can still convert and release freely.
    assertThat(Posix.tryLockRange(reader, 16385, 1, false, file)).isTrue();
    assertThat(Posix.queryLockRange(writer, 16385, 1, true, file)).isNotNull();
    assertThat(Posix.queryLockRange(writer, 16385, 1, false, file)).isNull();
  }

  @Test
  void unlockingOneRangeKeepsTheOthers() throws IOException {
    Path file = fileWith("unlockrange.vec", new byte[1]);
    int holder = openTracked(file, true, false);
    int other = openTracked(file, true, false);
    assertThat(Posix.tryLockRange(holder, 16384, 1, true, file)).isTrue();
    assertThat(Posix.tryLockRange(holder, 16385, 1, true, file)).isTrue();
    Posix.unlockRange(holder, 16385, 1, file);
    assertThat(Posix.tryLockRange(other, 16385, 1, true, file)).isTrue();
    assertThat(Posix.tryLockRange(other, 16384, 1, false, file)).isFalse();
    Posix.unlock(holder, file);
    Posix.unlockRange(other, 16385, 1, file);
    assertThat(Posix.tryLockRange(other, 16384, 1, true, file)).isTrue();
  }

  @Test
  void childProcessLockfOnARangeLockedByteIsRefused() throws Exception {
    Path file = fileWith("lockfrange.vec", new byte[1]);
    int fd = openTracked(file, false, false);
    assertThat(Posix.tryLockRange(fd, 16385, 1, false, file)).isTrue();
    String script =
        "import fcntl, sys\n"
            + "f = open(sys.argv[1], 'r+')\n"
            + "try:\n"
            + "    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n" // whole file: overlaps 16385
            + "except OSError:\n"
            + "    sys.exit(3)\n"
            + "fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 16384)\n" // byte 16384: free
            + "sys.exit(0)\n";
    assertThat(exitCode("python3", "-c", script, file.toString())).isEqualTo(3);
    Posix.unlockRange(fd, 16385, 1, file);
    assertThat(exitCode("python3", "-c", script, file.toString())).isZero();
  }

  // ---------------------------------------------------------------- flock

  @Test
  void flockRefusesASecondDescriptionUntilTheFirstCloses() throws IOException {
    Path file = fileWith("flock.vec", new byte[1]);
    int first = openTracked(file, false, false);
    int second = openTracked(file, false, false);
    assertThat(Posix.tryFlock(first, true, file)).isTrue();
    assertThat(Posix.tryFlock(second, true, file)).isFalse();
    assertThat(Posix.tryFlock(second, false, file)).isFalse();

    closeTracked(first, file);

    assertThat(Posix.tryFlock(second, true, file)).isTrue();
  }

  @Test
  void sharedFlocksCoexistAndExcludeAnExclusiveOne() throws IOException {
    Path file = fileWith("flocksh.vec", new byte[1]);
    int a = openTracked(file, false, false);
    int b = openTracked(file, false, false);
    int c = openTracked(file, false, false);
    assertThat(Posix.tryFlock(a, false, file)).isTrue();
    assertThat(Posix.tryFlock(b, false, file)).isTrue();
    assertThat(Posix.tryFlock(c, true, file)).isFalse();
  }

  @Test
  void flockOfABadDescriptorThrowsEbadf() {
    Path file = dir.resolve("none.vec");
    assertThatThrownBy(() -> Posix.tryFlock(-1, true, file))
        .isInstanceOf(NativeCallException.class)
        .hasMessageContaining("flock failed: EBADF");
  }

  @Test
  void childProcessFlockCommandIsRefusedWhileWeHoldTheFlock() throws Exception {
    Path file = fileWith("flock1.vec", new byte[1]);
    int fd = openTracked(file, false, false);
    assertThat(Posix.tryFlock(fd, true, file)).isTrue();
    assertThat(exitCode("flock", "-n", file.toString(), "true")).isEqualTo(1);
    closeTracked(fd, file);
    assertThat(exitCode("flock", "-n", file.toString(), "true")).isZero();
  }

  @Test
  void lockHolderPidFindsThisProcessWhileItHoldsAFlock() throws IOException {
    Path file = fileWith("holder.vec", new byte[1]);
    int fd = openTracked(file, false, false);
    FileStat stat = Posix.fstat(fd, file);
    assertThat(Posix.lockHolderPid(stat.dev(), stat.ino())).isEqualTo(-1);

    assertThat(Posix.tryFlock(fd, true, file)).isTrue();

    assertThat(Posix.lockHolderPid(stat.dev(), stat.ino()))
        .isEqualTo(ProcessHandle.current().pid());
    closeTracked(fd, file);
    assertThat(Posix.lockHolderPid(stat.dev(), stat.ino())).isEqualTo(-1);
  }

  // ---------------------------------------------------------------- names

  @Test
  void renameNoReplaceMovesTheFile() throws IOException {
    Path from = fileWith("tmp-1.vec", "payload".getBytes(UTF_8));
    long ino = (Long) Files.getAttribute(from, "unix:ino");
    Path to = dir.resolve("final.vec");
    Posix.renameNoReplace(from, to);
    assertThat(from).doesNotExist();
    assertThat(to).hasContent("payload");
    assertThat((Long) Files.getAttribute(to, "unix:ino")).isEqualTo(ino);
  }

  @Test
  void renameNoReplaceRefusesAnExistingTargetAndTouchesNothing() throws IOException {
    Path from = fileWith("tmp-2.vec", "loser".getBytes(UTF_8));
    Path to = fileWith("winner.vec", "winner".getBytes(UTF_8));
    assertThatThrownBy(() -> Posix.renameNoReplace(from, to))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining(to.toString())
        .hasMessageContaining("EEXIST");
    assertThat(to).hasContent("winner");
    assertThat(from).hasContent("loser");
  }

  @Test
  void renameNoReplaceOfAMissingSourceThrowsNoSuchFile() {
    Path from = dir.resolve("gone.vec");
    assertThatThrownBy(() -> Posix.renameNoReplace(from, dir.resolve("to.vec")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(from.toString());
  }

  @Test
  void linkThenUnlinkFallbackMovesAndRefusesLikeRenameat2() throws IOException {
    Path from = fileWith("tmp-3.vec", "moved".getBytes(UTF_8));
    Path to = dir.resolve("final-3.vec");
    Names.linkThenUnlink(from, to);
    assertThat(from).doesNotExist();
    assertThat(to).hasContent("moved");

    Path loser = fileWith("tmp-4.vec", "loser".getBytes(UTF_8));
    assertThatThrownBy(() -> Names.linkThenUnlink(loser, to))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("link failed: EEXIST");
    assertThat(to).hasContent("moved");
    assertThat(loser).hasContent("loser");
  }

  @Test
  void fsyncDirectorySucceedsOnADirectoryOnly() throws IOException {
    Posix.fsyncDirectory(dir);
    Path file = fileWith("notdir.vec", new byte[1]);
    assertThatThrownBy(() -> Posix.fsyncDirectory(file))
        .isInstanceOf(NativeCallException.class)
        .hasMessageContaining("open failed: ENOTDIR");
    assertThatThrownBy(() -> Posix.fsyncDirectory(dir.resolve("nodir")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void fsyncDirectoryDoesNotLeakItsDescriptor() throws IOException {
    long before = openDescriptorCount();
    for (int i = 0; i < 50; i++) {
      Posix.fsyncDirectory(dir);
    }
    assertThat(openDescriptorCount()).isLessThan(before + 10);
  }

  @Test
  void unlinkRemovesANameAndReportsAMissingOne() throws IOException {
    Path file = fileWith("doomed.vec", new byte[1]);
    Posix.unlink(file);
    assertThat(file).doesNotExist();
    assertThatThrownBy(() -> Posix.unlink(file))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("unlink failed: ENOENT");
  }

  @Test
  void pathsWithNonAsciiNamesWork() throws IOException {
    assumeTrue(
        "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")),
        "file names are encoded as " + System.getProperty("sun.jnu.encoding"));
    Path file = dir.resolve("données-\u00e9\u4e2d.vec");
    int fd = openTracked(file, true, true);
    assertThat(file).exists();
    assertThat(Posix.fstat(fd, file).ino()).isEqualTo((Long) Files.getAttribute(file, "unix:ino"));
  }

  // ---------------------------------------------------------------- helpers

  /** Bytes allocated to the file, from {@code stat --format=%b} (512-byte blocks). */
  private static long allocatedBytes(Path file) throws Exception {
    return Long.parseLong(run("stat", "--format=%b", file.toString()).strip()) * 512;
  }

  private static List<String> mappingsOf(Path file) throws IOException {
    return Files.readAllLines(Path.of("/proc/self/maps")).stream()
        .filter(l -> l.endsWith(file.toString()))
        .toList();
  }

  private static long openDescriptorCount() throws IOException {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
      return out;
    } finally {
      p.destroyForcibly();
    }
  }

  private static int exitCode(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
      return p.exitValue();
    } finally {
      p.destroyForcibly();
    }
  }
}
