package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mmapvec.ActionChains.Named;
import io.mmapvec.ActionChains.StepFactory;
import io.mmapvec.StructRecords.Tick;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model tests for column groups: random chains of group operations against an in-heap model,
 * checked after every step (sizes, every value, the committed column names). For {@link VecGroup}:
 * appends, sets, truncations and removals on independent columns, column add and drop, commits,
 * close and reopen (sometimes read-only first). For {@link ColumnarVec}: every length-changing
 * method, sets through the record and through a column view, commits, close and reopen. Chains are
 * run and shrunk by {@link ActionChains}; {@code -Dmmapvec.seed=N} replays one.
 */
class GroupModelTest {
  private static final int CHAINS = 40;
  private static final int MAX_STEPS = 50;
  private static final long SEED = Long.getLong("mmapvec.seed", 0x6A0C_0F_5EEDL);
  private static final String[] NAMES = {"a", "b", "c", "d"};
  private static final AtomicInteger DIRS = new AtomicInteger();

  @TempDir Path root;

  // ------------------------------------------------------------------------------------ VecGroup

  /** The group under test and its model: live columns' values, committed and pending names. */
  final class GroupState implements AutoCloseable {
    final Path dir = root.resolve("g" + DIRS.incrementAndGet());
    VecGroup g;
    final Map<String, List<Long>> live = new LinkedHashMap<>();
    List<String> committed = new ArrayList<>();
    final List<String> addedSinceCommit = new ArrayList<>();
    final List<String> droppedSinceCommit = new ArrayList<>();

    GroupState() throws IOException {
      g = VecGroup.open(dir);
    }

    /** Column "a"/"c" hold longs, "b"/"d" doubles; values are small integers either way. */
    Vec vec(String name) throws IOException {
      return name.equals("a") || name.equals("c") ? g.longVec(name) : g.doubleVec(name);
    }

    long get(Vec v, long i) {
      return v instanceof LongVec l ? l.get(i) : (long) ((DoubleVec) v).get(i);
    }

    void commit() {
      List<String> next = new ArrayList<>(committed);
      next.removeAll(droppedSinceCommit);
      next.addAll(addedSinceCommit);
      committed = next;
      addedSinceCommit.clear();
      droppedSinceCommit.clear();
    }

    void check() throws IOException {
      assertThat(g.names()).isEqualTo(committed);
      for (Map.Entry<String, List<Long>> e : live.entrySet()) {
        Vec v = vec(e.getKey());
        assertThat(v.size()).as("size of %s", e.getKey()).isEqualTo(e.getValue().size());
        for (int i = 0; i < e.getValue().size(); i++) {
          assertThat(get(v, i)).as("%s[%d]", e.getKey(), i).isEqualTo(e.getValue().get(i));
        }
      }
    }

    @Override
    public void close() throws IOException {
      try {
        g.close();
      } finally {
        CrashRecovery.deleteTree(dir);
      }
    }
  }

  private static Named<GroupState> groupStep(String d, ActionChains.Step<GroupState> s) {
    return new Named<>(
        d,
        st -> {
          s.apply(st);
          st.check();
        });
  }

  /** Makes sure column {@code name} is live in the model and the group, unless dropped. */
  private static boolean ensure(GroupState s, String name) throws IOException {
    if (s.droppedSinceCommit.contains(name)) {
      assertThatThrownBy(() -> s.vec(name)).isInstanceOf(IllegalStateException.class);
      return false;
    }
    s.vec(name);
    if (!s.live.containsKey(name)) {
      s.live.put(name, new ArrayList<>());
      s.addedSinceCommit.add(name);
    }
    return true;
  }

