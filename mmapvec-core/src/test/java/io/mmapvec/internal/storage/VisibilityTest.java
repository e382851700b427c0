package io.mmapvec.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.mmapvec.internal.format.CommitSlot;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.format.LiveHeader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The visibility gate's decisions, on header bytes built by hand and a scripted gate. */
class VisibilityTest {
  private final Arena arena = Arena.ofConfined();
  private final MemorySegment file = arena.allocate(LiveHeader.PUBLISHED_SEQUENCE_OFFSET + 8, 8);

  @AfterEach
  void free() {
    arena.close();
  }

  /** A gate that answers "writer alive?" from a script and records the slot-page syncs. */
  private static final class ScriptedGate implements Visibility.Gate {
    final List<Boolean> alive;
    final List<String> calls = new ArrayList<>();

    ScriptedGate(Boolean... alive) {
      this.alive = new ArrayList<>(List.of(alive));
    }

    @Override
    public boolean writerAlive() {
      calls.add("alive?");
      return alive.size() > 1 ? alive.removeFirst() : alive.getFirst();
    }

    @Override
    public void syncSlotPages() {
      calls.add("msync");
    }
  }

  private void slots(long seq0, long len0, long seq1, long len1, long published) {
    HeaderFormat.encodeSlot(file, 0, new CommitSlot(seq0, len0, 0, seq0));
    HeaderFormat.encodeSlot(file, 1, new CommitSlot(seq1, len1, 0, seq1));
    LiveHeader.publish(file, published);
  }

  @Test
  void aPublishedSlotIsShownWithoutAnySystemCall() throws IOException {
    slots(4, 40, 5, 50, 5);
    ScriptedGate gate = new ScriptedGate(true);
    CommitSlot c = Visibility.choose(file, 0, gate);
    assertThat(c.sequence()).isEqualTo(5);
    assertThat(c.size()).isEqualTo(50);
    assertThat(c.rewrites()).isEqualTo(5);
    assertThat(gate.calls).isEmpty();
  }

  @Test
  void anUnpublishedSlotOfALiveWriterIsNotShownButTheOlderPublishedOneIs() throws IOException {
    slots(4, 40, 5, 50, 4); // slot 1 written, its msync not yet returned
    ScriptedGate gate = new ScriptedGate(true);
    assertThat(Visibility.choose(file, 0, gate).sequence()).isEqualTo(4);
    assertThat(Visibility.choose(file, 4, gate)).as("nothing newer than held").isNull();
    assertThat(gate.calls).doesNotContain("msync");
  }

  @Test
  void nothingIsShownWhileALiveWriterHasPublishedNeitherSlot() throws IOException {
    slots(6, 60, 5, 50, 4); // the writer committed twice since the reader read P
    assertThat(Visibility.choose(file, 0, new ScriptedGate(true))).isNull();
  }

  @Test
  void withNoWriterTheNewestSlotIsMadeDurableThenShown() throws IOException {
    slots(4, 40, 5, 50, 0); // a dead writer's last slot, or a file from before the word existed
    ScriptedGate gate = new ScriptedGate(false);
    assertThat(Visibility.choose(file, 0, gate).sequence()).isEqualTo(5);
    assertThat(gate.calls).containsExactly("alive?", "msync", "alive?");
  }

  @Test
  void aWriterStartingWhileTheReaderSyncsMakesItAskAgain() throws IOException {
    slots(4, 40, 5, 50, 3);
    // No writer, msync, then a writer is there: the next round trusts only the published word.
    ScriptedGate gate = new ScriptedGate(false, true, true);
    assertThat(Visibility.choose(file, 0, gate)).isNull(); // P = 3: neither slot is published
    assertThat(gate.calls).containsExactly("alive?", "msync", "alive?", "alive?");
  }

  @Test
  void aDamagedSlotIsSkippedAndTheOtherShown() throws IOException {
    slots(4, 40, 5, 50, 5);
    file.set(java.lang.foreign.ValueLayout.JAVA_BYTE, HeaderFormat.slotOffset(1) + 9, (byte) 7);
    assertThat(Visibility.choose(file, 0, new ScriptedGate(true)).sequence()).isEqualTo(4);
  }

  @Test
  void theQuickTestSeesOnlySequenceWordsAboveTheHeldOne() {
    slots(4, 40, 5, 50, 5);
    assertThat(Visibility.mayHaveNewer(file, 4)).isTrue();
    assertThat(Visibility.mayHaveNewer(file, 5)).isFalse();
  }
}
