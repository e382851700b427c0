package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mmapvec.ActionChains.Named;
import io.mmapvec.ActionChains.StepFactory;
import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stateful model tests: random chains of every mutating method (and {@code sync} and {@code
 * closeAndReopen}, sometimes through a read-only open) run on a vector and on an {@link ArrayList}
 * of the same values; after each step the vector's size and every element must equal the list's.
 * Run for {@link LongVec}, {@link IntVec} and {@link DoubleVec} on both backends.
 *
 * <p>Chains are made and run by {@link ActionChains}: a failing chain is shrunk to a shortest one
 * that still fails and reported with its seed; {@code -Dmmapvec.seed=N} replays it (as the first
 * chain of every combination). Steps draw raw numbers when they are generated and turn them into
 * indices and sizes relative to the vector's size when they run, so a chain with steps deleted is
 * still valid; on an empty vector the steps that need an element do nothing, except {@code
 * removeLast}, which must throw.
 *
 * <p>Each chain works in a directory of its own, removed when the chain ends (shrinking runs
 * included), inside a JUnit temporary directory as a safety net.
 */
class VecModelTest {
  private static final int CHAINS = 100;
  private static final int MAX_STEPS = 60;

  /** Elements a single addAll or resize may add: enough to cross several pages. */
  private static final int MAX_GROWTH = 1200;

  /** The longest copyFrom. */
  private static final int MAX_COPY = 50;

  /** Values are those of seeds in {@code [-SEED_RANGE, SEED_RANGE]}. */
  private static final int SEED_RANGE = 1000;

  private static final long SEED = Long.getLong("mmapvec.seed", 0x5EED_0F_FEC5L);

  @TempDir Path root;

  static Stream<Arguments> kindsAndBackends() {
    return Stream.of(VecKind.LONG, VecKind.INT, VecKind.DOUBLE)
        .flatMap(k -> Stream.of(Arguments.of(k, "native"), Arguments.of(k, "channel")));
  }

  @ParameterizedTest(name = "{0} on the {1} backend")
  @MethodSource("kindsAndBackends")
  void behavesLikeAnArrayList(VecKind<?> kind, String backendName) {
    Backend backend;
    if (backendName.equals("native")) {
      Assumptions.assumeTrue(
          Posix.isAvailable(), () -> "native backend unavailable: " + Posix.unavailableReason());
      backend = Backend.nativeBackend();
    } else {
      backend = Backend.channelBackend();
    }
    run(kind, backend);
  }

  private <V extends Vec> void run(VecKind<V> kind, Backend backend) {
    ActionChains.check(
        kind + " on the " + backend.name() + " backend",
        SEED,
        CHAINS,
        MAX_STEPS,
        () -> new Model<>(kind, backend, root),
        VecModelTest.<V>steps());
  }

  // ------------------------------------------------------------------ the model

  /** A vector, the list it must equal, and the directory holding its file. */
  static final class Model<V extends Vec> implements AutoCloseable {
    final VecKind<V> kind;
    final Backend backend;
    final Path dir;
    final Path path;
    final List<Object> expected = new ArrayList<>();
    V vec;

    Model(VecKind<V> kind, Backend backend, Path root) throws IOException {
      this.kind = kind;
      this.backend = backend;
      this.dir = Files.createTempDirectory(root, "vecmodel-");
      this.path = dir.resolve("model.vec");
      try {
        this.vec = kind.open(path, backend);
      } catch (IOException | RuntimeException e) {
        deleteTree(dir);
        throw e;
      }
    }

    int size() {
      return expected.size();
    }

    long pageElements() {
      return backend.pageSize() / kind.elementSize();
    }

    /** Same size, same elements, room for them. */
    void check() {
      assertThat(vec.size()).as("size").isEqualTo(expected.size());
      assertThat(vec.isEmpty()).as("isEmpty").isEqualTo(expected.isEmpty());
      assertThat(vec.capacity()).as("capacity").isGreaterThanOrEqualTo(expected.size());
      List<Object> actual = kind.toList(vec);
      if (!actual.equals(expected)) {
        for (int i = 0; i < expected.size(); i++) {
          assertThat(actual.get(i))
              .as("element %d of %d", i, expected.size())
              .isEqualTo(expected.get(i));
        }
      }
    }

