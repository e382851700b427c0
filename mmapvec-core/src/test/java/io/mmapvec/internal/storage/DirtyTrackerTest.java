package io.mmapvec.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The dirty-range tracker on its own: which elements a commit of a given size must flush. */
class DirtyTrackerTest {

  /** {@return [from, to) as the tracker says a commit of {@code size} must flush, or "none"} */
  private static String range(DirtyTracker t, long size) {
    long from = t.flushFrom(size);
    long to = t.flushTo(size);
    return to > from ? "[" + from + ", " + to + ")" : "none";
  }

  @Test
  void nothingChangedFlushesNothing() {
    DirtyTracker t = new DirtyTracker(10);
    assertThat(range(t, 10)).isEqualTo("none");
  }

  @Test
  void appendsFlushFromTheOldSize() {
    DirtyTracker t = new DirtyTracker(10);
    assertThat(range(t, 15)).isEqualTo("[10, 15)");
  }

  @Test
  void inPlaceWritesWidenOneRange() {
    DirtyTracker t = new DirtyTracker(100);
    t.markIndex(40);
    t.markIndex(7);
    t.mark(50, 60);
    assertThat(range(t, 100)).isEqualTo("[7, 60)");
  }

  @Test
  void writesAndAppendsTogetherSpanBoth() {
    DirtyTracker t = new DirtyTracker(100);
    t.markIndex(3);
    assertThat(range(t, 120)).isEqualTo("[3, 120)");
  }

  @Test
  void aShrinkThenRegrowFlushesFromTheSmallestSize() {
    DirtyTracker t = new DirtyTracker(100);
    t.sizeDropped(20);
    t.sizeDropped(50); // not smaller: ignored
    assertThat(range(t, 30)).isEqualTo("[20, 30)");
  }

  @Test
  void aShrinkAloneFlushesNothingButItsWrites() {
    DirtyTracker t = new DirtyTracker(100);
    t.sizeDropped(40);
    assertThat(range(t, 40)).isEqualTo("none");
    t.markIndex(45); // written, then cut off again by the smaller size
    assertThat(range(t, 40)).isEqualTo("none");
  }

  @Test
  void theRangeNeverPassesTheSize() {
    DirtyTracker t = new DirtyTracker(100);
    t.mark(90, 100);
    t.sizeDropped(95);
    assertThat(range(t, 95)).isEqualTo("[90, 95)");
  }

  @Test
  void aCommitStartsAfresh() {
    DirtyTracker t = new DirtyTracker(10);
    t.markIndex(2);
    assertThat(range(t, 12)).isEqualTo("[2, 12)");
    t.committed(12);
    assertThat(range(t, 12)).isEqualTo("none");
    assertThat(range(t, 13)).isEqualTo("[12, 13)");
  }

  @Test
  void aHandedOutViewFlushesEverythingForGood() {
    DirtyTracker t = new DirtyTracker(10);
    t.viewHandedOut();
    assertThat(t.viewsOut()).isTrue();
    assertThat(range(t, 10)).isEqualTo("[0, 10)");
    t.committed(10);
    assertThat(range(t, 10)).isEqualTo("[0, 10)");
  }
}
