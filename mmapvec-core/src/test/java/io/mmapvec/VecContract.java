package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every vector must have, whatever its element type and backend. {@link
 * VecContractTest} runs it for each of the six element types on each of the two backends; the test
 * bodies reach the typed methods through a {@link VecKind}.
 *
 * <p>Every vector a test opens is closed after it, even when the test fails, because an open vector
 * stays in the JVM-wide registry of open files.
 *
 * @param <V> the vector class
 */
abstract class VecContract<V extends Vec> {
  private static final VecOptions TICKS =
      VecOptions.defaults().withMagic("TICKDATA").withDataVersion(1, 2, 3);
  private static final VecOptions READ_ONLY = VecOptions.defaults().withReadOnly(true);

  @TempDir Path dir;

  final VecKind<V> kind;
  final Backend backend;
  Path path;
  private final List<Vec> opened = new ArrayList<>();

  VecContract(VecKind<V> kind, Backend backend) {
    this.kind = kind;
    this.backend = backend;
  }

  @BeforeEach
  void pickFile() {
    if (backend.name().equals("native")) {
      assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    }
    path = dir.resolve("v.vec");
  }

  @AfterEach
  void closeEverythingOpened() throws IOException {
    IOException first = null;
    for (Vec v : opened) {
      try {
        v.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    opened.clear();
    if (first != null) {
      throw first;
    }
  }

  // ------------------------------------------------------------------ helpers

  private <T extends Vec> T track(T v) {
    opened.add(v);
    return v;
  }

  V open() throws IOException {
    return open(VecOptions.defaults());
  }

  V open(VecOptions options) throws IOException {
    return track(kind.open(path, options, backend));
  }

  /** {@return a new vector holding the values of seeds 0 to n-1} */
  V filled(int n) throws IOException {
    V v = open();
    kind.addSeeds(v, n);
    return v;
  }

  private Object value(long seed) {
    return kind.value(seed);
  }

  private Object fill() {
    return kind.value(VecKind.FILL_SEED);
  }

  private Object zero() {
    return VecKind.list(kind.newArray(1)).get(0);
  }

  private List<Object> contents(V v) {
    return kind.toList(v);
  }

  private static List<Object> concat(List<?> a, List<?> b) {
    List<Object> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private void assertIndexError(ThrowingCallable call, long index) {
    assertThatThrownBy(call)
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("index " + index)
        .hasMessageContaining(path.toString());
  }

  private Header readHeader() throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) HeaderFormat.HEADER_READ_BYTES);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // read until full or end of file
      }
      buf.flip();
      return HeaderFormat.decodeAny(MemorySegment.ofBuffer(buf), ch.size(), path);
    }
  }

  // ------------------------------------------------------------------ size, add, get, set

  @Test
  void newVectorIsEmpty() throws IOException {
    V v = open();
    assertThat(v.size()).isZero();
    assertThat(v.isEmpty()).isTrue();
    // The capacity is what the file's data region holds (a new file may have room already).
    assertThat(v.capacity())
        .isEqualTo((Files.size(path) - HeaderFormat.DATA_OFFSET) / kind.elementSize());
    assertThat(contents(v)).isEmpty();
    assertThat(v.elementSize()).isEqualTo(kind.elementSize());
    assertThat(v.path()).isEqualTo(path);
    assertThat(v.options()).isEqualTo(VecOptions.defaults());
  }

  @Test
  void addAppendsAndGetReadsBack() throws IOException {
    V v = open();
    kind.add(v, 0);
    assertThat(v.size()).isEqualTo(1);
    assertThat(v.isEmpty()).isFalse();
    kind.add(v, 1);
    kind.add(v, 2);
    assertThat(v.size()).isEqualTo(3);
    assertThat(v.capacity()).isGreaterThanOrEqualTo(3);
    assertThat(kind.get(v, 0)).isEqualTo(value(0));
    assertThat(kind.get(v, 1)).isEqualTo(value(1));
    assertThat(kind.get(v, 2)).isEqualTo(value(2));
  }

  @Test
  void setReplacesOnlyThatElement() throws IOException {
    V v = filled(5);
    kind.set(v, 2, value(100));
    assertThat(contents(v)).containsExactly(value(0), value(1), value(100), value(3), value(4));
    assertThat(v.size()).isEqualTo(5);
  }

  @Test
  void indexErrorsNameTheIndexAndTheFile() throws IOException {
    V v = filled(3);
    assertIndexError(() -> kind.get(v, 3), 3);
    assertIndexError(() -> kind.get(v, -1), -1);
    assertIndexError(() -> kind.get(v, Long.MAX_VALUE), Long.MAX_VALUE);
    assertIndexError(() -> kind.get(v, Long.MIN_VALUE), Long.MIN_VALUE);
    assertIndexError(() -> kind.set(v, 3, value(9)), 3);
    assertIndexError(() -> kind.set(v, -1, value(9)), -1);
    assertIndexError(() -> kind.removeAt(v, 3), 3);
    assertIndexError(() -> kind.removeAt(v, -1), -1);
    assertIndexError(() -> kind.swapRemoveAt(v, 3), 3);
    assertIndexError(() -> kind.swapRemoveAt(v, -1), -1);
    assertIndexError(() -> kind.insertAt(v, 4, value(9)), 4);
    assertIndexError(() -> kind.insertAt(v, -1, value(9)), -1);
    assertThat(contents(v)).isEqualTo(kind.values(0, 3));
  }

  @Test
  void getOnEmptyVectorThrowsIndexOutOfBounds() throws IOException {
    V v = open();
    assertIndexError(() -> kind.get(v, 0), 0);
  }

  // ------------------------------------------------------------------ insertAt

  @Test
  void insertAtZeroShiftsEverythingUp() throws IOException {
    V v = filled(3);
    kind.insertAt(v, 0, value(100));
    assertThat(contents(v)).containsExactly(value(100), value(0), value(1), value(2));
  }

  @Test
  void insertAtMiddleShiftsTailUp() throws IOException {
    V v = filled(4);
    kind.insertAt(v, 2, value(100));
    assertThat(contents(v)).containsExactly(value(0), value(1), value(100), value(2), value(3));
  }

  @Test
  void insertAtSizeAppends() throws IOException {
    V v = filled(3);
    kind.insertAt(v, 3, value(100));
    assertThat(contents(v)).containsExactly(value(0), value(1), value(2), value(100));
  }

  @Test
  void insertAtIntoEmptyVectorAddsTheElement() throws IOException {
    V v = open();
    kind.insertAt(v, 0, value(7));
    assertThat(contents(v)).containsExactly(value(7));
  }

  @Test
  void insertAtGrowsTheFileWhenCapacityIsExhausted() throws IOException {
    V v = open();
    while (v.size() < v.capacity() || v.size() < 10) {
      kind.add(v, v.size() % 200);
    }
    List<Object> expected = kind.toList(v);
    long capacity = v.capacity();
    kind.insertAt(v, 1, value(250));
    expected.add(1, value(250));
    assertThat(v.capacity()).isGreaterThan(capacity);
    assertThat(contents(v)).isEqualTo(expected);
  }

  // ------------------------------------------------------------------ removals

  @Test
  void removeAtShiftsTailDownAndReturnsTheElement() throws IOException {
    V v = filled(5);
    assertThat(kind.removeAt(v, 0)).isEqualTo(value(0));
    assertThat(contents(v)).containsExactly(value(1), value(2), value(3), value(4));
    assertThat(kind.removeAt(v, 1)).isEqualTo(value(2));
    assertThat(contents(v)).containsExactly(value(1), value(3), value(4));
    assertThat(kind.removeAt(v, 2)).isEqualTo(value(4));
    assertThat(contents(v)).containsExactly(value(1), value(3));
    assertThat(v.size()).isEqualTo(2);
  }

  @Test
  void swapRemoveAtMiddleMovesLastElementIntoTheHole() throws IOException {
    V v = filled(5);
    assertThat(kind.swapRemoveAt(v, 1)).isEqualTo(value(1));
    assertThat(contents(v)).containsExactly(value(0), value(4), value(2), value(3));
  }

  @Test
  void swapRemoveAtLastJustRemovesIt() throws IOException {
    V v = filled(5);
    assertThat(kind.swapRemoveAt(v, 4)).isEqualTo(value(4));
    assertThat(contents(v)).containsExactly(value(0), value(1), value(2), value(3));
  }

  @Test
  void swapRemoveAtOnlyElementEmptiesTheVector() throws IOException {
    V v = filled(1);
    assertThat(kind.swapRemoveAt(v, 0)).isEqualTo(value(0));
    assertThat(v.isEmpty()).isTrue();
  }

  @Test
  void removeLastReturnsAndRemovesTheLastElement() throws IOException {
    V v = filled(3);
    assertThat(kind.removeLast(v)).isEqualTo(value(2));
    assertThat(contents(v)).containsExactly(value(0), value(1));
    assertThat(kind.removeLast(v)).isEqualTo(value(1));
    assertThat(kind.removeLast(v)).isEqualTo(value(0));
    assertThat(v.isEmpty()).isTrue();
  }

  @Test
  void removeLastOnEmptyVectorThrowsNoSuchElement() throws IOException {
    V v = open();
    assertThatThrownBy(() -> kind.removeLast(v)).isInstanceOf(NoSuchElementException.class);
    kind.add(v, 0);
    v.clear();
    assertThatThrownBy(() -> kind.removeLast(v)).isInstanceOf(NoSuchElementException.class);
    assertThat(v.size()).isZero();
  }

  // ------------------------------------------------------------------ truncate, clear

  @Test
  void truncateToSmallerSizeDropsTheTailAndKeepsCapacity() throws IOException {
    V v = filled(10);
    long capacity = v.capacity();
    v.truncate(4);
    assertThat(contents(v)).isEqualTo(kind.values(0, 4));
    assertThat(v.capacity()).isEqualTo(capacity);
  }

  @Test
  void truncateToTheSameSizeChangesNothing() throws IOException {
    V v = filled(10);
    v.truncate(10);
    assertThat(contents(v)).isEqualTo(kind.values(0, 10));
  }

  @Test
  void truncateToLargerSizeIsANoOp() throws IOException {
    V v = filled(10);
    long capacity = v.capacity();
    v.truncate(11);
    v.truncate(capacity + 1000);
    assertThat(contents(v)).isEqualTo(kind.values(0, 10));
    assertThat(v.capacity()).isEqualTo(capacity);
  }

  @Test
  void truncateToNegativeSizeThrowsIllegalArgument() throws IOException {
    V v = filled(3);
    assertThatThrownBy(() -> v.truncate(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> v.truncate(Long.MIN_VALUE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(contents(v)).isEqualTo(kind.values(0, 3));
  }

  @Test
  void clearEmptiesTheVectorAndKeepsCapacity() throws IOException {
    V v = filled(10);
    long capacity = v.capacity();
    v.clear();
    assertThat(v.size()).isZero();
    assertThat(v.isEmpty()).isTrue();
    assertThat(v.capacity()).isEqualTo(capacity);
    kind.add(v, 42);
    assertThat(contents(v)).containsExactly(value(42));
  }

  // ------------------------------------------------------------------ resize

  @Test
  void resizeToSmallerSizeDropsTheTail() throws IOException {
    V v = filled(10);
    kind.resize(v, 4, fill());
    assertThat(contents(v)).isEqualTo(kind.values(0, 4));
  }

  @Test
  void resizeToLargerSizeAppendsFill() throws IOException {
    V v = filled(3);
    kind.resize(v, 7, fill());
    assertThat(contents(v)).isEqualTo(concat(kind.values(0, 3), Collections.nCopies(4, fill())));
  }

  @Test
  void resizeToTheSameSizeChangesNothing() throws IOException {
    V v = filled(3);
    kind.resize(v, 3, fill());
    assertThat(contents(v)).isEqualTo(kind.values(0, 3));
  }

  @Test
  void resizeAfterTruncateFillsInsteadOfExposingOldElements() throws IOException {
    V v = filled(10);
    v.truncate(2);
    kind.resize(v, 8, fill());
    assertThat(contents(v)).isEqualTo(concat(kind.values(0, 2), Collections.nCopies(6, fill())));

    kind.removeLast(v);
    kind.removeLast(v);
    kind.resize(v, 10, value(200));
    assertThat(contents(v).subList(6, 10)).containsOnly(value(200));
  }

  @Test
  void resizeAfterTruncateAndReopenFillsInsteadOfExposingOldElements() throws IOException {
    V v = filled(10);
    v.truncate(2);
    v.close();
    V w = open();
    kind.resize(w, 10, fill());
    assertThat(contents(w)).isEqualTo(concat(kind.values(0, 2), Collections.nCopies(8, fill())));
  }

  @Test
  void resizeGrowsTheFileAcrossManyPages() throws IOException {
    V v = filled(3);
    int n = 3 * (int) (backend.pageSize() / kind.elementSize()) + 17;
    kind.resize(v, n, fill());
    assertThat(v.capacity()).isGreaterThanOrEqualTo(n);
    List<Object> all = contents(v);
    assertThat(all.subList(0, 3)).isEqualTo(kind.values(0, 3));
    assertThat(all.subList(3, n)).hasSize(n - 3).containsOnly(fill());
  }

  @Test
  void resizeToNegativeSizeThrowsIllegalArgument() throws IOException {
    V v = filled(3);
    assertThatThrownBy(() -> kind.resize(v, -1, fill()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(contents(v)).isEqualTo(kind.values(0, 3));
  }

  // ------------------------------------------------------------------ reserve, shrinkToFit

  @Test
  void reserveGrowsCapacityButNotSize() throws IOException {
    V v = filled(5);
    v.reserve(100_000);
    assertThat(v.capacity()).isGreaterThanOrEqualTo(100_005);
    assertThat(v.size()).isEqualTo(5);
    assertThat(contents(v)).isEqualTo(kind.values(0, 5));
    long capacity = v.capacity();
    v.reserve(10);
    assertThat(v.capacity()).as("reserve within capacity").isEqualTo(capacity);
  }

  @Test
  void shrinkToFitShrinksCapacityKeepsDataAndSurvivesReopen() throws IOException {
    V v = filled(10);
    v.reserve(200_000);
    long big = v.capacity();
    long bigFile = Files.size(path);

    v.shrinkToFit();

    long small = v.capacity();
    long pageElements = backend.pageSize() / kind.elementSize();
    assertThat(small).isLessThan(big).isBetween(10L, pageElements);
    assertThat(Files.size(path)).isLessThan(bigFile);
    assertThat(contents(v)).isEqualTo(kind.values(0, 10));
    v.close();

    V w = open();
    assertThat(w.capacity()).isEqualTo(small);
    assertThat(contents(w)).isEqualTo(kind.values(0, 10));
    for (int i = 10; i < pageElements + 20; i++) {
      kind.add(w, i % 250);
    }
    assertThat(w.size()).isEqualTo(pageElements + 20);
    assertThat(kind.get(w, 9)).isEqualTo(value(9));
  }

  @Test
  void shrinkToFitOfEmptyVectorLeavesAUsableVector() throws IOException {
    V v = open();
    v.reserve(50_000);
    v.shrinkToFit();
    assertThat(v.size()).isZero();
    assertThat(v.capacity()).isLessThan(50_000);
    kind.addSeeds(v, 20);
    v.close();
    assertThat(contents(open())).isEqualTo(kind.values(0, 20));
  }

  // ------------------------------------------------------------------ bulk copies

  @Test
  void addAllAppendsInOrder() throws IOException {
    V v = filled(2);
    kind.addAll(v, kind.values(2, 7));
    assertThat(contents(v)).isEqualTo(kind.values(0, 7));
    kind.addAll(v, List.of());
    assertThat(contents(v)).isEqualTo(kind.values(0, 7));
  }

  @Test
  void addAllGrowsTheFileAcrossManyPages() throws IOException {
    V v = filled(1);
    int n = 5 * (int) (backend.pageSize() / kind.elementSize()) + 3;
    List<Object> more = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      more.add(value(i % 250));
    }
    kind.addAll(v, more);
    assertThat(contents(v)).isEqualTo(concat(List.of(value(0)), more));
  }

  @Test
  void copyToCopiesARangeIntoTheArray() throws IOException {
    V v = filled(10);
    List<Object> expected = new ArrayList<>(Collections.nCopies(8, zero()));
    for (int i = 0; i < 5; i++) {
      expected.set(2 + i, value(3 + i));
    }
    assertThat(kind.copyTo(v, 3, 8, 2, 5)).isEqualTo(expected);
    assertThat(kind.copyTo(v, 0, 10, 0, 10)).isEqualTo(kind.values(0, 10));
    assertThat(kind.copyTo(v, 10, 2, 2, 0)).containsOnly(zero());
  }

  @Test
  void copyToRejectsRangesOutOfBounds() throws IOException {
    V v = filled(10);
    assertThatThrownBy(() -> kind.copyTo(v, 8, 5, 0, 3))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining(path.toString());
    assertThatThrownBy(() -> kind.copyTo(v, -1, 5, 0, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kind.copyTo(v, 11, 5, 0, 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kind.copyTo(v, 0, 5, 3, 3))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kind.copyTo(v, 0, 5, -1, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kind.copyTo(v, 0, 5, 0, -1))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void copyFromOverwritesARange() throws IOException {
    V v = filled(10);
    kind.copyFrom(v, 4, kind.values(100, 105), 1, 3);
    List<Object> expected = kind.values(0, 10);
    expected.set(4, value(101));
    expected.set(5, value(102));
    expected.set(6, value(103));
    assertThat(contents(v)).isEqualTo(expected);
    kind.copyFrom(v, 10, kind.values(100, 105), 0, 0);
    assertThat(contents(v)).isEqualTo(expected);
  }

  @Test
  void copyFromRejectsRangesOutOfBoundsAndNeverGrows() throws IOException {
    V v = filled(10);
    List<Object> src = kind.values(100, 105);
    assertThatThrownBy(() -> kind.copyFrom(v, 8, src, 0, 3))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining(path.toString());
    assertThatThrownBy(() -> kind.copyFrom(v, 10, src, 0, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kind.copyFrom(v, -1, src, 0, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kind.copyFrom(v, 0, src, 3, 3))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kind.copyFrom(v, 0, src, -1, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kind.copyFrom(v, 0, src, 0, -1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(contents(v)).isEqualTo(kind.values(0, 10));
  }

  // ------------------------------------------------------------------ reading it all

  @Test
  void toArrayReturnsTheElementsInOrder() throws IOException {
    V v = open();
    assertThat(kind.toList(v)).isEmpty();
    kind.addSeeds(v, 6);
    assertThat(VecKind.list(kind.toArray(v))).isEqualTo(kind.values(0, 6));
  }

  @Test
  void streamYieldsTheElementsInOrder() throws IOException {
    V v = open();
    assertThat(kind.streamed(v)).isEmpty();
    kind.addSeeds(v, 6);
    assertThat(kind.streamed(v)).isEqualTo(kind.values(0, 6).stream().map(kind::widen).toList());
  }

  @Test
  void iteratorYieldsTheElementsInOrderThenThrowsNoSuchElement() throws IOException {
    V v = filled(6);
    assertThat(kind.iterated(v)).isEqualTo(kind.values(0, 6).stream().map(kind::widen).toList());
    PrimitiveIterator<?, ?> it = kind.iterator(v);
    for (int i = 0; i < 6; i++) {
      assertThat(it.hasNext()).isTrue();
      it.next();
    }
    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void forEachVisitsTheElementsInOrder() throws IOException {
    V v = open();
    assertThat(kind.forEached(v)).isEmpty();
    kind.addSeeds(v, 6);
    assertThat(kind.forEached(v)).isEqualTo(kind.values(0, 6).stream().map(kind::widen).toList());
  }

  // ------------------------------------------------------------------ asSegment

  @Test
  void asSegmentIsAZeroCopyViewWhoseWritesPersist() throws IOException {
    V v = filled(10);
    MemorySegment s = v.asSegment();
    assertThat(s.byteSize()).isEqualTo(10 * kind.elementSize());
    assertThat(s.isReadOnly()).isFalse();
    for (int i = 0; i < 10; i++) {
      assertThat(kind.getFrom(s, i)).isEqualTo(value(i));
    }
    kind.putInto(s, 4, value(100));
    assertThat(kind.get(v, 4)).as("write through the view, read with get").isEqualTo(value(100));
    kind.set(v, 5, value(101));
    assertThat(kind.getFrom(s, 5))
        .as("write with set, read through the view")
        .isEqualTo(value(101));

    v.sync();
    kind.putInto(s, 6, value(102));
    v.close();

    V w = open();
    List<Object> expected = kind.values(0, 10);
    expected.set(4, value(100));
    expected.set(5, value(101));
    expected.set(6, value(102));
    assertThat(contents(w)).isEqualTo(expected);
  }

  @Test
  void asSegmentOfEmptyVectorIsEmpty() throws IOException {
    assertThat(open().asSegment().byteSize()).isZero();
  }

  @Test
  void asSegmentOfReadOnlyVectorRejectsWrites() throws IOException {
    filled(3).close();
    V r = open(READ_ONLY);
    MemorySegment s = r.asSegment();
    assertThat(s.isReadOnly()).isTrue();
    assertThat(kind.getFrom(s, 2)).isEqualTo(value(2));
    // Since JDK 22 a write to a read-only segment throws IllegalArgumentException (it was
    // UnsupportedOperationException in the previews); what matters is that it never reaches the
    // PROT_READ mapping, where it would crash the JVM.
    assertThatThrownBy(() -> kind.putInto(s, 0, value(9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("read-only");
    assertThat(contents(r)).isEqualTo(kind.values(0, 3));
  }

  @Test
  void asSegmentUsedAfterCloseThrowsIllegalState() throws IOException {
    V v = filled(3);
    MemorySegment s = v.asSegment();
    v.close();
    assertThatThrownBy(() -> kind.getFrom(s, 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> kind.putInto(s, 0, value(9)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void asSegmentUsedAfterShrinkToFitThrowsIllegalStateNeverCrashes() throws IOException {
    V v = filled(10);
    v.reserve(100_000);
    MemorySegment s = v.asSegment();
    v.shrinkToFit();
    // The old view covered pages the shrink cut off the file: touching them would be SIGBUS.
    assertThatThrownBy(() -> kind.getFrom(s, 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> kind.putInto(s, 0, value(9)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(contents(v)).isEqualTo(kind.values(0, 10));
    assertThat(kind.getFrom(v.asSegment(), 9)).isEqualTo(value(9));
  }

  @Test
  void asSegmentEitherStaysValidAcrossGrowthOrThrowsIllegalState() throws IOException {
    V v = filled(10);
    MemorySegment s = v.asSegment();
    v.reserve(1_000_000); // beyond the first page: the channel backend remaps
    kind.set(v, 3, value(100));
    if (backend.reservesAddressSpace()) {
      // Growth within the address reservation keeps the mapping, and so the view.
      assertThat(kind.getFrom(s, 3)).isEqualTo(value(100));
    } else {
      assertThatThrownBy(() -> kind.getFrom(s, 3)).isInstanceOf(IllegalStateException.class);
    }
    assertThat(kind.getFrom(v.asSegment(), 3)).isEqualTo(value(100));
  }

  // ------------------------------------------------------------------ read-only

  @Test
  void readOnlyOpenReadsTheDataAndRejectsEveryMutator() throws IOException {
    V w = filled(5);
    w.reserve(1000);
    w.close();
    V r = open(READ_ONLY);
    assertThat(contents(r)).isEqualTo(kind.values(0, 5));
    assertThat(r.options().readOnly()).isTrue();

    assertEveryMutatorThrowsUnsupportedOperation(r);

    assertThatCode(r::sync)
        .as("sync of a read-only vector does nothing")
        .doesNotThrowAnyException();
    assertThat(contents(r)).isEqualTo(kind.values(0, 5));
    r.close();
    assertThat(contents(open(READ_ONLY))).isEqualTo(kind.values(0, 5));
  }

  /** Calls every mutator on a read-only vector; each must throw UnsupportedOperationException. */
  private void assertEveryMutatorThrowsUnsupportedOperation(V r) {
    long size = r.size();
    Map<String, ThrowingCallable> mutators = new LinkedHashMap<>();
    mutators.put("add", () -> kind.add(r, 9));
    mutators.put("addAll", () -> kind.addAll(r, kind.values(9, 11)));
    mutators.put("addAll(empty array)", () -> kind.addAll(r, List.of()));
    mutators.put("set", () -> kind.set(r, 0, value(9)));
    mutators.put("insertAt(0)", () -> kind.insertAt(r, 0, value(9)));
    mutators.put("insertAt(size)", () -> kind.insertAt(r, size, value(9)));
    mutators.put("removeAt", () -> kind.removeAt(r, 0));
    mutators.put("swapRemoveAt", () -> kind.swapRemoveAt(r, 0));
    mutators.put("removeLast", () -> kind.removeLast(r));
    mutators.put("truncate", () -> r.truncate(0));
    mutators.put("resize(smaller or same)", () -> kind.resize(r, 0, fill()));
    mutators.put("resize(larger)", () -> kind.resize(r, size + 10, fill()));
    mutators.put("reserve", () -> r.reserve(10));
    mutators.put("shrinkToFit", r::shrinkToFit);
    mutators.put("clear", r::clear);
    mutators.put("copyFrom", () -> kind.copyFrom(r, 0, kind.values(9, 10), 0, 1));
    mutators.put("copyFrom(length 0)", () -> kind.copyFrom(r, 0, kind.values(9, 10), 0, 0));
    SoftAssertions softly = new SoftAssertions();
    mutators.forEach(
        (name, call) ->
            softly
                .assertThatThrownBy(call)
                .as(name + " on a read-only vector of " + size + " elements")
                .isInstanceOf(UnsupportedOperationException.class));
    softly.assertAll();
  }

  @Test
  void readOnlyOpenOfEmptyVectorRejectsEveryMutator() throws IOException {
    open().close();
    V r = open(READ_ONLY);
    assertThat(r.isEmpty()).isTrue();
    assertEveryMutatorThrowsUnsupportedOperation(r);
    assertThat(r.size()).isZero();
  }

  @Test
  void readOnlyOpenOfMissingFileThrowsNoSuchFileAndCreatesNothing() throws IOException {
    assertThatThrownBy(() -> open(READ_ONLY)).isInstanceOf(NoSuchFileException.class);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  // ------------------------------------------------------------------ persistence

  @Test
  void dataSurvivesCloseAndReopen() throws IOException {
    V v = filled(100);
    kind.set(v, 3, value(200));
    kind.insertAt(v, 0, value(201));
    kind.removeAt(v, 50);
    v.truncate(90);
    List<Object> expected = contents(v);
    v.close();

    V w = open();
    assertThat(w.size()).isEqualTo(90);
    assertThat(contents(w)).isEqualTo(expected);
    assertThat(kind.gotten(w)).isEqualTo(expected);
  }

  @Test
  void growthAcrossManyPagesSurvivesReopen() throws IOException {
    int n = 1_000_000;
    V v = open();
    long initialCapacity = v.capacity();
    for (int i = 0; i < n; i++) {
      kind.add(v, i);
    }
    assertThat(v.size()).isEqualTo(n);
    assertThat(v.capacity()).isGreaterThanOrEqualTo(n).isGreaterThan(initialCapacity);
    v.close();

    V w = open();
    assertThat(w.size()).isEqualTo(n);
    Object[] all = kind.toList(w).toArray();
    for (int i = 0; i < n; i++) {
      if (!all[i].equals(value(i))) {
        assertThat(all[i]).as("element %d after reopen", i).isEqualTo(value(i));
      }
    }
    assertThat(kind.get(w, n - 1)).isEqualTo(value(n - 1));
  }

  @Test
  void magicAndDataVersionRoundTripThroughReopen() throws IOException {
    V v = open(TICKS);
    kind.add(v, 1);
    assertThat(v.options()).isEqualTo(TICKS);
    v.close();

    Header header = readHeader();
    assertThat(header.identity().magic()).isEqualTo("TICKDATA");
    assertThat(header.identity().dataVersion()).isEqualTo(new DataVersion(1, 2, 3));
    assertThat(header.identity().layout().type().javaName()).isEqualTo(kind.name());
    assertThat(header.size()).isEqualTo(1);

    V w = open(TICKS);
    assertThat(w.options().magic()).isEqualTo("TICKDATA");
    assertThat(w.options().dataVersion()).isEqualTo(new DataVersion(1, 2, 3));
    assertThat(contents(w)).containsExactly(value(1));
  }

  @Test
  void reopenWithOtherMagicThrowsMagicMismatchNamingBothAndTheFile() throws IOException {
    open(TICKS).close();
    byte[] before = Files.readAllBytes(path);

    assertThatThrownBy(() -> open(TICKS.withMagic("QUOTEDAT")))
        .isInstanceOfSatisfying(
            VecFormatException.class,
            e -> assertThat(e.reason()).isEqualTo(VecFormatException.Reason.MAGIC_MISMATCH))
        .hasMessageContaining("TICKDATA")
        .hasMessageContaining("QUOTEDAT")
        .hasMessageContaining(path.toString());

    assertThat(Files.readAllBytes(path)).as("file left as it was").isEqualTo(before);
    assertThatCode(() -> open(TICKS).close()).doesNotThrowAnyException();
  }

  @Test
  void reopenWithOtherDataVersionThrowsDataVersionMismatchNamingBothAndTheFile()
      throws IOException {
    open(TICKS).close();
    byte[] before = Files.readAllBytes(path);

    for (VecOptions other :
        List.of(
            TICKS.withDataVersion(1, 2, 4),
            TICKS.withDataVersion(2, 2, 3),
            TICKS.withDataVersion(1, 0, 3),
            TICKS.withReadOnly(true).withDataVersion(1, 2, 4))) {
      assertThatThrownBy(() -> open(other))
          .isInstanceOfSatisfying(
              VecFormatException.class,
              e ->
                  assertThat(e.reason()).isEqualTo(VecFormatException.Reason.DATA_VERSION_MISMATCH))
          .hasMessageContaining("1.2.3")
          .hasMessageContaining(other.dataVersion().toString())
          .hasMessageContaining(path.toString());
    }

    assertThat(Files.readAllBytes(path)).as("file left as it was").isEqualTo(before);
    assertThatCode(() -> open(TICKS).close()).doesNotThrowAnyException();
  }

  @Test
  void reopenAsOtherElementTypeThrowsElementTypeMismatchNamingBothAndTheFile() throws IOException {
    filled(3).close();
    byte[] before = Files.readAllBytes(path);
    // long and double have the same size: the type itself must be checked, not just the size.
    VecKind<?> other = kind == VecKind.LONG ? VecKind.DOUBLE : VecKind.LONG;

    assertThatThrownBy(() -> track(other.open(path, VecOptions.defaults(), backend)))
        .isInstanceOfSatisfying(
            VecFormatException.class,
            e -> assertThat(e.reason()).isEqualTo(VecFormatException.Reason.ELEMENT_TYPE_MISMATCH))
        .hasMessageContaining(kind.name())
        .hasMessageContaining(other.name())
        .hasMessageContaining(path.toString());

    assertThat(Files.readAllBytes(path)).as("file left as it was").isEqualTo(before);
    assertThat(contents(open())).isEqualTo(kind.values(0, 3));
  }

  // ------------------------------------------------------------------ one open per JVM

  @Test
  void secondWriterInThisJvmIsRefusedThroughPathSymlinkAndHardLink() throws IOException {
    V v = filled(3);
    v.sync();
    Path symlink = Files.createSymbolicLink(dir.resolve("symlink.vec"), path);
    Path hardLink = Files.createLink(dir.resolve("hardlink.vec"), path);

    for (Path p : List.of(path, symlink, hardLink, path)) {
      assertThatThrownBy(() -> track(kind.open(p, VecOptions.defaults(), backend)))
          .as("second writer through %s", p.getFileName())
          .isInstanceOf(VecLockedException.class)
          .hasMessageContaining(p.toString());
      if (backend.liveReaders()) {
        // A live reader next to the writer, in the same JVM: it shows the committed elements.
        V reader = kind.open(p, READ_ONLY, backend);
        try {
          assertThat(contents(reader)).isEqualTo(kind.values(0, 3));
        } finally {
          reader.close();
        }
      } else {
        assertThatThrownBy(() -> track(kind.open(p, READ_ONLY, backend)))
            .as("fallback reader through %s", p.getFileName())
            .isInstanceOf(VecLockedException.class)
            .hasMessageContaining(p.toString());
      }
    }

    // The refusals took nothing away from the first open.
    kind.add(v, 3);
    v.sync();
    assertThat(contents(v)).isEqualTo(kind.values(0, 4));
  }

  @Test
  void afterCloseTheFileCanBeOpenedAgainUnderAnyName() throws IOException {
    Path hardLink = dir.resolve("hardlink.vec");
    V v = filled(3);
    Files.createLink(hardLink, path);
    assertThatThrownBy(() -> track(kind.open(hardLink, VecOptions.defaults(), backend)))
        .isInstanceOf(VecLockedException.class);
    v.close();

    V viaLink = track(kind.open(hardLink, VecOptions.defaults(), backend));
    assertThat(contents(viaLink)).isEqualTo(kind.values(0, 3));
    viaLink.close();

    V again = open();
    assertThat(contents(again)).isEqualTo(kind.values(0, 3));
    again.close();
    open(READ_ONLY).close();
    open(READ_ONLY).close();
    assertThat(contents(open())).isEqualTo(kind.values(0, 3));
  }

  @Test
  void closeIsIdempotent() throws IOException {
    V v = filled(3);
    v.close();
    assertThatCode(v::close).doesNotThrowAnyException();
    assertThatCode(v::close).doesNotThrowAnyException();
    assertThat(contents(open())).isEqualTo(kind.values(0, 3));
  }
}
