package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mmapvec.ActionChains.Named;
import io.mmapvec.ActionChains.StepFactory;
import io.mmapvec.StructRecords.All8;
import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The model test of the storage core, run for a record type: random chains of every mutating method
 * of {@link StructVec} (the field setters, {@code sync}, {@code shrinkToFit} and close-and-reopen
 * among them) against an {@link ArrayList} of the same records. After every step the vector must
 * hold exactly the model's records, read both as records and field by field. A failing chain is
 * shrunk to a shortest failing one and reported with its seed ({@link ActionChains}); {@code
 * -Dmmapvec.seed=N} replays it.
 *
 * <p>The record is {@link All8}: every component type, padding inside and at the tail.
 */
class StructVecModelTest {
  private static final int CHAINS = 100;
  private static final int MAX_STEPS = 40;
  private static final long SEED = Long.getLong("mmapvec.seed", 0x57C7_5EEDL);

  /** The vector under test and its model, in a directory of their own. */
  static final class Model implements AutoCloseable {
    final Backend backend;
    final Path dir;
    final Path file;
    final List<All8> expected = new ArrayList<>();
    StructVec<All8> vec;

    Model(Backend backend) throws IOException {
      this.backend = backend;
      dir = Files.createTempDirectory("structvec-model-");
      file = dir.resolve("model.vec");
      vec = open();
    }

    private StructVec<All8> open() throws IOException {
      return StructVec.open(file, All8.class, VecOptions.defaults(), null, backend);
    }

    void reopen() throws IOException {
      vec.close();
      vec = open();
    }

    int size() {
      return expected.size();
    }

    /** The vector holds exactly the model's records, as records and field by field. */
    void check() {
      StructVec<All8> v = vec;
      assertThat(v.size()).isEqualTo(size());
      assertThat(v.capacity()).isGreaterThanOrEqualTo(v.size());
      assertThat(v.toList()).isEqualTo(expected);
      StructVec.ByteField b = v.byteField("b");
      StructVec.ShortField s = v.shortField("s");
      StructVec.CharField c = v.charField("c");
      StructVec.IntField i = v.intField("i");
      StructVec.LongField l = v.longField("l");
      StructVec.FloatField f = v.floatField("f");
      StructVec.DoubleField d = v.doubleField("d");
      StructVec.BooleanField z = v.booleanField("z");
      for (int k = 0; k < size(); k++) {
        All8 e = expected.get(k);
        assertThat(b.get(k)).isEqualTo(e.b());
        assertThat(s.get(k)).isEqualTo(e.s());
        assertThat(c.get(k)).isEqualTo(e.c());
        assertThat(i.get(k)).isEqualTo(e.i());
        assertThat(l.get(k)).isEqualTo(e.l());
        assertThat(Float.compare(f.get(k), e.f())).isZero();
        assertThat(Double.compare(d.get(k), e.d())).isZero();
        assertThat(z.get(k)).isEqualTo(e.z());
      }
    }

