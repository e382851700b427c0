package io.mmapvec;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The in-heap model of a {@link LongVec} under a {@link CrashWorkload}, and the crash contract's
 * checker.
 *
 * <p>It keeps the contents now, the contents at the last sync point, and for every element what it
 * may hold after a crash: the synced value if nothing wrote it since, else any value it held since
 * that sync (the synced one included). The model mirrors the mapped memory, not just the list: a
 * removal shifts the tail down and leaves the old last element's bytes in place, as the vector
 * does, so the values an element "held" are exactly those its bytes held.
 *
 * <p>The contract (docs/DURABILITY.md), as {@link #check} applies it: a recovered vector has the
 * length of the last completed sync, or, if a sync was in progress (or completed but not yet
 * reported), that sync's length; with the last sync's length, every element not written since has
 * its synced value and every other one a value it held since; with the in-progress sync's length
 * (when it differs), every element has exactly that sync's value, because its slot is written only
 * after its data is durable.
 *
 * <p><b>Threads:</b> one thread per instance.
 */
final class CrashModel {
  private long[] cur = new long[64];
  private int size;
  private long[] synced = new long[0];
  private int syncSeq;

  /** Elements written since the last sync. */
  private final BitSet changed = new BitSet();

  /** Every (index, value) written since the last sync, in order. */
  private int[] logIndex = new int[256];

  private long[] logValue = new long[256];
  private int logLength;

  /** Built from the log on demand; null when stale. */
  private Map<Integer, Set<Long>> held;

  /** How a recovered vector relates to the model. */
  enum Outcome {
    /** The length of the last completed sync. */
    OLD,
    /** The length of the in-progress sync, which differs from the last one. */
    NEW,
    /** The last and the in-progress sync have the same length: cannot tell which. */
    SAME
  }

  /** {@return the number of elements now} */
  int size() {
    return size;
  }

  /** {@return the number of the last sync point (0: only the create)} */
  int syncSeq() {
    return syncSeq;
  }

  /** {@return the length committed at the last sync point} */
  int syncedLength() {
    return synced.length;
  }

  /** {@return the contents now} */
  long[] contents() {
    return Arrays.copyOf(cur, size);
  }

  /** {@return the element {@code i} now} */
  long get(int i) {
    if (i >= size) {
      throw new IndexOutOfBoundsException(i + " >= " + size);
    }
    return cur[i];
  }

  /** Records a completed sync point: the contents now become the synced state. */
  void sync() {
    synced = Arrays.copyOf(cur, size);
    changed.clear();
    logLength = 0;
    held = null;
    syncSeq++;
  }

  // --------------------------------------------------------------------- operations, as LongVec's

  void add(long v) {
    put(size, v);
    size++;
  }

  void addAll(long[] vs) {
    for (long v : vs) {
      add(v);
    }
  }

  void set(int i, long v) {
    checkIndex(i);
    put(i, v);
  }

  void copyFrom(int to, long[] src, int offset, int count) {
    if (to < 0 || count < 0 || to + count > size) {
      throw new IndexOutOfBoundsException(to + " + " + count + " > " + size);
    }
    for (int j = 0; j < count; j++) {
      put(to + j, src[offset + j]);
    }
  }

  void insertAt(int i, long v) {
    if (i < 0 || i > size) {
      throw new IndexOutOfBoundsException(i + " > " + size);
    }
    for (int j = size; j > i; j--) {
      put(j, cur[j - 1]);
    }
    put(i, v);
    size++;
  }

  long removeAt(int i) {
    checkIndex(i);
    long removed = cur[i];
    for (int j = i; j < size - 1; j++) {
      put(j, cur[j + 1]);
    }
    size--;
    return removed;
  }

  long swapRemoveAt(int i) {
    checkIndex(i);
    long removed = cur[i];
    if (i != size - 1) {
      put(i, cur[size - 1]);
    }
    size--;
    return removed;
  }

  long removeLast() {
    checkIndex(size - 1);
    size--;
    return cur[size];
  }

  void truncate(long n) {
    if (n < size) {
      size = (int) n;
    }
  }

  void resize(int n, long fill) {
    for (int j = size; j < n; j++) {
      put(j, fill);
    }
    size = n;
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException(i + " >= " + size);
    }
  }

  private void put(int i, long v) {
    if (i >= cur.length) {
      cur = Arrays.copyOf(cur, Math.max(i + 1, cur.length * 2));
    }
    cur[i] = v;
    changed.set(i);
    if (logLength == logIndex.length) {
      logIndex = Arrays.copyOf(logIndex, logLength * 2);
      logValue = Arrays.copyOf(logValue, logLength * 2);
    }
    logIndex[logLength] = i;
    logValue[logLength] = v;
    logLength++;
    held = null;
  }

  // --------------------------------------------------------------------- the contract

  /**
   * A check's answer.
   *
   * @param outcome which sync the recovered length is, when {@code problem} is null
   * @param problem what breaks the contract, or null
   */
  record Verdict(Outcome outcome, String problem) {
    boolean ok() {
      return problem == null;
    }
  }

  /**
   * Checks a recovered vector's contents against the contract.
   *
   * @param got the recovered elements (its length is the recovered length)
   * @param inProgress whether the sync point after the last one (committing the contents now) may
   *     have happened: it was in progress at the crash, or completed but not yet reported
   * @return the verdict
   */
  Verdict check(long[] got, boolean inProgress) {
    int length = got.length;
    int old = synced.length;
    if (inProgress && length == size && length != old) {
      for (int i = 0; i < length; i++) {
        if (got[i] != cur[i]) {
          return new Verdict(
              null,
              "recovered length "
                  + length
                  + " is that of the in-progress sync #"
                  + (syncSeq + 1)
                  + ", but element "
                  + i
                  + " is "
                  + CrashWorkload.describe(got[i])
                  + ", expected "
                  + CrashWorkload.describe(cur[i])
                  + " (its value at that sync"
                  + (i < old && got[i] == synced[i] ? "; it is the value at sync #" + syncSeq : "")
                  + "): a slot was durable before the data it covers");
        }
      }
      return new Verdict(Outcome.NEW, null);
    }
    if (length != old) {
      return new Verdict(
          null,
          "recovered length "
              + length
              + ", expected "
              + old
              + " (sync #"
              + syncSeq
              + ")"
              + (inProgress ? " or " + size + " (in-progress sync #" + (syncSeq + 1) + ")" : ""));
    }
    for (int i = 0; i < length; i++) {
      long v = got[i];
      if (v == synced[i]) {
        continue;
      }
      if (!changed.get(i)) {
        return new Verdict(
            null,
            "element "
                + i
                + " is "
                + CrashWorkload.describe(v)
                + ", but it was not written since sync #"
                + syncSeq
                + ", when it was "
                + CrashWorkload.describe(synced[i])
                + " (recovered length "
                + length
                + ")");
      }
      if (v == cur[i] || heldSince(i, v)) {
        continue;
      }
      return new Verdict(
          null,
          "element "
              + i
              + " is "
              + CrashWorkload.describe(v)
              + ", a value it never held since sync #"
              + syncSeq
              + " (then "
              + CrashWorkload.describe(synced[i])
              + ", now "
              + CrashWorkload.describe(cur[i])
              + "; recovered length "
              + length
              + ")");
    }
    return new Verdict(inProgress && size == old ? Outcome.SAME : Outcome.OLD, null);
  }

  private boolean heldSince(int i, long v) {
    if (held == null) {
      held = new HashMap<>();
      for (int j = 0; j < logLength; j++) {
        held.computeIfAbsent(logIndex[j], k -> new HashSet<>()).add(logValue[j]);
      }
    }
    Set<Long> s = held.get(i);
    return s != null && s.contains(v);
  }
}
