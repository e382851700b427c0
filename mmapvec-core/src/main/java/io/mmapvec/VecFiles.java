package io.mmapvec;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.mmapvec.internal.format.CommitSlot;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.format.FieldLayout;
import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.posix.HeldLock;
import io.mmapvec.internal.posix.Posix;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.Converter;
import io.mmapvec.internal.storage.FileId;
import io.mmapvec.internal.storage.RawFile;
import io.mmapvec.internal.storage.Storage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.LongConsumer;

/**
 * Operations on vector files that need no Java element class: describe, read, verify, convert
 * between byte orders and compact. For tools, and for reading the files from other languages.
 *
 * <p><b>Byte order:</b> {@link #describe}, {@link #openReader}, {@link #verify} and {@link
 * #convert} accept files of either byte order; {@link #compact} writes, and so needs this machine's
 * order, like opening a vector.
 *
 * <p><b>Locking:</b> {@link #describe} takes no lock at all: it never waits, is never refused
 * because of a writer, and reports who holds the file. The others take locks as a vector does:
 * shared to read ({@link #openReader}, {@link #verify}, {@link #convert}'s source), exclusive to
 * write ({@link #compact}); a conflicting holder makes them throw {@link VecLockedException}, at
 * once. A file this JVM has open through a vector is refused ({@code VecLockedException}), except
 * by {@code describe} on the native backend.
 *
 * <p><b>Progress:</b> the long operations take a {@link LongConsumer} told how many data bytes are
 * done so far, from the calling thread; the library itself prints nothing.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
public final class VecFiles {
  private VecFiles() {}

  private static final long CHUNK_BYTES = 1 << 20;

  /**
   * {@return what the file at {@code path} holds, read from its validated header, in either byte
   * order, and who holds its locks}
   *
   * <pre>{@code
   * VecDescription d = VecFiles.describe(Path.of("ticks.vec"));
   * for (FieldDescription f : d.fields()) {
   *   System.out.println(f.name() + " " + f.type() + " @" + f.offset());
   * }
   * }</pre>
   *
   * <p>Takes no lock: while a writer has the file open, the description is of the last committed
   * state (the commit slots make that safe to read during a sync), and {@link
   * VecDescription#lock()} says a writer holds it. Never writes.
   *
   * @param path the file
   * @throws VecFormatException if the file is not a mmapvec file, or is damaged
   * @throws VecLockedException if this JVM has the file open and runs the {@code FileChannel}
   *     fallback (a second descriptor would drop its locks when closed)
   * @throws java.nio.file.NoSuchFileException if there is no file
   * @throws IOException if the file cannot be opened or read
   */
  public static VecDescription describe(Path path) throws IOException {
    return describe(path, Backend.current());
  }

  /**
   * {@return what the file holds} As {@link #describe(Path)}, on {@code backend}.
   *
   * @param path the file
   * @param backend the native backend or the fallback
   * @throws IOException as {@link #describe(Path)} says
   */
  static VecDescription describe(Path path, Backend backend) throws IOException {
    Objects.requireNonNull(path, "path");
    try (RawFile f = RawFile.open(path, backend, false)) {
      return description(path, f);
    }
  }

  /**
   * Opens the file for reading its committed elements without their Java class, in either byte
   * order, under the shared locks a read-only vector takes.
   *
   * <pre>{@code
   * try (VecReader r = VecFiles.openReader(Path.of("prices.vec"))) {
   *   ValueLayout.OfLong layout = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(r.byteOrder());
   *   long first = r.elements().get(layout, 0);
   * }
   * }</pre>
   *
   * @param path the file
   * @return the reader; close it to release the locks
   * @throws VecFormatException if the file is not a mmapvec file, or is damaged
   * @throws VecLockedException if a writer holds the file, or this JVM has it open
   * @throws java.nio.file.NoSuchFileException if there is no file
   * @throws IOException if the file cannot be opened, locked or read
   */
  public static VecReader openReader(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    RawFile f = RawFile.open(path, Backend.current(), true);
    try {
      return new VecReader(f, description(path, f));
    } catch (Throwable t) {
      f.close();
      throw t;
    }
  }

  /**
   * {@return a report on the file: every check opening makes, then a read of every committed byte}
   * As {@link #verify(Path, LongConsumer)} without progress.
   *
   * @param path the file
   * @throws VecLockedException if a writer holds the file, or this JVM has it open
   * @throws java.nio.file.NoSuchFileException if there is no file
   * @throws IOException if the file cannot be opened, locked or read at all
   */
  public static VerifyReport verify(Path path) throws IOException {
    return verify(path, done -> {});
  }

  /**
   * {@return a report on the file: every check opening makes (in either byte order), then a read of
   * every committed byte, with each problem found instead of an exception for the first}
   *
   * <p>A header that fails a check is one problem (the checks after it cannot run). With a sound
   * header, every committed data byte is read and every {@code boolean} value must be 0 or 1. A
   * file of the other byte order is sound (with a note): it opens once {@linkplain #convert
   * converted}. Takes the shared locks of a reader for the whole run; never writes.
   *
   * @param path the file
   * @param progress told how many data bytes have been read, after each chunk
   * @throws VecLockedException if a writer holds the file, or this JVM has it open
   * @throws java.nio.file.NoSuchFileException if there is no file
   * @throws IOException if the file cannot be opened, locked or read at all
   */
  public static VerifyReport verify(Path path, LongConsumer progress) throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(progress, "progress");
    List<VerifyReport.Problem> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    RawFile f;
    try {
      f = RawFile.open(path, Backend.current(), true);
    } catch (VecFormatException e) {
      problems.add(
          new VerifyReport.Problem(
              VerifyReport.Kind.HEADER, Optional.of(e.reason()), withoutFile(e, path)));
      return new VerifyReport(path, Optional.empty(), problems, notes);
    }
    try (f) {
      VecDescription d = description(path, f);
      if (d.byteOrder() != ByteOrder.nativeOrder()) {
        notes.add(
            "written in "
                + orderName(d.byteOrder())
                + "-endian order: vectors on this machine do not open it; convert it first");
      }
      if (d.other().isEmpty() && d.active().sequence() > 1) {
        notes.add(
            "commit slot "
                + (1 - d.active().slot())
                + " is damaged: a sync was interrupted; the file is at the commit before it");
      }
      checkData(f, d, problems, progress);
      return new VerifyReport(path, Optional.of(d), problems, notes);
    }
  }

  /** Reads every committed byte, checking booleans; adds what it finds to {@code problems}. */
  private static void checkData(
      RawFile f, VecDescription d, List<VerifyReport.Problem> problems, LongConsumer progress)
      throws IOException {
    ElementLayout layout = f.header().identity().layout();
    List<FieldLayout> booleans = new ArrayList<>();
    if (layout.type() == ElementType.BOOLEAN) {
      booleans.add(new FieldLayout("value", ElementType.BOOLEAN, 0));
    }
    for (FieldLayout fl : layout.fields()) {
      if (fl.type() == ElementType.BOOLEAN) {
        booleans.add(fl);
      }
    }
    long elementBytes = layout.byteSize();
    long total = f.dataBytes();
    progress.accept(0);
    if (total == 0) {
      return;
    }
    MemorySegment data = f.data();
    long chunk = Math.max(1, CHUNK_BYTES / elementBytes) * elementBytes;
    long badBooleans = 0;
    String firstBad = null;
    long sink = 0;
    long done = 0;
    try {
      while (done < total) {
        long n = Math.min(chunk, total - done);
        long i = 0;
        for (; i + 8 <= n; i += 8) {
          sink += data.get(JAVA_LONG_UNALIGNED, done + i);
        }
        for (; i < n; i++) {
          sink += data.get(JAVA_BYTE, done + i);
        }
        if (!booleans.isEmpty()) {
          for (long e = done; e < done + n; e += elementBytes) {
            for (FieldLayout b : booleans) {
              byte v = data.get(JAVA_BYTE, e + b.offset());
              if (v != 0 && v != 1) {
                if (badBooleans++ == 0) {
                  firstBad =
                      "element "
                          + e / elementBytes
                          + (layout.type() == ElementType.STRUCT ? " field '" + b.name() + "'" : "")
                          + " holds "
                          + Byte.toUnsignedInt(v);
                }
              }
            }
          }
        }
        done += n;
        progress.accept(done);
      }
    } catch (InternalError | IllegalStateException e) {
      // A fault in a mapped access: the pages cannot be read (I/O error, or the file was cut).
      problems.add(
          new VerifyReport.Problem(
              VerifyReport.Kind.DATA,
              Optional.empty(),
              "data byte "
                  + (HeaderFormat.DATA_OFFSET + done)
                  + " and after cannot be read: "
                  + e.getMessage()));
    }
    if (badBooleans > 0) {
      problems.add(
          new VerifyReport.Problem(
              VerifyReport.Kind.BOOLEAN_VALUE,
              Optional.empty(),
              badBooleans
                  + " boolean value"
                  + (badBooleans == 1 ? " is" : "s are")
                  + " neither 0 nor 1 (first: "
                  + firstBad
                  + ")"));
    }
    if (sink == 42) {
      Thread.onSpinWait(); // keeps the reads from being optimised away
    }
  }

  /**
   * Writes a copy of {@code source} in {@code order}: the same magic, data version, layout and
   * committed elements, every field's bytes in the new order (padding copied as it is). As {@link
   * #convert(Path, Path, ByteOrder, LongConsumer)} without progress.
   *
   * @param source an existing vector file, of either byte order
   * @param target the new file; must not exist
   * @param order the byte order of the copy
   * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists
   * @throws VecFormatException if {@code source} is not a valid vector file
   * @throws VecLockedException if a writer holds {@code source}, or this JVM has it open
   * @throws IOException on any other failure; no target is left behind
   */
  public static void convert(Path source, Path target, ByteOrder order) throws IOException {
    convert(source, target, order, done -> {});
  }

  /**
   * Writes a copy of {@code source} in {@code order}: the same magic, data version, layout and
   * committed elements, every field's bytes in the new order (padding copied as it is), capacity
   * the length rounded up to a page. Converting back gives the original element bytes. To the same
   * order it is a compacting copy.
   *
   * <p><b>Durability:</b> {@code target} is created atomically, like a new vector: built under a
   * temporary name in its directory, made durable, published without replacing anything, then the
   * directory synced. When this returns, the copy is durable; after a crash there is either no
   * {@code target} or a complete one. {@code source} is read under the reader's shared locks and
   * never written.
   *
   * @param source an existing vector file, of either byte order
   * @param target the new file; must not exist
   * @param order the byte order of the copy
   * @param progress told how many data bytes have been copied, after each chunk
   * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists
   * @throws VecFormatException if {@code source} is not a valid vector file
   * @throws VecLockedException if a writer holds {@code source}, or this JVM has it open
   * @throws IOException on any other failure; no target is left behind
   */
  public static void convert(Path source, Path target, ByteOrder order, LongConsumer progress)
      throws IOException {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    Converter.convert(source, target, order, Backend.current(), progress);
  }

  /**
   * Shrinks the file's capacity to its length (rounded up to a page), as {@link Vec#shrinkToFit()}
   * does on an open vector.
   *
   * <p><b>Durability:</b> the order of {@code shrinkToFit}: the length is committed first, then the
   * file is cut, then made durable; a crash at any point leaves a file that opens with all its
   * committed elements. Takes the writer's exclusive locks meanwhile.
   *
   * @param path the file, in this machine's byte order
   * @return how many bytes the file shrank by (0 when it was already compact)
   * @throws VecFormatException if the file is not a valid vector file, or of the other byte order
   *     ({@link VecFormatException.Reason#BYTE_ORDER_MISMATCH})
   * @throws VecLockedException if another process holds the file, or this JVM has it open
   * @throws java.nio.file.NoSuchFileException if there is no file
   * @throws IOException if the file cannot be opened, locked, synced or cut
   */
  public static long compact(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    Header h;
    try (RawFile f = RawFile.open(path, Backend.current(), false)) {
      h = f.header();
    }
    DataVersion v = h.identity().dataVersion();
    VecOptions options =
        VecOptions.defaults()
            .withMagic(h.identity().magic())
            .withDataVersion(v.major(), v.minor(), v.patch());
    // The identity read above only selects what to open: open validates it again under the lock.
    Storage s = Storage.open(path, options, h.identity().layout(), Backend.current());
    long before;
    try {
      before = java.nio.file.Files.size(path);
      s.shrinkToFit();
    } catch (Throwable t) {
      try {
        s.close();
      } catch (IOException | RuntimeException suppressed) {
        t.addSuppressed(suppressed);
      }
      throw t;
    }
    s.close();
    return before - java.nio.file.Files.size(path);
  }

  private static VecDescription description(Path path, RawFile f) {
    Header h = f.header();
    ElementLayout layout = h.identity().layout();
    List<FieldDescription> fields = new ArrayList<>(layout.fields().size());
    for (FieldLayout fl : layout.fields()) {
      fields.add(
          new FieldDescription(fl.name(), fl.type().javaName(), fl.offset(), fl.type().byteSize()));
    }
    long fileBytes = f.fileBytes();
    long capacity = (fileBytes - HeaderFormat.DATA_OFFSET) / layout.byteSize();
    return new VecDescription(
        path,
        h.identity().magic(),
        h.identity().dataVersion(),
        h.formatVersion(),
        f.byteOrder(),
        layout.type().javaName(),
        layout.byteSize(),
        layout.byteAlignment(),
        fields,
        h.length(),
        capacity,
        fileBytes,
        HeaderFormat.DATA_OFFSET,
        h.pageSizeAtCreate(),
        Instant.ofEpochMilli(h.createdMillis()),
        commit(h.activeSlot(), h.active()),
        Optional.ofNullable(h.other()).map(o -> commit(1 - h.activeSlot(), o)),
        lockState(f.id()));
  }

  private static VecDescription.LockState lockState(FileId id) {
    List<HeldLock> held = Posix.locksHeld(id.dev(), id.ino());
    if (held == null) {
      return new VecDescription.LockState(VecDescription.LockState.Holder.UNKNOWN, List.of());
    }
    TreeSet<Long> pids = new TreeSet<>();
    boolean writer = false;
    for (HeldLock l : held) {
      writer |= l.exclusive();
      if (l.pid() > 0) {
        pids.add(l.pid());
      }
    }
    VecDescription.LockState.Holder holder =
        held.isEmpty()
            ? VecDescription.LockState.Holder.FREE
            : writer
                ? VecDescription.LockState.Holder.WRITER
                : VecDescription.LockState.Holder.READERS;
    return new VecDescription.LockState(holder, new ArrayList<>(pids));
  }

  private static VecDescription.Commit commit(int slot, CommitSlot c) {
    return new VecDescription.Commit(
        slot, c.sequence(), c.length(), Instant.ofEpochMilli(c.commitTimeMillis()));
  }

  private static String withoutFile(IOException e, Path path) {
    String m = e.getMessage();
    String suffix = " (" + path + ")";
    return m.endsWith(suffix) ? m.substring(0, m.length() - suffix.length()) : m;
  }

  private static String orderName(ByteOrder order) {
    return order == ByteOrder.BIG_ENDIAN ? "big" : "little";
  }
}
