package io.mmapvec.internal.storage;

import io.mmapvec.internal.format.CommitSlot;
import io.mmapvec.internal.format.GroupManifestFormat;
import io.mmapvec.internal.format.GroupManifestFormat.Commit;
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
     * Makes the slot pages durable ({@code msync(MS_SYNC)}: {@code [4096, 12288)} of a vector,
     * {@code [4096, 20480)} of a group manifest).
     *
     * @throws IOException if the msync fails
     */
    void syncSlotPages() throws IOException;
  }

  /**
   * The header of one kind of file as the gate reads it: the published word and the two slots. The
   * vector header and the group manifest each have one.
   *
   * @param <S> what a valid slot decodes to
   */
  public interface Slots<S> {
    /** {@return the published sequence word, acquire load; read before the slots} */
    long published();

    /**
     * {@return slot 0 or 1 as a stable, valid read, or null}
     *
     * @param slot 0 or 1
     */
    S read(int slot);

    /**
     * {@return the sequence of a valid slot}
     *
     * @param s a slot {@link #read} returned
     */
    long sequence(S s);
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
    return choose(
        new Slots<CommitSlot>() {
          @Override
          public long published() {
            return LiveHeader.publishedSequence(file);
          }

          @Override
          public CommitSlot read(int slot) {
            return LiveHeader.readSlot(file, slot);
          }

          @Override
          public long sequence(CommitSlot s) {
            return s.sequence();
          }
        },
        held,
        gate);
  }

  /**
   * {@return the newest group commit a reader may show, or null if none is newer than {@code held}}
   *
   * @param manifest the group manifest mapped from offset 0
   * @param held the group sequence the reader shows now (0 if none yet)
   * @param gate liveness and durability of the actual manifest
   * @throws IOException if asking the gate fails
   */
  public static Commit chooseGroupCommit(MemorySegment manifest, long held, Gate gate)
      throws IOException {
    return choose(
        new Slots<Commit>() {
          @Override
          public long published() {
            return GroupManifestFormat.publishedSequence(manifest);
          }

          @Override
          public Commit read(int slot) {
            return GroupManifestFormat.readSlotLive(manifest, slot);
          }

          @Override
          public long sequence(Commit c) {
            return c.sequence();
          }
        },
        held,
        gate);
  }

  /**
   * {@return the newest slot of {@code slots} a reader may show, or null if none is newer than
   * {@code held}} The one implementation of the gate, for vectors and group manifests alike.
   *
   * @param slots the file's published word and slots
   * @param held the sequence the reader shows now (0 if none yet)
   * @param gate liveness and durability of the actual file
   * @param <S> the slot type
   * @throws IOException if asking the gate fails
   */
  public static <S> S choose(Slots<S> slots, long held, Gate gate) throws IOException {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      long published = slots.published(); // before the slots
      S s0 = slots.read(0);
      S s1 = slots.read(1);
      S newest = newer(slots, s0, s1);
      if (newest == null || slots.sequence(newest) <= held) {
        return null;
      }
      if (slots.sequence(newest) <= published) {
        return newest;
      }
      if (gate.writerAlive()) {
        S best = newer(slots, atMost(slots, s0, published), atMost(slots, s1, published));
        return best != null && slots.sequence(best) > held ? best : null;
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
  private static <S> S newer(Slots<S> slots, S a, S b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return slots.sequence(b) > slots.sequence(a) ? b : a;
  }

  private static <S> S atMost(Slots<S> slots, S s, long published) {
    return s != null && slots.sequence(s) <= published ? s : null;
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
