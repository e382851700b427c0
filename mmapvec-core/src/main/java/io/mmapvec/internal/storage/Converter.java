package io.mmapvec.internal.storage;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.mmapvec.VecLockedException;
import io.mmapvec.internal.format.CommitSlot;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.format.FieldLayout;
import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderByteOrder;
import io.mmapvec.internal.format.HeaderFormat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;

/**
 * Writes a copy of a vector file in a chosen byte order: same identity, same committed elements
 * with every field's bytes reversed when the order changes (padding copied as it is), capacity
 * equal to the length rounded up to a page.
 *
 * <p><b>Crash story:</b> the copy is built under a temporary name in the target's directory, made
 * durable, then published under the target name without replacing anything, and the directory is
 * synced (durability rule 11, as for a new vector). A crash leaves either no target or a complete,
 * durable one (and possibly a {@code .NAME.*.tmp} file to delete). The source is read under the
 * reader's shared locks, so no writer changes it meanwhile; it is never written.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
public final class Converter {
  private Converter() {}

  private static final long CHUNK_BYTES = 1 << 20;

  /**
   * Copies {@code source} to the new file {@code target} in {@code order}.
   *
   * @param source an existing vector file, of either byte order
   * @param target where the copy goes; must not exist
   * @param order the byte order of the copy
   * @param backend the native backend or the fallback
   * @param progress told the number of data bytes copied so far, after each chunk
   * @throws FileAlreadyExistsException if {@code target} exists
   * @throws io.mmapvec.VecFormatException if the source is not a valid vector file
   * @throws VecLockedException if a writer holds the source
   * @throws IOException on any other failure; no target is left behind
   */
  public static void convert(
      Path source, Path target, ByteOrder order, Backend backend, LongConsumer progress)
      throws IOException {
    Objects.requireNonNull(order, "order");
    Objects.requireNonNull(progress, "progress");
    Path dir = target.toAbsolutePath().getParent();
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString(), null, "target exists");
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new NoSuchFileException(target.toString(), null, "directory does not exist");
    }
    try (RawFile src = RawFile.open(source, backend, true)) {
      Header h = src.header();
      ElementLayout layout = h.identity().layout();
      long dataBytes = src.dataBytes();
      int page = backend.pageSize();
      long fileBytes = HeaderFormat.DATA_OFFSET + (dataBytes + page - 1) / page * page;
      Path tmp =
          dir.resolve(
              "."
                  + target.getFileName()
                  + "."
                  + Long.toHexString(ThreadLocalRandom.current().nextLong())
                  + ".tmp");
      BackendFile f = backend.open(tmp, true, true);
      boolean published = false;
      try {
        if (!f.tryLock(true)) {
          throw new VecLockedException("a new temporary file is locked by someone else", tmp, -1);
        }
        f.allocate(0, fileBytes);
        try (Arena a = Arena.ofConfined()) {
          MemorySegment header = a.allocate(HeaderFormat.HEADER_READ_BYTES);
          HeaderFormat.encodeNew(header, h.identity(), h.pageSizeAtCreate(), h.createdMillis());
          HeaderFormat.encodeSlot(
              header, 0, new CommitSlot(1, h.length(), System.currentTimeMillis()));
          HeaderByteOrder.toOrder(header, order);
          f.write(header, 0);
          boolean swap = order != src.byteOrder();
          int[][] fields = swapFields(layout);
          long elementBytes = layout.byteSize();
          long chunk = Math.max(1, CHUNK_BYTES / elementBytes) * elementBytes;
          MemorySegment buf = a.allocate(Math.min(chunk, Math.max(1, dataBytes)));
          MemorySegment data = src.data();
          progress.accept(0);
          for (long done = 0; done < dataBytes; ) {
            long n = Math.min(chunk, dataBytes - done);
            MemorySegment part = buf.asSlice(0, n);
            MemorySegment.copy(data, done, part, 0, n);
            if (swap) {
              swapElements(part, elementBytes, fields);
            }
            f.write(part, HeaderFormat.DATA_OFFSET + done);
            done += n;
            progress.accept(done);
          }
        }
        f.syncFile();
        backend.publishNoReplace(tmp, target);
        published = true;
        f.renamedTo(target);
        backend.syncDirectory(dir);
      } finally {
        LockedFile.closeQuietly(f);
        if (!published) {
          backend.deleteQuietly(tmp);
        }
      }
    }
  }

  /** {@return {offset, width} of every multi-byte value in an element} */
  static int[][] swapFields(ElementLayout layout) {
    List<int[]> out = new ArrayList<>();
    if (layout.type() != ElementType.STRUCT) {
      out.add(new int[] {0, layout.type().byteSize()});
    } else {
      for (FieldLayout f : layout.fields()) {
        out.add(new int[] {(int) f.offset(), f.type().byteSize()});
      }
    }
    out.removeIf(f -> f[1] == 1);
    return out.toArray(new int[0][]);
  }

  /** Reverses the bytes of every listed value of every element in {@code part}, in place. */
  static void swapElements(MemorySegment part, long elementBytes, int[][] fields) {
    if (fields.length == 0) {
      return;
    }
    long n = part.byteSize();
    for (long base = 0; base < n; base += elementBytes) {
      for (int[] f : fields) {
        long at = base + f[0];
        switch (f[1]) {
          case 2 ->
              part.set(
                  JAVA_SHORT_UNALIGNED, at, Short.reverseBytes(part.get(JAVA_SHORT_UNALIGNED, at)));
          case 4 ->
              part.set(
                  JAVA_INT_UNALIGNED, at, Integer.reverseBytes(part.get(JAVA_INT_UNALIGNED, at)));
          case 8 ->
              part.set(
                  JAVA_LONG_UNALIGNED, at, Long.reverseBytes(part.get(JAVA_LONG_UNALIGNED, at)));
          default -> throw new AssertionError("field width " + f[1]);
        }
      }
    }
  }
}
