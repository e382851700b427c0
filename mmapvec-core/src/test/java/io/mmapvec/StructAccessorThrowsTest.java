package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hardening 13.3: a record accessor that throws leaves a {@link StructVec} exactly as it was, for
 * every writing method, on both backends. Before the fix {@code set} left a record mixing fields,
 * {@code insertAt} left the gap open (an element lost, one duplicated, the size unchanged), and an
 * {@code addAll} of 70,001 records whose last accessor throws appended the first 43,690 (it staged
 * 1 MiB at a time); each of the three assertions below fails with the fix reverted (checked).
 */
class StructAccessorThrowsTest {
  /** Three longs; {@code b()} throws when {@code a} is -1, after {@code a} was already read. */
  record Bomb(long a, long b, long c) {
    @Override
    public long b() {
      if (a == -1) {
        throw new IllegalStateException("accessor b() of a bad record");
      }
      return b;
    }
  }

  private static final Bomb BAD = new Bomb(-1, 7, 7);

  @TempDir Path dir;

  private static Bomb good(long i) {
    return new Bomb(i, i * 10, i * 100);
  }

  private StructVec<Bomb> open(String backendName) throws IOException {
    Backend backend;
    if (backendName.equals("native")) {
      assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
      backend = Backend.nativeBackend();
    } else {
      backend = Backend.channelBackend();
    }
    StructVec<Bomb> v =
        StructVec.open(
            dir.resolve("bombs.vec"),
            Bomb.class,
            VecOptions.defaults(),
            MethodHandles.lookup(),
            backend);
    for (int i = 0; i < 5; i++) {
      v.add(good(i));
    }
    return v;
  }

  private static List<Bomb> contents(StructVec<Bomb> v) {
    List<Bomb> out = new ArrayList<>();
    v.forEach(out::add);
    return out;
  }

  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"native", "channel"})
  void setLeavesTheVectorUnchanged(String backend) throws IOException {
    try (StructVec<Bomb> v = open(backend)) {
      List<Bomb> before = contents(v);
      assertThatThrownBy(() -> v.set(1, BAD)).hasMessageContaining("bad record");
      assertThat(contents(v)).isEqualTo(before);
    }
  }

  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"native", "channel"})
  void insertAtLeavesTheVectorUnchanged(String backend) throws IOException {
    try (StructVec<Bomb> v = open(backend)) {
      List<Bomb> before = contents(v);
      assertThatThrownBy(() -> v.insertAt(1, BAD)).hasMessageContaining("bad record");
      assertThat(contents(v)).isEqualTo(before);
      v.insertAt(1, good(99)); // and the vector still works
      before.add(1, good(99));
      assertThat(contents(v)).isEqualTo(before);
    }
  }

  @ParameterizedTest(name = "{0} backend")
  @ValueSource(strings = {"native", "channel"})
  void largeAddAllIsAllOrNothing(String backend) throws IOException {
    try (StructVec<Bomb> v = open(backend)) {
      List<Bomb> before = contents(v);
      List<Bomb> many = new ArrayList<>();
      for (int i = 0; i < 70_000; i++) {
        many.add(good(1000 + i));
      }
      many.add(BAD);
      assertThatThrownBy(() -> v.addAll(many)).hasMessageContaining("bad record");
      assertThat(v.size()).isEqualTo(before.size());
      assertThat(contents(v)).isEqualTo(before);
      many.removeLast();
      v.addAll(many);
      assertThat(v.size()).isEqualTo(before.size() + 70_000);
      assertThat(v.get(before.size() + 69_999)).isEqualTo(good(1000 + 69_999));
      v.sync();
    }
  }
}