  private static List<StepFactory<GroupState>> groupSteps() {
    return List.of(
        r -> {
          String n = NAMES[r.nextInt(NAMES.length)];
          int count = 1 + r.nextInt(r.nextInt(8) == 0 ? 700 : 5);
          long v = r.nextInt(1000);
          return groupStep(
              "append " + count + " x " + v + " to " + n,
              s -> {
                if (ensure(s, n)) {
                  Vec vec = s.vec(n);
                  for (int i = 0; i < count; i++) {
                    if (vec instanceof LongVec l) {
                      l.add(v + i);
                    } else {
                      ((DoubleVec) vec).add(v + i);
                    }
                    s.live.get(n).add(v + i);
                  }
                }
              });
        },
        r -> {
          String n = NAMES[r.nextInt(NAMES.length)];
          int raw = r.nextInt(1 << 20);
          long v = r.nextInt(1000);
          return groupStep(
              "set " + n + "[raw " + raw + "] = " + v,
              s -> {
                List<Long> m = s.live.get(n);
                if (m != null && !m.isEmpty()) {
                  int i = raw % m.size();
                  Vec vec = s.vec(n);
                  if (vec instanceof LongVec l) {
                    l.set(i, v);
                  } else {
                    ((DoubleVec) vec).set(i, v);
                  }
                  m.set(i, v);
                }
              });
        },
        r -> {
          String n = NAMES[r.nextInt(NAMES.length)];
          int raw = r.nextInt(1 << 20);
          return groupStep(
              "truncate " + n + " to raw " + raw,
              s -> {
                List<Long> m = s.live.get(n);
                if (m != null) {
                  int to = raw % (m.size() + 1);
                  s.vec(n).truncate(to);
                  m.subList(to, m.size()).clear();
                }
              });
        },
        r -> {
          String n = NAMES[r.nextInt(NAMES.length)];
          int raw = r.nextInt(1 << 20);
          return groupStep(
              "removeAt " + n + " raw " + raw,
              s -> {
                List<Long> m = s.live.get(n);
                if (m != null && !m.isEmpty()) {
                  int i = raw % m.size();
                  Vec vec = s.vec(n);
                  long got =
                      vec instanceof LongVec l
                          ? l.removeAt(i)
                          : (long) ((DoubleVec) vec).removeAt(i);
                  assertThat(got).isEqualTo(m.remove(i));
                }
              });
        },
        r -> {
          String n = NAMES[r.nextInt(NAMES.length)];
          return groupStep(
              "drop " + n,
              s -> {
                boolean had = s.live.containsKey(n);
                assertThat(s.g.drop(n)).isEqualTo(had);
                if (had) {
                  s.live.remove(n);
                  if (!s.addedSinceCommit.remove(n)) {
                    s.droppedSinceCommit.add(n);
                  }
                }
              });
        },
        r -> {
          boolean viaColumn = r.nextBoolean();
          return groupStep(
              viaColumn ? "sync through a column" : "sync the group",
              s -> {
                if (viaColumn && !s.live.isEmpty()) {
                  s.vec(s.live.keySet().iterator().next()).sync();
                } else {
                  s.g.sync();
                }
                s.commit();
              });
        },
        r -> {
          boolean readOnlyFirst = r.nextBoolean();
          return groupStep(
              "close and reopen" + (readOnlyFirst ? " (read-only first)" : ""),
              s -> {
                s.g.close();
                s.commit();
                if (readOnlyFirst) {
                  s.g = VecGroup.open(s.dir, VecOptions.defaults().withReadOnly(true));
                  s.check();
                  s.g.close();
                }
                s.g = VecGroup.open(s.dir);
                assertThat(
                        Files.list(s.dir)
                            .filter(p -> p.getFileName().toString().startsWith("."))
                            .toList())
                    .as("no pending file after a clean close")
                    .isEmpty();
              });
        });
  }

  @Test
  void randomGroupChainsMatchTheModel() {
    ActionChains.check("VecGroup model", SEED, CHAINS, MAX_STEPS, GroupState::new, groupSteps());
  }

  // ------------------------------------------------------------------------------------
  // ColumnarVec

  /** A ColumnarVec and its model, a list of records. */
  final class RowState implements AutoCloseable {
    final Path dir = root.resolve("c" + DIRS.incrementAndGet());
    ColumnarVec<Tick> v;
    final List<Tick> m = new ArrayList<>();

    RowState() throws IOException {
      v = ColumnarVec.open(dir, Tick.class);
    }

    void check() {
      assertThat(v.size()).isEqualTo(m.size());
      assertThat(v.column("time").size()).isEqualTo(m.size());
      assertThat(v.column("price").size()).isEqualTo(m.size());
      assertThat(v.column("qty").size()).isEqualTo(m.size());
      for (int i = 0; i < m.size(); i++) {
        assertThat(v.get(i)).as("row %d", i).isEqualTo(m.get(i));
      }
    }

    @Override
    public void close() throws IOException {
      try {
        v.close();
      } finally {
        CrashRecovery.deleteTree(dir);
      }
    }
  }

  private static Tick tick(long x) {
    return new Tick(x, x * 0.5, (int) (x * 3));
  }

  private static Named<RowState> rowStep(String d, ActionChains.Step<RowState> s) {
    return new Named<>(
        d,
        st -> {
          s.apply(st);
          st.check();
        });
  }