    /**
     * Closes the vector, then reopens it writable; in between, checks a read-only open if asked.
     */
    void closeAndReopen(boolean viaReadOnly) throws IOException {
      V v = vec;
      vec = null; // closed, whatever happens next
      v.close();
      if (viaReadOnly) {
        vec = kind.open(path, VecOptions.defaults().withReadOnly(true), backend);
        check();
        V r = vec;
        vec = null;
        r.close();
      }
      vec = kind.open(path, backend);
    }

    @Override
    public void close() throws IOException {
      try {
        if (vec != null) {
          vec.close();
        }
      } finally {
        vec = null;
        deleteTree(dir);
      }
    }

    @Override
    public String toString() {
      return kind + " on " + backend.name() + " backend, " + expected.size() + " elements";
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  // ------------------------------------------------------------------ steps

  /** What a step does to the vector and the model. */
  private interface Change<V extends Vec> {
    void apply(Model<V> m) throws Exception;
  }

  /**
   * {@return a step that applies {@code change}, then checks the vector against the model; a
   * failure names the step and the size it ran at}
   */
  private static <V extends Vec> Named<Model<V>> step(String description, Change<V> change) {
    return new Named<>(
        description,
        m -> {
          int before = m.size();
          try {
            change.apply(m);
            m.check();
          } catch (Exception | AssertionError e) {
            throw new AssertionError(
                description + " on " + before + " elements failed: " + e.getMessage(), e);
          }
        });
  }

  /** {@return a raw number for an index or size, resolved when the step runs} */
  private static int raw(SplittableRandom r) {
    return r.nextInt(Integer.MAX_VALUE);
  }

  /** {@return the index below {@code bound} (at least 1) that {@code raw} stands for} */
  private static int index(int raw, int bound) {
    return Math.floorMod(raw, bound);
  }

  private static long seed(SplittableRandom r) {
    return r.nextLong(-SEED_RANGE, SEED_RANGE + 1);
  }

  /** Adds {@code factory} {@code weight} times: factories are drawn with equal probability. */
  private static <V extends Vec> void add(
      List<StepFactory<Model<V>>> out, int weight, StepFactory<Model<V>> factory) {
    for (int i = 0; i < weight; i++) {
      out.add(factory);
    }
  }

  private static <V extends Vec> List<StepFactory<Model<V>>> steps() {
    List<StepFactory<Model<V>>> out = new ArrayList<>();
    add(
        out,
        4,
        r -> {
          long seed = seed(r);
          return step(
              "add(value " + seed + ")",
              m -> {
                Object x = m.kind.value(seed);
                m.kind.add(m.vec, x);
                m.expected.add(x);
              });
        });
    add(
        out,
        2,
        r -> {
          long from = seed(r);
          int count = r.nextInt(MAX_GROWTH + 1);
          return step(
              "addAll(" + count + " values from " + from + ")",
              m -> {
                List<Object> xs = m.kind.values(from, from + count);
                m.kind.addAll(m.vec, xs);
                m.expected.addAll(xs);
              });
        });
    add(
        out,
        3,
        r -> {
          int raw = raw(r);
          long seed = seed(r);
          return step(
              "set(" + raw + " mod size, value " + seed + ")",
              m -> {
                if (m.size() > 0) {
                  int i = index(raw, m.size());
                  Object x = m.kind.value(seed);
                  m.kind.set(m.vec, i, x);
                  m.expected.set(i, x);
                }
              });
        });
    add(
        out,
        3,
        r -> {
          int raw = raw(r);
          long seed = seed(r);
          return step(
              "insertAt(" + raw + " mod (size + 1), value " + seed + ")",
              m -> {
                int i = index(raw, m.size() + 1);
                Object x = m.kind.value(seed);
                m.kind.insertAt(m.vec, i, x);
                m.expected.add(i, x);
              });
        });
    add(
        out,
        2,
        r -> {
          int raw = raw(r);
          return step(
              "removeAt(" + raw + " mod size)",
              m -> {
                if (m.size() > 0) {
                  int i = index(raw, m.size());
                  assertThat(m.kind.removeAt(m.vec, i))
                      .as("removed element")
                      .isEqualTo(m.expected.remove(i));
                }
              });
        });
    add(
        out,
        2,
        r -> {
          int raw = raw(r);
          return step(
              "swapRemoveAt(" + raw + " mod size)",
              m -> {
                if (m.size() > 0) {
                  int i = index(raw, m.size());
                  Object last = m.expected.remove(m.size() - 1);
                  Object expectedRemoved = i < m.size() ? m.expected.set(i, last) : last;
                  assertThat(m.kind.swapRemoveAt(m.vec, i))
                      .as("removed element")
                      .isEqualTo(expectedRemoved);
                }
              });
        });
    add(
        out,
        2,
        r ->
            step(
                "removeLast()",
                m -> {
                  if (m.size() == 0) {
                    assertThatThrownBy(() -> m.kind.removeLast(m.vec))
                        .isInstanceOf(NoSuchElementException.class);
                  } else {
                    assertThat(m.kind.removeLast(m.vec))
                        .as("removed element")
                        .isEqualTo(m.expected.remove(m.size() - 1));
                  }
                }));
    add(
        out,
        1,
        r -> {
          int raw = raw(r);
          return step(
              "truncate(" + raw + " mod (size + 11))",
              m -> {
                int n = index(raw, m.size() + 11);
                m.vec.truncate(n);
                if (n < m.size()) {
                  m.expected.subList(n, m.size()).clear();
                }
              });
        });
    add(
        out,
        2,
        r -> {
          int raw = raw(r);
          long seed = seed(r);
          return step(
              "resize(" + raw + " mod (size + " + (MAX_GROWTH + 1) + "), fill " + seed + ")",
              m -> {
                int n = index(raw, m.size() + MAX_GROWTH + 1);
                Object fill = m.kind.value(seed);
                m.kind.resize(m.vec, n, fill);
                if (n < m.size()) {
                  m.expected.subList(n, m.size()).clear();
                } else {
                  m.expected.addAll(Collections.nCopies(n - m.size(), fill));
                }
              });
        });
    add(
        out,
        1,
        r -> {
          int k = r.nextInt(20_001);
          return step(
              "reserve(" + k + ")",
              m -> {
                m.vec.reserve(k);
                assertThat(m.vec.capacity())
                    .as("capacity after reserve(%d)", k)
                    .isGreaterThanOrEqualTo((long) m.size() + k);
              });
        });
    add(
        out,
        1,
        r ->
            step(
                "shrinkToFit()",
                m -> {
                  m.vec.shrinkToFit();
                  assertThat(m.vec.capacity())
                      .as("capacity after shrinkToFit")
                      .isGreaterThanOrEqualTo(m.size())
                      .isLessThan(m.size() + m.pageElements());
                }));
    add(
        out,
        1,
        r ->
            step(
                "clear()",
                m -> {
                  m.vec.clear();
                  m.expected.clear();
                }));
    add(
        out,
        2,
        r -> {
          int rawLength = raw(r);
          int rawTo = raw(r);
          int srcOffset = r.nextInt(4);
          int spare = r.nextInt(4);
          long seed = seed(r);
          return step(
              "copyFrom(to "
                  + rawTo
                  + " mod (size - length + 1), values from "
                  + seed
                  + ", offset "
                  + srcOffset
                  + ", length "
                  + rawLength
                  + " mod (min(size, "
                  + MAX_COPY
                  + ") + 1), "
                  + spare
                  + " spare)",
              m -> {
                int size = m.size();
                if (size > 0) {
                  int length = index(rawLength, Math.min(size, MAX_COPY) + 1);
                  int to = index(rawTo, size - length + 1);
                  List<Object> src = m.kind.values(seed, seed + srcOffset + length + spare);
                  m.kind.copyFrom(m.vec, to, src, srcOffset, length);
                  for (int k = 0; k < length; k++) {
                    m.expected.set(to + k, src.get(srcOffset + k));
                  }
                }
              });
        });
    add(out, 2, r -> step("sync()", m -> m.vec.sync()));
    add(
        out,
        2,
        r -> {
          boolean viaReadOnly = r.nextBoolean();
          return step(
              viaReadOnly ? "closeAndReopen(via read-only)" : "closeAndReopen()",
              m -> m.closeAndReopen(viaReadOnly));
        });
    return out;
  }
}
