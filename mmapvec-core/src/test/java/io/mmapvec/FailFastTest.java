package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.PrimitiveIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hardening 13.9: iterators and {@code forEach} are fail-fast like {@code java.util}'s: a change of
 * the size while they run throws {@link ConcurrentModificationException}. Before the fix an
 * iterator followed the live size (adding inside the loop never ended; here capped) and {@code
 * forEach} after a {@code truncate} in its action still visited the old elements; every test here
 * fails without the fix (checked).
 */
class FailFastTest {
  @TempDir Path dir;

  record Pair(long a, int b) {}

  private LongVec longs() throws IOException {
    LongVec v = LongVec.open(dir.resolve("longs.vec"));
    for (int i = 0; i < 10; i++) {
      v.add(i);
    }
    return v;
  }

  @Test
  void iteratorThrowsWhenTheLoopAdds() throws IOException {
    try (LongVec v = longs()) {
      assertThatThrownBy(
              () -> {
                int steps = 0;
                for (PrimitiveIterator.OfLong it = v.iterator(); it.hasNext(); ) {
                  it.nextLong();
                  v.add(99);
                  if (++steps > 1000) {
                    throw new AssertionError("the iterator follows the live size: never ends");
                  }
                }
              })
          .isInstanceOf(ConcurrentModificationException.class)
          .hasMessageContaining("size changed from 10 to 11");
    }
  }

  @Test
  void iteratorThrowsWhenTheLoopTruncates() throws IOException {
    try (LongVec v = longs()) {
      PrimitiveIterator.OfLong it = v.iterator();
      it.nextLong();
      v.truncate(5);
      assertThatThrownBy(it::nextLong).isInstanceOf(ConcurrentModificationException.class);
    }
  }

  @Test
  void forEachThrowsWhenTheActionChangesTheSize() throws IOException {
    try (LongVec v = longs()) {
      long[] visited = {0};
      assertThatThrownBy(
              () ->
                  v.forEach(
                      x -> {
                        visited[0]++;
                        if (x == 2) {
                          v.truncate(3);
                        }
                      }))
          .isInstanceOf(ConcurrentModificationException.class);
      assertThat(visited[0]).as("no old element visited after the truncate").isEqualTo(3);
      assertThatThrownBy(() -> v.forEach(x -> v.add(x)))
          .isInstanceOf(ConcurrentModificationException.class);
      // A change by the call for the last element is seen too.
      v.truncate(3);
      assertThatThrownBy(
              () ->
                  v.forEach(
                      x -> {
                        if (x == 2) {
                          v.add(1);
                        }
                      }))
          .isInstanceOf(ConcurrentModificationException.class);
    }
  }

  @Test
  void byteVecWidensAndStillFailsFast() throws IOException {
    try (ByteVec v = ByteVec.open(dir.resolve("bytes.vec"))) {
      v.add((byte) 1);
      v.add((byte) 2);
      assertThatThrownBy(() -> v.forEach(x -> v.add((byte) x)))
          .isInstanceOf(ConcurrentModificationException.class);
    }
  }

  @Test
  void structVecIteratorAndForEachFailFast() throws IOException {
    try (StructVec<Pair> v =
        StructVec.open(
            dir.resolve("pairs.vec"), Pair.class, VecOptions.defaults(), MethodHandles.lookup())) {
      for (int i = 0; i < 10; i++) {
        v.add(new Pair(i, i));
      }
      Iterator<Pair> it = v.iterator();
      it.next();
      v.add(new Pair(1, 1));
      assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
      int[] visited = {0};
      assertThatThrownBy(
              () ->
                  v.forEach(
                      p -> {
                        visited[0]++;
                        v.truncate(1);
                      }))
          .isInstanceOf(ConcurrentModificationException.class);
      assertThat(visited[0]).isEqualTo(1);
    }
  }
}
