package io.mmapvec.internal.storage;

import io.mmapvec.internal.format.CommitSlot;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.format.LiveHeader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a read-only open shows: the newest commit the visibility gate allows ({@link Visibility};
 * docs/FORMAT.md, "Live readers"), adopted at open and by every refresh that finds a newer one. A
 * writer may be working on the file all the while, in this process or another.
 *
 * <p><b>Threads:</b> {@link #adoptNewer()} runs under the storage's commit lock; {@link
 * #mayHaveNewer()} in the owner thread, without it.
 */
final class LiveView {
  private final Path path;
  private final BackendFile file;
  private final Mapping mapping;
  private final long elementSize;
  private final Visibility.Gate gate;

  private long sequence;
  private long size;
  private long rewrites;
  private long capacity;

  LiveView(Path path, BackendFile file, Mapping mapping, long elementSize) {
    this.path = path;
    this.file = file;
    this.mapping = mapping;
    this.elementSize = elementSize;
    this.gate =
        new Visibility.Gate() {
          @Override
          public boolean writerAlive() throws IOException {
            return file.writerAlive();
          }

          @Override
          public void syncSlotPages() throws IOException {
            file.syncRange(
                mapping.whole(), LiveHeader.SLOT_PAGES_OFFSET, LiveHeader.SLOT_PAGES_BYTES);
          }
        };
  }

  /** {@return whether a commit newer than the one shown may exist: two loads, no system call} */
  boolean mayHaveNewer() {
    return Visibility.mayHaveNewer(mapping.whole(), sequence);
  }

  /**
   * Adopts the newest visible commit if it is newer than the one shown, remapping if the file grew
   * beyond the mapping. {@return whether it adopted one}
   *
   * @throws IOException if the commit does not fit in the file (cut behind the locks), or a remap
   *     or a lock query fails
   */
  boolean adoptNewer() throws IOException {
    CommitSlot c = Visibility.choose(mapping.whole(), sequence, gate);
    if (c == null) {
      return false;
    }
    long fileBytes = file.size();
    long room = GrowthPolicy.capacityOf(fileBytes, elementSize);
    if (c.size() < 0 || fileBytes < HeaderFormat.DATA_OFFSET || c.size() > room) {
      throw new IOException(
          "commit "
              + c.sequence()
              + " holds "
              + c.size()
              + " elements of "
              + elementSize
              + " bytes but the file is only "
              + fileBytes
              + " bytes long: it was cut behind the locks ("
              + path
              + ")");
    }
    mapping.cover(fileBytes);
    capacity = room;
    size = c.size();
    sequence = c.sequence();
    rewrites = c.rewrites();
    return true;
  }

  /** {@return the sequence of the commit shown; 0 before the first} */
  long sequence() {
    return sequence;
  }

  /** {@return the size of the commit shown} */
  long size() {
    return size;
  }

  /** {@return the rewrite counter of the commit shown} */
  long rewrites() {
    return rewrites;
  }

  /** {@return the elements the file held when the commit shown was adopted} */
  long capacity() {
    return capacity;
  }
}