    @Override
    public void close() throws IOException {
      try {
        vec.close();
      } finally {
        try (Stream<Path> s = Files.walk(dir)) {
          for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  @Test
  void behavesLikeAnArrayListOfRecordsOnTheNativeBackend() {
    Assumptions.assumeTrue(Posix.isAvailable(), "native access is not available");
    run(Backend.nativeBackend());
  }

  @Test
  void behavesLikeAnArrayListOfRecordsOnTheFallbackBackend() {
    run(Backend.channelBackend());
  }

  private static void run(Backend backend) {
    ActionChains.check(
        "StructVec<All8> on the " + backend.name() + " backend",
        SEED,
        CHAINS,
        MAX_STEPS,
        () -> new Model(backend),
        steps());
  }

  // ------------------------------------------------------------------ steps

  /** A step that changes the vector and the model alike, then checks them against each other. */
  private interface Change {
    void apply(Model m) throws Exception;
  }

  private static Named<Model> step(String description, Change change) {
    return new Named<>(
        description,
        m -> {
          change.apply(m);
          m.check();
        });
  }

  /** {@return an index below {@code bound} (at least 1) chosen by {@code raw}} */
  private static int index(int raw, int bound) {
    return Math.floorMod(raw, bound);
  }

  static All8 record(SplittableRandom r) {
    return new All8(
        (byte) r.nextInt(),
        (short) r.nextInt(),
        (char) r.nextInt(),
        r.nextInt(),
        r.nextLong(),
        switch (r.nextInt(4)) {
          case 0 -> Float.NaN;
          case 1 -> -0.0f;
          default -> Float.intBitsToFloat(r.nextInt());
        },
        switch (r.nextInt(4)) {
          case 0 -> Double.NaN;
          case 1 -> -0.0;
          default -> Double.longBitsToDouble(r.nextLong());
        },
        r.nextBoolean());
  }

  private static List<StepFactory<Model>> steps() {
    List<StepFactory<Model>> out = new ArrayList<>();
    StepFactory<Model> add =
        r -> {
          All8 v = record(r);
          return step(
              "add " + v,
              m -> {
                m.vec.add(v);
                m.expected.add(v);
              });
        };
    out.add(add);
    out.add(add); // appends are the common case
    out.add(
        r -> {
          List<All8> vs = new ArrayList<>();
          for (int k = r.nextInt(300); k > 0; k--) {
            vs.add(record(r));
          }
          return step(
              "addAll " + vs.size() + " records",
              m -> {
                m.vec.addAll(vs);
                m.expected.addAll(vs);
              });
        });
    out.add(
        r -> {
          int raw = r.nextInt();
          All8 v = record(r);
          return step(
              "set (" + raw + ") " + v,
              m -> {
                if (m.size() > 0) {
                  int k = index(raw, m.size());
                  m.vec.set(k, v);
                  m.expected.set(k, v);
                }
              });
        });
    out.add(
        r -> {
          int raw = r.nextInt();
          int mask = r.nextInt(256);
          All8 v = record(r);
          return step(
              "set fields " + Integer.toBinaryString(mask) + " (" + raw + ") from " + v,
              m -> {
                if (m.size() > 0) {
                  setFields(m, index(raw, m.size()), mask, v);
                }
              });
        });
    out.add(
        r -> {
          int raw = r.nextInt();
          All8 v = record(r);
          return step(
              "insertAt (" + raw + ") " + v,
              m -> {
                int k = index(raw, m.size() + 1);
                m.vec.insertAt(k, v);
                m.expected.add(k, v);
              });
        });
    out.add(
        r -> {
          int raw = r.nextInt();
          return step(
              "removeAt (" + raw + ")",
              m -> {
                if (m.size() > 0) {
                  int k = index(raw, m.size());
                  assertThat(m.vec.removeAt(k)).isEqualTo(m.expected.remove(k));
                }
              });
        });
    out.add(
        r -> {
          int raw = r.nextInt();
          return step(
              "swapRemoveAt (" + raw + ")",
              m -> {
                if (m.size() > 0) {
                  int k = index(raw, m.size());
                  All8 last = m.expected.remove(m.size() - 1);
                  All8 removed = k < m.size() ? m.expected.set(k, last) : last;
                  assertThat(m.vec.swapRemoveAt(k)).isEqualTo(removed);
                }
              });
        });
    out.add(
        r ->
            step(
                "removeLast",
                m -> {
                  if (m.size() == 0) {
                    assertThatThrownBy(m.vec::removeLast)
                        .isInstanceOf(NoSuchElementException.class);
                  } else {
                    assertThat(m.vec.removeLast()).isEqualTo(m.expected.remove(m.size() - 1));
                  }
                }));
    out.add(
        r -> {
          int raw = r.nextInt();
          return step(
              "truncate (" + raw + ")",
              m -> {
                int n = index(raw, m.size() + 3);
                m.vec.truncate(n);
                while (m.size() > n) {
                  m.expected.remove(m.size() - 1);
                }
              });
        });
    out.add(
        r -> {
          int raw = r.nextInt();
          All8 fill = record(r);
          return step(
              "resize (" + raw + ") " + fill,
              m -> {
                int n = index(raw, m.size() + 400);
                m.vec.resize(n, fill);
                while (m.size() > n) {
                  m.expected.remove(m.size() - 1);
                }
                while (m.size() < n) {
                  m.expected.add(fill);
                }
              });
        });
    out.add(
        r ->
            step(
                "clear",
                m -> {
                  m.vec.clear();
                  m.expected.clear();
                }));
    out.add(
        r -> {
          int n = r.nextInt(5000);
          return step("reserve " + n, m -> m.vec.reserve(n));
        });
    out.add(r -> step("sync", m -> m.vec.sync()));
    out.add(r -> step("shrinkToFit", m -> m.vec.shrinkToFit()));
    out.add(r -> step("closeAndReopen", Model::reopen));
    out.add(r -> step("closeAndReopen", Model::reopen));
    return out;
  }

  /** Sets the fields of element {@code k} that {@code mask} selects to those of {@code v}. */
  private static void setFields(Model m, int k, int mask, All8 v) {
    StructVec<All8> vec = m.vec;
    All8 o = m.expected.get(k);
    if ((mask & 1) != 0) {
      vec.byteField("b").set(k, v.b());
    }
    if ((mask & 2) != 0) {
      vec.shortField("s").set(k, v.s());
    }
    if ((mask & 4) != 0) {
      vec.charField("c").set(k, v.c());
    }
    if ((mask & 8) != 0) {
      vec.intField("i").set(k, v.i());
    }
    if ((mask & 16) != 0) {
      vec.longField("l").set(k, v.l());
    }
    if ((mask & 32) != 0) {
      vec.floatField("f").set(k, v.f());
    }
    if ((mask & 64) != 0) {
      vec.doubleField("d").set(k, v.d());
    }
    if ((mask & 128) != 0) {
      vec.booleanField("z").set(k, v.z());
    }
    m.expected.set(
        k,
        new All8(
            (mask & 1) != 0 ? v.b() : o.b(),
            (mask & 2) != 0 ? v.s() : o.s(),
            (mask & 4) != 0 ? v.c() : o.c(),
            (mask & 8) != 0 ? v.i() : o.i(),
            (mask & 16) != 0 ? v.l() : o.l(),
            (mask & 32) != 0 ? v.f() : o.f(),
            (mask & 64) != 0 ? v.d() : o.d(),
            (mask & 128) != 0 ? v.z() : o.z()));
  }
}
