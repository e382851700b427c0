package io.mmapvec.internal.storage;

import io.mmapvec.internal.format.CommitSlot;
import io.mmapvec.internal.format.LiveHeader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The visibility gate of live readers (docs/FORMAT.md, "Live readers"): which commit a reader may
 * show, given the file's header as it is right now. A reader never shows a commit that a power loss
 * could still take back.
 *
 * <ul>
 *   <li>A slot whose sequence is at most the published sequence word is durable: a writer stores
 *       that word only after the slot's msync (and at open only after msyncing the slot pages).
 *   <li>A newer slot is trusted only when no writer holds the writer lock byte: then it is a dead
 *       writer's last slot (or a file written before the word existed), and the reader makes it
 *       durable itself before showing it (its data was made durable before the slot was written).
 * </ul>
 *
 * <p><b>Threads:</b> stateless; the {@link Gate} it is given decides. Public only for the
 * power-loss simulator, which checks the gate against every image a power loss could leave.
 */
public final class Visibility {
  private Visibility() {}

  /** How often a writer may appear while a reader makes a slot durable before it gives up. */
  private static final int ATTEMPTS = 8;

  /** What the gate needs to ask of the file besides its bytes. */
  public interface Gate {
    /**
     * {@return whether a writer holds the writer lock byte right now}
     *
     * @throws IOException if the lock cannot be queried
     */
    boolean writerAlive() throws IOException;

    /**
     * Makes the slot pages durable ({@code msync(MS_SYNC)} of {@code [4096, 12288)}).
     *
     * @throws IOException if the msync fails
     */
    void syncSlotPages() throws IOException;
  }

  /**
   * {@return the newest commit a reader may show, or null if none is newer than {@code held}}
   *
   * @param file the file mapped from offset 0 (at least the header)
   * @param held the sequence the reader shows now (0 if none yet)
   * @param gate liveness and durability of the actual file
   * @throws IOException if asking the gate fails
   */
  public static CommitSlot choose(MemorySegment file, long held, Gate gate) throws IOException {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      long published = LiveHeader.publishedSequence(file); // before the slots
      CommitSlot s0 = LiveHeader.readSlot(file, 0);
      CommitSlot s1 = LiveHeader.readSlot(file, 1);
      CommitSlot newest = newer(s0, s1);
      if (newest == null || newest.sequence() <= held) {
        return null;
      }
      if (newest.sequence() <= published) {
        return newest;
      }
      if (gate.writerAlive()) {
        CommitSlot best = newer(atMost(s0, published), atMost(s1, published));
        return best != null && best.sequence() > held ? best : null;
      }
      gate.syncSlotPages();
      if (!gate.writerAlive()) {
        return newest;
      }
      // A writer started meanwhile: it publishes what it found durable; ask again.
    }
    return null;
  }

  /** {@return the slot with the higher sequence (the first on a tie), or null if both are null} */
  private static CommitSlot newer(CommitSlot a, CommitSlot b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return b.sequence() > a.sequence() ? b : a;
  }

  private static CommitSlot atMost(CommitSlot s, long published) {
    return s != null && s.sequence() <= published ? s : null;
  }

  /**
   * {@return whether a slot newer than {@code held} may exist: the quick test of an unchanged
   * refresh, two acquire loads and no system call}
   *
   * @param file the file mapped from offset 0
   * @param held the sequence the reader shows now
   */
  static boolean mayHaveNewer(MemorySegment file, long held) {
    return LiveHeader.sequenceWord(file, 0) > held || LiveHeader.sequenceWord(file, 1) > held;
  }
}