  private static List<StepFactory<RowState>> rowSteps() {
    return List.of(
        r -> {
          long x = r.nextInt(1000);
          return rowStep(
              "add " + x,
              s -> {
                s.v.add(tick(x));
                s.m.add(tick(x));
              });
        },
        r -> {
          int count = r.nextInt(r.nextInt(6) == 0 ? 900 : 10);
          long x = r.nextInt(1000);
          return rowStep(
              "addAll " + count + " from " + x,
              s -> {
                List<Tick> rows = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                  rows.add(tick(x + i));
                }
                s.v.addAll(rows);
                s.m.addAll(rows);
              });
        },
        r -> {
          int raw = r.nextInt(1 << 20);
          long x = r.nextInt(1000);
          return rowStep(
              "set raw " + raw + " = " + x,
              s -> {
                if (!s.m.isEmpty()) {
                  int i = raw % s.m.size();
                  s.v.set(i, tick(x));
                  s.m.set(i, tick(x));
                }
              });
        },
        r -> {
          int raw = r.nextInt(1 << 20);
          long x = r.nextInt(1000);
          return rowStep(
              "set price through the column, raw " + raw + " = " + x,
              s -> {
                if (!s.m.isEmpty()) {
                  int i = raw % s.m.size();
                  s.v.column("price", DoubleVec.class).set(i, x);
                  Tick t = s.m.get(i);
                  s.m.set(i, new Tick(t.time(), x, t.qty()));
                }
              });
        },
        r -> {
          int raw = r.nextInt(1 << 20);
          long x = r.nextInt(1000);
          return rowStep(
              "insertAt raw " + raw + " " + x,
              s -> {
                int i = raw % (s.m.size() + 1);
                s.v.insertAt(i, tick(x));
                s.m.add(i, tick(x));
              });
        },
        r -> {
          int raw = r.nextInt(1 << 20);
          boolean swap = r.nextBoolean();
          return rowStep(
              (swap ? "swapRemoveAt" : "removeAt") + " raw " + raw,
              s -> {
                if (!s.m.isEmpty()) {
                  int i = raw % s.m.size();
                  if (swap) {
                    assertThat(s.v.swapRemoveAt(i)).isEqualTo(s.m.get(i));
                    Tick last = s.m.remove(s.m.size() - 1);
                    if (i < s.m.size()) {
                      s.m.set(i, last);
                    }
                  } else {
                    assertThat(s.v.removeAt(i)).isEqualTo(s.m.remove(i));
                  }
                }
              });
        },
        r ->
            rowStep(
                "removeLast",
                s -> {
                  if (s.m.isEmpty()) {
                    assertThatThrownBy(s.v::removeLast).isInstanceOf(NoSuchElementException.class);
                  } else {
                    assertThat(s.v.removeLast()).isEqualTo(s.m.remove(s.m.size() - 1));
                  }
                }),
        r -> {
          int raw = r.nextInt(1 << 20);
          return rowStep(
              "truncate raw " + raw,
              s -> {
                int to = raw % (s.m.size() + 1);
                s.v.truncate(to);
                s.m.subList(to, s.m.size()).clear();
              });
        },
        r -> {
          int n = r.nextInt(1500);
          long x = r.nextInt(1000);
          return rowStep(
              "resize " + n + " fill " + x,
              s -> {
                s.v.resize(n, tick(x));
                while (s.m.size() > n) {
                  s.m.remove(s.m.size() - 1);
                }
                while (s.m.size() < n) {
                  s.m.add(tick(x));
                }
              });
        },
        r -> rowStep("sync", s -> s.v.sync()),
        r -> rowStep("shrinkToFit", s -> s.v.shrinkToFit()),
        r -> {
          boolean readOnlyFirst = r.nextBoolean();
          return rowStep(
              "close and reopen" + (readOnlyFirst ? " (read-only first)" : ""),
              s -> {
                s.v.close();
                if (readOnlyFirst) {
                  s.v =
                      ColumnarVec.open(s.dir, Tick.class, VecOptions.defaults().withReadOnly(true));
                  s.check();
                  s.v.close();
                }
                s.v = ColumnarVec.open(s.dir, Tick.class);
              });
        });
  }

  @Test
  void randomRecordChainsMatchTheModel() {
    ActionChains.check("ColumnarVec model", SEED, CHAINS, MAX_STEPS, RowState::new, rowSteps());
  }
}
