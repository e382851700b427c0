package io.mmapvec.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.internal.format.HeaderFormat;
import org.junit.jupiter.api.Test;

/** The growth policy on its own: pure functions of the sizes, checked at their edges. */
class GrowthPolicyTest {
  private static final long PAGE = 4096;
  private static final long HEAD = HeaderFormat.DATA_OFFSET;

  @Test
  void aNewFileIsTheHeaderAndOnePage() {
    assertThat(GrowthPolicy.newFileBytes(PAGE)).isEqualTo(HEAD + PAGE);
    assertThat(GrowthPolicy.capacityOf(HEAD + PAGE, 8)).isEqualTo(PAGE / 8);
    assertThat(GrowthPolicy.capacityOf(HEAD + PAGE, 24)).isEqualTo(PAGE / 24);
  }

  @Test
  void fileSizesAreWholePagesOfElements() {
    assertThat(GrowthPolicy.fileBytesFor(0, 8, PAGE)).isEqualTo(HEAD);
    assertThat(GrowthPolicy.fileBytesFor(1, 8, PAGE)).isEqualTo(HEAD + PAGE);
    assertThat(GrowthPolicy.fileBytesFor(512, 8, PAGE)).isEqualTo(HEAD + PAGE);
    assertThat(GrowthPolicy.fileBytesFor(513, 8, PAGE)).isEqualTo(HEAD + 2 * PAGE);
    assertThat(GrowthPolicy.roundUpToPage(PAGE + 1, PAGE)).isEqualTo(2 * PAGE);
    assertThat(GrowthPolicy.roundDownToPage(PAGE + 1, PAGE)).isEqualTo(PAGE);
  }

  @Test
  void appendsPrefaultASixteenthOfTheDataAheadWithinBoundsAndTheFile() {
    long big = HEAD + (1L << 40);
    // Small data: at least the minimum window beyond the needed elements, rounded to a page.
    assertThat(GrowthPolicy.prefaultEnd(1, 8, PAGE, big))
        .isEqualTo(GrowthPolicy.roundUpToPage(HEAD + 8 + GrowthPolicy.MIN_PREFAULT_AHEAD, PAGE));
    // 64 MiB of data: a sixteenth (4 MiB) beyond it.
    long n = (64L << 20) / 8;
    assertThat(GrowthPolicy.prefaultEnd(n, 8, PAGE, big))
        .isEqualTo(GrowthPolicy.roundUpToPage(HEAD + (64L << 20) + (4L << 20), PAGE));
    // 1 GiB of data: capped at the maximum window.
    n = (1L << 30) / 8;
    assertThat(GrowthPolicy.prefaultEnd(n, 8, PAGE, big))
        .isEqualTo(HEAD + (1L << 30) + GrowthPolicy.MAX_PREFAULT_AHEAD);
    // Never beyond the allocated file.
    assertThat(GrowthPolicy.prefaultEnd(n, 8, PAGE, HEAD + (1L << 30)))
        .isEqualTo(HEAD + (1L << 30));
  }

  @Test
  void smallFilesDoubleByAtLeastAPage() {
    long capacity = PAGE / 8;
    long grown = GrowthPolicy.grownFileBytes(capacity, capacity + 1, 8, PAGE);
    assertThat(GrowthPolicy.capacityOf(grown, 8)).isEqualTo(2 * capacity);
    // An empty file still grows by a whole page.
    assertThat(GrowthPolicy.grownFileBytes(0, 1, 8, PAGE)).isEqualTo(HEAD + PAGE);
  }

  @Test
  void largeFilesGrowByAnEighthButAtLeastTheLinearStep() {
    long linear = GrowthPolicy.LINEAR_GROWTH_BYTES;
    long capacity = 16 * linear / 8; // 16 GiB of longs
    long grown = GrowthPolicy.grownFileBytes(capacity, capacity + 1, 8, PAGE);
    assertThat(GrowthPolicy.capacityOf(grown, 8)).isEqualTo(capacity + capacity / 8);
    long justLinear = linear / 8; // exactly the threshold: the step is the linear step
    long grownAtThreshold = GrowthPolicy.grownFileBytes(justLinear, justLinear + 1, 8, PAGE);
    assertThat(GrowthPolicy.capacityOf(grownAtThreshold, 8)).isEqualTo(justLinear + linear / 8);
  }

  @Test
  void aLargeRequestIsMetInOneStep() {
    long grown = GrowthPolicy.grownFileBytes(512, 1_000_000, 8, PAGE);
    assertThat(GrowthPolicy.capacityOf(grown, 8)).isGreaterThanOrEqualTo(1_000_000);
    assertThat(grown - HEAD).isEqualTo(GrowthPolicy.roundUpToPage(1_000_000 * 8, PAGE));
  }

  @Test
  void growthStopsAtTheMaximumCapacity() {
    long max = GrowthPolicy.maxCapacity(8);
    assertThat(HEAD + max * 8).isPositive();
    long nearMax = max - 10;
    long grown = GrowthPolicy.grownFileBytes(nearMax, nearMax + 1, 8, PAGE);
    assertThat(GrowthPolicy.capacityOf(grown, 8)).isBetween(nearMax + 1, max + PAGE / 8);
    assertThat(grown).isPositive();
  }

  @Test
  void reservationsArePowersOfTwoAtLeastTwiceTheFile() {
    assertThat(GrowthPolicy.reservationFor(HEAD + PAGE)).isEqualTo(GrowthPolicy.MIN_RESERVATION);
    long big = 3L << 30;
    long r = GrowthPolicy.reservationFor(big);
    assertThat(Long.bitCount(r)).isEqualTo(1);
    assertThat(r).isGreaterThanOrEqualTo(2 * big).isLessThan(4 * big);
  }
}
