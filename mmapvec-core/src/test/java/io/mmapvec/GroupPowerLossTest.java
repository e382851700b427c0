package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.mmapvec.StructRecords.Tick;
import io.mmapvec.internal.format.GroupManifestFormat;
import io.mmapvec.internal.format.GroupManifestFormat.Commit;
import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.CrashHooks;
import io.mmapvec.internal.storage.CrashPoint;
import io.mmapvec.internal.storage.GroupStore;
import io.mmapvec.internal.storage.Visibility;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated power loss across several files: a seeded workload of appends, truncations and commits
 * runs on a {@link ColumnarVec} (three column files and the manifest) while a {@link
 * CrashHooks.Listener} keeps each file's <em>durable image</em> (what the device holds): every
 * {@code msync} the library reports copies that range of the file's current bytes into it, every
 * {@code fdatasync} the whole file and its size. At every crash point of a column sync, just before
 * every reported durability point (the manifest's included), and after random operations, images
 * are made from the durable images plus a subset of the 4 KiB pages that differ, across all files
 * at once (every subset when few, a sample otherwise), each file with its durable or its current
 * size. Every image must open (read-only) with every column at one length, the last completed
 * commit's or the one in progress, and every row right. Never columns at different commits.
 *
 * <p>The visibility gate too: at every crash instant the test asks the gate, over the manifest as
 * the page cache holds it (the writer alive), which group commit a live reader in another process
 * would be shown; every image of that instant must open at that commit or a newer one, or a reader
 * would have seen a commit a power loss takes back. (It fails if the writer publishes a commit's
 * sequence before the manifest slot's {@code fdatasync}.)
 *
 * <p>Not modelled: directory entries (the workload adds and drops no column; the pending-name
 * protocol is tested in {@link VecGroupTest}), torn sectors inside a page.
 *
 * <p>{@code -Dmmapvec.long=true} runs ten times as many workloads with more subsets; {@code
 * -Dmmapvec.crash.seed=N} replays a base seed.
 */
class GroupPowerLossTest {
  private static final boolean LONG = Boolean.getBoolean("mmapvec.long");
  private static final int PAGE = 4096;
  private static final int WORKLOADS = LONG ? 40 : 4;
  private static final int OPS = 50;
  private static final int ENUMERATE_UP_TO = LONG ? 8 : 5;
  private static final int SAMPLES = LONG ? 64 : 16;
  private static final long BASE = Long.getLong("mmapvec.crash.seed", System.nanoTime());

  @TempDir Path tmp;

  private final Map<String, Integer> stats = new TreeMap<>();

  @AfterEach
  void noListener() {
    CrashHooks.setListener(null);
  }

  /** A file as the device holds it. */
  private static final class Durable {
    byte[] bytes;
  }

  private Path dir;
  private final Map<String, Durable> durable = new HashMap<>();
  private long committedRows;
  private long inProgressRows = -1;
  private SplittableRandom random;
  private String context;

  /** The group commit a live reader would be shown at the current crash instant (0: none). */
  private long shownToAReader;

  private int imageCounter;

  @Test
  void noSubsetOfLostPagesLeavesColumnsAtDifferentCommits() throws Exception {
    Assumptions.assumeTrue(Posix.isAvailable(), "native backend unavailable");
    for (int w = 0; w < WORKLOADS; w++) {
      workload(BASE + w);
    }
    System.out.printf("%nGroupPowerLossTest: workloads=%d %s seed=%d%n", WORKLOADS, stats, BASE);
    assertThat(stats.getOrDefault("images", 0)).isPositive();
    assertThat(stats.getOrDefault("atInProgressCommit", 0))
        .as("some images show the commit in progress")
        .isPositive();
    assertThat(stats.getOrDefault("gateHeldBack", 0))
        .as("instants at which the gate held back a manifest slot that was not yet durable")
        .isPositive();
  }

  private void workload(long seed) throws Exception {
    random = new SplittableRandom(seed);
    dir = tmp.resolve("w" + seed);
    durable.clear();
    committedRows = 0;
    inProgressRows = -1;
    context = "seed " + seed + " (base " + BASE + ")";
    try (ColumnarVec<Tick> v = ColumnarVec.open(dir, Tick.class)) {
      // Right after open every file is durable (created with fdatasync, manifest committed).
      for (Path f : files()) {
        Durable d = new Durable();
        d.bytes = Files.readAllBytes(f);
        durable.put(f.getFileName().toString(), d);
      }
      CrashHooks.setListener(
          new CrashHooks.Listener() {
            @Override
            public void reached(CrashPoint point, Path file) {
              crashInstant();
            }

            @Override
            public void durable(Path file, long offset, long length) {
              crashInstant(); // just before the call returned: the range may still be lost
              madeDurable(file, offset, length);
            }
          });
      for (int op = 0; op < OPS; op++) {
        int kind = random.nextInt(10);
        if (kind < 6) {
          int n = 1 + random.nextInt(random.nextInt(4) == 0 ? 900 : 20);
          for (int i = 0; i < n; i++) {
            v.add(GroupCrashChild.tick(v.size()));
          }
        } else if (kind < 7) {
          v.truncate(random.nextLong(v.size() + 1));
        } else {
          inProgressRows = v.size();
          v.sync();
          committedRows = inProgressRows;
          inProgressRows = -1;
        }
        if (random.nextInt(4) == 0) {
          crashInstant();
        }
      }
      CrashHooks.setListener(null);
    } finally {
      CrashHooks.setListener(null);
      CrashRecovery.deleteTree(dir);
    }
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().endsWith(".tmp")).sorted().toList();
    }
  }

  private void madeDurable(Path file, long offset, long length) {
    try {
      Durable d = durable.get(file.getFileName().toString());
      byte[] now = Files.readAllBytes(dir.resolve(file.getFileName()));
      if (length == Long.MAX_VALUE) {
        d.bytes = now;
        return;
      }
      long from = offset / PAGE * PAGE;
      long to = Math.min(now.length, (offset + length + PAGE - 1) / PAGE * PAGE);
      if (d.bytes.length < to) {
        d.bytes = Arrays.copyOf(d.bytes, (int) to);
      }
      System.arraycopy(now, (int) from, d.bytes, (int) from, (int) (to - from));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A changed page: file and page index. */
  private record Page(String file, int index) {}

  private void crashInstant() {
    try {
      Map<String, byte[]> current = new HashMap<>();
      List<Page> changed = new ArrayList<>();
      for (Path f : files()) {
        String name = f.getFileName().toString();
        byte[] now = Files.readAllBytes(f);
        current.put(name, now);
        byte[] old = durable.get(name).bytes;
        int pages = (Math.max(now.length, old.length) + PAGE - 1) / PAGE;
        for (int p = 0; p < pages; p++) {
          if (!Arrays.equals(slice(old, p), slice(now, p))) {
            changed.add(new Page(name, p));
          }
        }
      }
      count("instants");
      shownToAReader = shownToALiveReader(current.get(GroupStore.MANIFEST));
      if (changed.size() <= ENUMERATE_UP_TO) {
        for (int mask = 0; mask < (1 << changed.size()); mask++) {
          List<Page> subset = new ArrayList<>();
          for (int i = 0; i < changed.size(); i++) {
            if ((mask & (1 << i)) != 0) {
              subset.add(changed.get(i));
            }
          }
          image(current, subset);
        }
      } else {
        for (int s = 0; s < SAMPLES; s++) {
          List<Page> subset = new ArrayList<>();
          for (Page p : changed) {
            if (random.nextBoolean()) {
              subset.add(p);
            }
          }
          image(current, subset);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The visibility gate, asked about the manifest as the page cache holds it now, with the writer
   * alive: {@return the sequence of the group commit a live reader would be shown, 0 if none}
   */
  private long shownToALiveReader(byte[] manifest) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment m = a.allocate(manifest.length, 8);
      MemorySegment.copy(MemorySegment.ofArray(manifest), 0, m, 0, manifest.length);
      Commit shown =
          Visibility.chooseGroupCommit(
              m,
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
      long newest = 0;
      for (int slot = 0; slot < 2; slot++) {
        Commit c = GroupManifestFormat.readSlotLive(m, slot);
        newest = Math.max(newest, c == null ? 0 : c.sequence());
      }
      count("gateChecks");
      if (shown == null || newest > shown.sequence()) {
        count("gateHeldBack");
      }
      return shown == null ? 0 : shown.sequence();
    }
  }

  private static byte[] slice(byte[] b, int page) {
    int from = Math.min(b.length, page * PAGE);
    int to = Math.min(b.length, from + PAGE);
    byte[] out = new byte[PAGE];
    System.arraycopy(b, from, out, 0, to - from);
    return out;
  }

  private void image(Map<String, byte[]> current, List<Page> kept) throws IOException {
    Path img = tmp.resolve("img" + (imageCounter++));
    Files.createDirectories(img);
    try {
      for (Map.Entry<String, byte[]> e : current.entrySet()) {
        byte[] now = e.getValue();
        byte[] old = durable.get(e.getKey()).bytes;
        int size = random.nextBoolean() ? old.length : now.length;
        byte[] b = Arrays.copyOf(old, size);
        for (Page p : kept) {
          if (p.file().equals(e.getKey())) {
            int from = p.index() * PAGE;
            int to = Math.min(size, Math.min(now.length, from + PAGE));
            if (from < to) {
              System.arraycopy(now, from, b, from, to - from);
            }
          }
        }
        Files.write(img.resolve(e.getKey()), b);
      }
      count("images");
      check(img, kept);
    } finally {
      CrashRecovery.deleteTree(img);
    }
  }

  private void check(Path img, List<Page> kept) {
    CrashHooks.Listener saved = null;
    try (ColumnarVec<Tick> v =
        ColumnarVec.open(img, Tick.class, VecOptions.defaults().withReadOnly(true))) {
      long n = v.size();
      if (n == committedRows) {
        count("atLastCommit");
      } else if (n == inProgressRows) {
        count("atInProgressCommit");
      } else {
        fail(
            "image opened with %d rows; last commit %d, in progress %d; kept pages %s; %s",
            n, committedRows, inProgressRows, kept, context);
      }
      if (v.sequence() < shownToAReader) {
        fail(
            "a live reader was shown group commit %d, but this power-loss image opens at commit"
                + " %d: the reader saw a commit that was not durable; kept pages %s; %s",
            shownToAReader, v.sequence(), kept, context);
      }
      count("gateImages");
      for (long i = 0; i < n; i++) {
        if (!v.get(i).equals(GroupCrashChild.tick(i))) {
          fail("row %d of %d is %s; kept pages %s; %s", i, n, v.get(i), kept, context);
        }
      }
    } catch (IOException e) {
      throw new AssertionError(
          "image refused: "
              + e
              + "; last commit "
              + committedRows
              + ", in progress "
              + inProgressRows
              + "; kept pages "
              + kept
              + "; "
              + context,
          e);
    }
  }

  private void count(String key) {
    stats.merge(key, 1, Integer::sum);
  }
}
