package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.format.CommitSlot;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.format.LiveHeader;
import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.CrashHooks;
import io.mmapvec.internal.storage.CrashPoint;
import io.mmapvec.internal.storage.Visibility;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability test 3, simulated power loss, in process and without privileges (SQLite's {@code
 * test6.c} and LevelDB's fault-injection test are the precedents).
 *
 * <p>A seeded random {@link CrashWorkload} runs on a small vector on the native backend while a
 * {@link CrashHooks.Listener} keeps the file's <em>durable image</em>: its bytes and size as the
 * device holds them. It starts as the file right after {@code open} created it (the create ends
 * with {@code fdatasync}); every {@code msync} the library reports copies the page-rounded range of
 * the file's current bytes into it, every {@code fdatasync} the whole file and its size. Now and
 * then a simulated kernel writeback copies some other changed pages, or commits the current size,
 * as a kernel may whenever it likes.
 *
 * <p>At every crash point the library reaches, and after random operations, the test takes the
 * <em>current image</em> (the file's bytes through a {@link FileChannel}, which sees the mapping's
 * stores through the page cache) and makes power-loss images from the durable image plus a subset
 * of the 4 KiB pages that differ (every subset when there are few, a sample otherwise), with the
 * durable or the current file size, and sometimes with pages torn per 512-byte sector and commit
 * slots torn inside their sector. Each image is opened read-only and must open in a state the crash
 * contract allows ({@link CrashModel#check}: the last completed sync's length, or the in-progress
 * sync's with exactly its data). An image rejected with a {@link VecFormatException} fails the test
 * too (see {@link #REJECTION_BREAKS_CONTRACT}), and so does any other exception; a failure names
 * the seeds and saves the image.
 *
 * <p>{@code -Dmmapvec.long=true} runs ten times as many workloads with more subsets per crash
 * instant; {@code -Dmmapvec.crash.seed=N} replays a base seed.
 */
class PowerLossSimulationTest {
  private static final int PAGE = 4096;
  private static final int SECTOR = 512;
  private static final int WORKLOADS = CrashWorkload.LONG ? 600 : 60;

  /** Operations per workload (sync points included). */
  private static final int OPS = 160;

  /** Every subset of the changed pages when there are at most this many. */
  private static final int ENUMERATE_UP_TO = CrashWorkload.LONG ? 12 : 8;

  /** Random subsets beyond that. */
  private static final int SAMPLES = CrashWorkload.LONG ? 256 : 64;

  /**
   * Whether an image that is rejected with a {@link VecFormatException} fails the test. The
   * contract says the file opens; the design allows "or rejected with a clear error" for damage
   * outside this fault model (a bad sector, a foreign write), which the simulator never makes.
   * Tolerating rejections here would hide a missing {@code fdatasync} before a slot that needs a
   * larger file: such images are rejected as TRUNCATED rather than opened wrongly.
   */
  private static final boolean REJECTION_BREAKS_CONTRACT = true;

  /** One operation in this many is followed by a crash instant. */
  private static final int INSTANT_AFTER_OP_ONE_IN = 4;

  /**
   * One operation in this many is followed by a simulated kernel writeback. Rare on purpose: a page
   * written back early hides a missing msync from every later crash instant.
   */
  private static final int WRITEBACK_AFTER_OP_ONE_IN = 32;

  private static final long BASE = CrashWorkload.baseSeed(0x706F7765726CL);

  @TempDir Path tmp;

  /** The figures printed at the end. */
  static final class Stats {
    int workloads;
    int instants;
    long images;
    long openedOld;
    long openedNew;
    long openedSame;
    long tornImages;
    long tornSlotImages;
    long tornSlotOpened;
    long sizeVariants;
    int maxChangedPages;
    int writebacks;
    long durableEvents;

    /** Crash instants at which the visibility gate was asked what a live reader may show. */
    long gateChecks;

    /** ... of which the newest valid slot in the page cache was not yet shown (not durable). */
    long gateHeldBack;

    /** Images checked to hold at least the commit a live reader showed at that instant. */
    long gateImages;

    final Map<String, Long> rejected = new TreeMap<>();
    final Map<String, Integer> instantsAt = new TreeMap<>();

    long rejectedTotal() {
      return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  @Test
  void everyPowerLossImageOpensWithinTheCrashContract() throws Exception {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    Path work = workDirectory();
    Stats stats = new Stats();
    long start = System.nanoTime();
    try {
      for (int w = 0; w < WORKLOADS; w++) {
        long seed = CrashWorkload.mix(BASE, w);
        new Simulation(work, w, seed, stats).run();
        stats.workloads++;
      }
    } finally {
      CrashHooks.setListener(null);
      if (!work.equals(tmp)) {
        CrashRecovery.deleteTree(work);
      }
    }
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    System.out.printf(
        "%n"
            + "PowerLossSimulationTest: workloads=%d crashInstants=%d images=%d openedOld=%d"
            + " openedNew=%d openedSameLength=%d rejected=%d rejectedByReason=%s tornImages=%d"
            + " tornSlotImages=%d tornSlotOpened=%d oldSizeImages=%d maxChangedPages=%d"
            + " simulatedWritebacks=%d durableEvents=%d instantsAt=%s gateChecks=%d"
            + " gateHeldBack=%d gateImages=%d seed=%d time=%ds%n",
        stats.workloads,
        stats.instants,
        stats.images,
        stats.openedOld,
        stats.openedNew,
        stats.openedSame,
        stats.rejectedTotal(),
        stats.rejected,
        stats.tornImages,
        stats.tornSlotImages,
        stats.tornSlotOpened,
        stats.sizeVariants,
        stats.maxChangedPages,
        stats.writebacks,
        stats.durableEvents,
        stats.instantsAt,
        stats.gateChecks,
        stats.gateHeldBack,
        stats.gateImages,
        BASE,
        seconds);
    assertThat(stats.images).as("power-loss images generated").isPositive();
    assertThat(stats.tornSlotImages).as("images with a torn commit slot").isPositive();
    assertThat(stats.openedNew).as("images opened with an in-progress sync's length").isPositive();
    assertThat(stats.sizeVariants).as("images with the old file size").isPositive();
    assertThat(stats.gateHeldBack)
        .as("instants at which the gate held back a slot that was not yet durable")
        .isPositive();
  }

  /**
   * The contract for a sync that throws (docs/DURABILITY.md): one that failed before its commit
   * slot was written did not happen; one that failed while writing or syncing the slot may or may
   * not have taken effect (the kernel may have written the slot anyway). A failure injected at each
   * step of a sync, as if that step's system call had failed, must leave exactly one of those
   * states, as the same process sees it after closing the poisoned vector.
   */
  @Test
  void syncThatThrowsDidNotHappen() throws Exception {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    List<String> broken = new ArrayList<>();
    for (String point :
        List.of(
            "sync.begin",
            "sync.afterData",
            "sync.afterFdatasync",
            "sync.afterSlotWrite",
            "sync.afterSlotSync")) {
      Path file = tmp.resolve("fail-" + point + ".vec");
      long[] synced;
      long[] attempted;
      try (LongVec v = LongVec.open(file, VecOptions.defaults(), Backend.nativeBackend())) {
        for (int i = 0; i < 100; i++) {
          v.add(i);
        }
        v.sync();
        synced = v.toArray();
        for (int i = 0; i < 1000; i++) {
          v.add(1000 + i); // grows the file: this sync also reaches sync.afterFdatasync
        }
        attempted = v.toArray();
        CrashHooks.setListener(
            (p, f) -> {
              if (p.key().equals(point) && f.equals(file)) {
                throw new IOException("injected failure at " + p);
              }
            });
        try {
          v.sync();
          fail("sync did not throw the failure injected at %s", point);
        } catch (IOException expected) {
          // The sync failed: it did not happen.
        } finally {
          CrashHooks.setListener(null);
        }
        try {
          v.close();
        } catch (IOException expected) {
          // A poisoned vector reports the failure again at close.
        }
      }
      try (LongVec v = LongVec.open(file, VecOptions.defaults().withReadOnly(true))) {
        boolean slotWritten = point.startsWith("sync.afterSlot");
        long[] found = v.toArray();
        boolean old = Arrays.equals(found, synced);
        boolean attemptedState = Arrays.equals(found, attempted);
        if (!(old || (slotWritten && attemptedState))) {
          broken.add(
              point
                  + ": reopened with length "
                  + v.size()
                  + ", expected "
                  + synced.length
                  + (slotWritten ? " or " + attempted.length : ""));
        }
      }
    }
    assertThat(broken)
        .as("syncs that threw and left a state the contract does not allow")
        .isEmpty();
  }

  private Path workDirectory() throws IOException {
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      return Files.createTempDirectory(shm, "mmapvec-powerloss-");
    }
    return tmp;
  }

  // ---------------------------------------------------------------------------------------------

  /** One workload on one file, with the listener that keeps the durable image and crashes it. */
  private static final class Simulation implements CrashHooks.Listener {
    private final Path file;
    private final Path image;
    private final int number;
    private final long seed;
    private final Stats stats;
    private final SplittableRandom rnd;
    private final CrashModel model = new CrashModel();
    private final CrashWorkload.Profile profile;

    private FileChannel reader;
    private FileChannel imageWriter;

    /** What the device holds: blocks (possibly past the durable size) and the durable size. */
    private byte[] durable;

    private long durableSize;
    private boolean inProgress;
    private CrashWorkload.Op op;
    private byte[] buffer = new byte[0];

    /** What a live reader would show at the current crash instant; null if nothing or no writer. */
    private CommitSlot visibleNow;

    Simulation(Path dir, int number, long seed, Stats stats) {
      this.file = dir.resolve("w" + number + ".vec");
      this.image = dir.resolve("image.vec");
      this.number = number;
      this.seed = seed;
      this.stats = stats;
      this.rnd = new SplittableRandom(seed ^ 0x1F2E3D4C5B6A7988L);
      // From a few KiB to about 200 KiB of data; a quarter also writes through asSegment().
      int maxSize = 256 + rnd.nextInt(rnd.nextBoolean() ? 2_000 : 24_000);
      int prefill = rnd.nextInt(maxSize);
      // Syncs less often than the child JVMs do, and in bigger batches: more pages change between
      // two durability points.
      this.profile =
          new CrashWorkload.Profile(
              "powerloss",
              maxSize,
              1 + rnd.nextInt(1500),
              3 + rnd.nextInt(rnd.nextBoolean() ? 8 : 30),
              rnd.nextInt(4) == 0,
              0,
              prefill);
    }

    void run() throws Exception {
      Files.deleteIfExists(file);
      LongVec vec = LongVec.open(file, VecOptions.defaults(), Backend.nativeBackend());
      try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ);
          FileChannel iw =
              FileChannel.open(
                  image,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE)) {
        reader = r;
        imageWriter = iw;
        durable = readCurrent();
        durableSize = durable.length;
        CrashHooks.setListener(this);
        CrashWorkload w = new CrashWorkload(seed, profile, OPS);
        for (op = w.next(0); op != null; op = w.next(model.size())) {
          if (op.isSyncPoint()) {
            inProgress = true;
            op.applyTo(vec);
            inProgress = false;
            model.sync();
          } else {
            op.applyTo(vec);
            op.applyTo(model);
          }
          if (rnd.nextInt(INSTANT_AFTER_OP_ONE_IN) == 0 || op.kind() == CrashWorkload.Kind.CLOSE) {
            crashInstant("after " + op.kind());
          }
          if (rnd.nextInt(WRITEBACK_AFTER_OP_ONE_IN) == 0) {
            simulateWriteback();
          }
        }
      } finally {
        CrashHooks.setListener(null);
        try {
          vec.close(); // idempotent: a no-op after the workload's own close
        } catch (IOException | RuntimeException e) {
          // Only when the run already failed; that failure is the one to report.
        }
      }
      // The simulation's model must be the vector's: otherwise its verdicts mean nothing.
      try (LongVec v = LongVec.open(file, VecOptions.defaults().withReadOnly(true))) {
        assertThat(v.toArray())
            .as("contents after workload %d (seed %d)", number, seed)
            .isEqualTo(model.contents());
      }
      Files.deleteIfExists(file);
    }

    @Override
    public void reached(CrashPoint point, Path f) throws IOException {
      if (f.equals(file)) {
        crashInstant(point.key());
      }
    }

    @Override
    public void durable(Path f, long offset, long length) {
      if (!f.equals(file)) {
        return;
      }
      stats.durableEvents++;
      try {
        byte[] cur = readCurrent();
        if (length == Long.MAX_VALUE) {
          durable = cur;
          durableSize = cur.length;
          return;
        }
        long from = offset / PAGE * PAGE;
        long to = Math.min(cur.length, (offset + length + PAGE - 1) / PAGE * PAGE);
        if (to > durable.length) {
          durable = Arrays.copyOf(durable, (int) to);
        }
        if (to > from) {
          System.arraycopy(cur, (int) from, durable, (int) from, (int) (to - from));
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    /** The kernel writes some dirty pages back, and sometimes commits the size, when it likes. */
    private void simulateWriteback() throws IOException {
      byte[] cur = readCurrent();
      int limit = (int) Math.min(Math.min(durableSize, durable.length), cur.length);
      List<Integer> changed = changedPages(cur, limit);
      for (int p : changed) {
        if (rnd.nextBoolean()) {
          System.arraycopy(cur, p * PAGE, durable, p * PAGE, Math.min(PAGE, limit - p * PAGE));
        }
      }
      if (rnd.nextInt(4) == 0 && durableSize != cur.length) {
        // The size reached the journal; pages not written back read as zeros (fallocate).
        if (cur.length > durable.length) {
          durable = Arrays.copyOf(durable, cur.length);
        }
        durableSize = cur.length;
      }
      stats.writebacks++;
    }

    private byte[] readCurrent() throws IOException {
      long size = reader.size();
      byte[] b = new byte[(int) size];
      ByteBuffer bb = ByteBuffer.wrap(b);
      while (bb.hasRemaining()) {
        if (reader.read(bb, bb.position()) < 0) {
          break;
        }
      }
      return b;
    }

    /** Pages below {@code limit} bytes whose current bytes differ from the durable ones. */
    private List<Integer> changedPages(byte[] cur, long limit) {
      List<Integer> pages = new ArrayList<>();
      int n = (int) ((limit + PAGE - 1) / PAGE);
      for (int p = 0; p < n; p++) {
        int from = p * PAGE;
        int to = (int) Math.min(limit, from + PAGE);
        if (!sameAsDurable(cur, from, to)) {
          pages.add(p);
        }
      }
      return pages;
    }

    private boolean sameAsDurable(byte[] cur, int from, int to) {
      int inDurable = Math.min(to, durable.length);
      if (from < inDurable
          && Arrays.mismatch(cur, from, inDurable, durable, from, inDurable) != -1) {
        return false;
      }
      for (int i = Math.max(from, inDurable); i < to; i++) {
        if (cur[i] != 0) {
          return false;
        }
      }
      return true;
    }

    // ------------------------------------------------------------------------------- one instant

    private void crashInstant(String where) throws IOException {
      stats.instants++;
      stats.instantsAt.merge(where.startsWith("after ") ? "afterOp" : where, 1, Integer::sum);
      byte[] cur = readCurrent();
      visibleNow = where.equals("after CLOSE") ? null : visibleToALiveReader(cur);
      long[] sizes =
          durableSize == cur.length
              ? new long[] {cur.length}
              : new long[] {durableSize, cur.length};
      for (long size : sizes) {
        List<Integer> changed = changedPages(cur, Math.min(size, cur.length));
        stats.maxChangedPages = Math.max(stats.maxChangedPages, changed.size());
        int d = changed.size();
        if (d <= ENUMERATE_UP_TO) {
          for (long mask = 0; mask < (1L << d); mask++) {
            imagesFor(where, cur, size, changed, mask);
          }
        } else {
          imagesFor(where, cur, size, changed, 0);
          imagesFor(where, cur, size, changed, -1L);
          for (int s = 0; s < SAMPLES; s++) {
            imagesFor(where, cur, size, changed, rnd.nextLong());
          }
        }
      }
    }

    /**
     * The visibility gate, asked about the file as the page cache holds it now, with the writer
     * alive (it is open in this thread): the commit a live reader in another process would show.
     * Every power-loss image from this instant must hold that commit or a newer one.
     */
    private CommitSlot visibleToALiveReader(byte[] cur) throws IOException {
      long headerBytes = LiveHeader.PUBLISHED_SEQUENCE_OFFSET + Long.BYTES;
      if (cur.length < headerBytes) {
        return null;
      }
      try (Arena a = Arena.ofConfined()) {
        MemorySegment header = a.allocate(headerBytes, 8);
        MemorySegment.copy(MemorySegment.ofArray(cur), 0, header, 0, headerBytes);
        CommitSlot shown =
            Visibility.choose(
                header,
                0,
                new Visibility.Gate() {
                  @Override
                  public boolean writerAlive() {
                    return true;
                  }

                  @Override
                  public void syncSlotPages() {
                    throw new AssertionError("the gate msyncs only when no writer is alive");
                  }
                });
        stats.gateChecks++;
        CommitSlot s0 = LiveHeader.readSlot(header, 0);
        CommitSlot s1 = LiveHeader.readSlot(header, 1);
        long newest = Math.max(s0 == null ? 0 : s0.sequence(), s1 == null ? 0 : s1.sequence());
        if (shown == null || newest > shown.sequence()) {
          stats.gateHeldBack++;
        }
        return shown;
      }
    }

    /**
     * Checks the image of {@code size} bytes made of the durable image plus the changed pages whose
     * bit is set in {@code mask} (page {@code changed.get(i)} for bit {@code i % 64}), and now and
     * then a torn variant of it.
     */
    private void imagesFor(String where, byte[] cur, long size, List<Integer> changed, long mask)
        throws IOException {
      List<Integer> included = new ArrayList<>();
      for (int i = 0; i < changed.size(); i++) {
        if ((mask >>> (i % 64) & 1) != 0) {
          included.add(changed.get(i));
        }
      }
      check(where, cur, size, included, null, -1, -1);
      if (included.isEmpty()) {
        return;
      }
      int slotPage = -1;
      for (int p : included) {
        long o = (long) p * PAGE;
        if (o == HeaderFormat.slotOffset(0) || o == HeaderFormat.slotOffset(1)) {
          slotPage = p;
        }
      }
      // Torn: each included page keeps a random subset of its new 512-byte sectors.
      if (rnd.nextInt(3) == 0) {
        check(where, cur, size, included, randomSectorMasks(included.size()), -1, -1);
      }
      // A commit slot torn inside its sector (SQLite assumes only that a torn sector is
      // detectable; the slot's checksum must make it so).
      if (slotPage >= 0) {
        for (int t = 0; t < 2; t++) {
          int cut = 1 + rnd.nextInt((int) HeaderFormat.SLOT_BYTES - 1);
          check(where, cur, size, included, randomSectorMasks(included.size()), slotPage, cut);
        }
      }
    }

    private int[] randomSectorMasks(int pages) {
      int[] masks = new int[pages];
      for (int i = 0; i < pages; i++) {
        masks[i] = rnd.nextInt(1 << (PAGE / SECTOR));
      }
      return masks;
    }

    private void check(
        String where,
        byte[] cur,
        long size,
        List<Integer> included,
        int[] sectorMasks,
        int slotPage,
        int slotCut)
        throws IOException {
      int n = (int) size;
      if (buffer.length < n) {
        buffer = new byte[n];
      }
      byte[] img = buffer;
      int fromDurable = Math.min(n, durable.length);
      System.arraycopy(durable, 0, img, 0, fromDurable);
      Arrays.fill(img, fromDurable, n, (byte) 0);
      for (int i = 0; i < included.size(); i++) {
        int p = included.get(i);
        int from = p * PAGE;
        int to = Math.min(Math.min(n, cur.length), from + PAGE);
        for (int s = from; s < to; s += SECTOR) {
          int sector = (s - from) / SECTOR;
          if (sectorMasks == null || (sectorMasks[i] >>> sector & 1) != 0) {
            System.arraycopy(cur, s, img, s, Math.min(SECTOR, to - s));
          }
        }
        if (p == slotPage) {
          // Inside the slot: the first slotCut bytes new, the rest as they were before.
          int slot = from;
          System.arraycopy(cur, slot, img, slot, slotCut);
          int rest = (int) HeaderFormat.SLOT_BYTES - slotCut;
          byte[] before = new byte[rest];
          if (slot + slotCut < durable.length) {
            System.arraycopy(
                durable,
                slot + slotCut,
                before,
                0,
                Math.min(rest, durable.length - slot - slotCut));
          }
          System.arraycopy(before, 0, img, slot + slotCut, rest);
        }
      }
      boolean torn = sectorMasks != null;
      boolean tornSlot = torn && tornSlot(img, n, cur);
      stats.images++;
      if (torn) {
        stats.tornImages++;
      }
      if (tornSlot) {
        stats.tornSlotImages++;
      }
      if (size != cur.length) {
        stats.sizeVariants++;
      }
      imageWriter.write(ByteBuffer.wrap(img, 0, n), 0);
      imageWriter.truncate(n);
      long[] got;
      long openedSequence;
      try (LongVec v = LongVec.open(image, VecOptions.defaults().withReadOnly(true))) {
        got = v.toArray();
        openedSequence = v.storage.commitSequence();
      } catch (VecFormatException e) {
        stats.rejected.merge(e.reason().name(), 1L, Long::sum);
        if (REJECTION_BREAKS_CONTRACT) {
          fail(
              "a power-loss image does not open (%s): %s%nThe contract says the file opens after"
                  + " a power loss, and in this fault model a correct commit order never leaves an"
                  + " image it must reject: the identity page never changes after create, only one"
                  + " slot is ever in flight, and a slot is written only after the data and the"
                  + " file size it needs are durable.%n%s",
              e.reason(),
              e.getMessage(),
              describe(where, cur, size, included, sectorMasks, slotPage, slotCut, img, n));
        }
        return;
      } catch (Exception | Error e) {
        throw new AssertionError(
            describe(where, cur, size, included, sectorMasks, slotPage, slotCut, img, n)
                + "\nopening the image threw neither a VecFormatException nor nothing: "
                + e,
            e);
      }
      if (visibleNow != null) {
        // The visibility gate: what a live reader was shown must survive this power loss.
        stats.gateImages++;
        if (openedSequence < visibleNow.sequence()
            || (openedSequence == visibleNow.sequence() && got.length != visibleNow.size())) {
          fail(
              "a live reader was shown commit %d (size %d), but this power-loss image opens at"
                  + " commit %d (size %d): the reader saw a commit that was not durable%n%s",
              visibleNow.sequence(),
              visibleNow.size(),
              openedSequence,
              got.length,
              describe(where, cur, size, included, sectorMasks, slotPage, slotCut, img, n));
        }
      }
      CrashModel.Verdict verdict = model.check(got, inProgress);
      if (!verdict.ok()) {
        fail(
            "crash contract broken by a power-loss image: %s%n%s",
            verdict.problem(),
            describe(where, cur, size, included, sectorMasks, slotPage, slotCut, img, n));
      }
      switch (verdict.outcome()) {
        case OLD -> stats.openedOld++;
        case NEW -> stats.openedNew++;
        case SAME -> stats.openedSame++;
      }
      if (tornSlot) {
        stats.tornSlotOpened++;
      }
    }

    /**
     * Whether either commit slot in the image differs from both its durable and its current bytes.
     */
    private boolean tornSlot(byte[] img, int n, byte[] cur) {
      for (int s = 0; s < 2; s++) {
        int o = (int) HeaderFormat.slotOffset(s);
        int end = o + (int) HeaderFormat.SLOT_BYTES;
        if (end > n || end > cur.length || end > durable.length) {
          continue;
        }
        if (Arrays.mismatch(img, o, end, durable, o, end) != -1
            && Arrays.mismatch(img, o, end, cur, o, end) != -1) {
          return true;
        }
      }
      return false;
    }

    private String describe(
        String where,
        byte[] cur,
        long size,
        List<Integer> included,
        int[] sectorMasks,
        int slotPage,
        int slotCut,
        byte[] img,
        int n) {
      String saved;
      try {
        Path dir = Files.createTempDirectory("mmapvec-powerloss-failure-");
        Files.write(dir.resolve("image.vec"), Arrays.copyOf(img, n));
        Files.write(dir.resolve("durable.bin"), durable); // the durable size is in the message
        Files.write(dir.resolve("current.vec"), cur);
        saved = "image, durable and current bytes saved in " + dir;
      } catch (IOException e) {
        saved = "could not save the image: " + e;
      }
      return String.format(
          "workload %d (seed %d; replay with -Dmmapvec.crash.seed=%d), profile %s, at %s during"
              + " %s; last completed sync #%d (length %d)%s; model length now %d; durable size %d,"
              + " current size %d, image size %d; pages from the current image %s%s%s; %s",
          number,
          seed,
          BASE,
          profile,
          where,
          op,
          model.syncSeq(),
          model.syncedLength(),
          inProgress ? ", sync #" + (model.syncSeq() + 1) + " in progress" : "",
          model.size(),
          durableSize,
          cur.length,
          size,
          included,
          sectorMasks == null
              ? ""
              : ", torn, sectors kept per page " + Arrays.toString(sectorMasks),
          slotPage < 0 ? "" : ", slot in page " + slotPage + " torn after byte " + slotCut,
          saved);
    }
  }
}
