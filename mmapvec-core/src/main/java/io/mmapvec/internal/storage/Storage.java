package io.mmapvec.internal.storage;

import io.mmapvec.SyncPolicy;
import io.mmapvec.VecClosedException;
import io.mmapvec.VecLockedException;
import io.mmapvec.VecOptions;
import io.mmapvec.VecStats;
import io.mmapvec.internal.format.CommitSlot;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.Header;
import io.mmapvec.internal.format.HeaderFormat;
import io.mmapvec.internal.format.Identity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The storage core shared by every vector type: one locked, mapped file holding a header and a
 * run of fixed-size elements. The typed vectors are thin facades that turn indices into element
 * accesses on {@link #data()}; everything else (bounds, growth, dirty tracking, sync, close) lives
 * here, once.
 *
 * <p><b>Threads:</b> not thread-safe, like the vectors: one writer thread at a time (the
 * "owner"). Two other threads may touch a storage, and {@link #syncLock} is what makes that safe:
 *
 * <ul>
 *   <li>a thread calling {@link #close()}: a thread that reads while another closes gets an {@link
 *       IllegalStateException}, because the mapping belongs to a shared {@link Arena}, whose close
 *       waits until no thread is inside an access; every later access fails instead of touching
 *       unmapped memory;
 *   <li>the background flusher of {@code SyncPolicy.every}. It takes {@link #syncLock}, which every
 *       sync, growth, remap, shrink and close also holds, so the mapping, the file size and the
 *       commit state (slots, sequence) never change under it. It never touches the owner's dirty
 *       range; it reads {@link #size} with acquire semantics, flushes the data below that length
 *       and only then commits it. The owner publishes a larger size with release semantics only
 *       after the new elements are stored, so a committed length never covers unwritten data.
 * </ul>
 *
 * <p><b>Layout of the mapping:</b> one mapping from file offset 0 (header, then data at {@link
 * HeaderFormat#DATA_OFFSET}). With the native backend it is longer than the file, an address
 * reservation the file grows beneath (rule 6); only pages below the allocated file size are ever
 * touched, because every access is bounded by {@link #capacity()} (rule 5).
 *
 * <p><b>Dirty tracking:</b> {@code set}-like writes widen {@code [dirtyLo, dirtyHi)}; appends need
 * no tracking because everything in {@code [minSizeSinceSync, size)} is new since the last sync.
 * Once a writable view has been handed out by {@link #asSegment()}, a sync flushes the whole data
 * range (the kernel then writes only the pages that are really dirty).
 */
public final class Storage {
  private static final long DATA_OFFSET = HeaderFormat.DATA_OFFSET;
  /** The smallest address reservation of a writable native mapping. */
  private static final long MIN_RESERVATION = 1L << 30;
  /** Below this many bytes the capacity doubles; above it, it grows by an eighth (at least this). */
  private static final long LINEAR_GROWTH_BYTES = 1L << 30;
  /**
   * The most bytes prefaulted ahead of the data in one step (see {@link #prefaultFor(long)}): the
   * bound on the memory an append makes resident beyond the elements it has written.
   */
  private static final long MAX_PREFAULT_AHEAD = 16L << 20;
  /** The least bytes prefaulted ahead in one step, if the file has them. */
  private static final long MIN_PREFAULT_AHEAD = 256L << 10;
  private static final int CREATE_ATTEMPTS = 8;
  private static final VarHandle SIZE;

  static {
    try {
      SIZE = MethodHandles.lookup().findVarHandle(Storage.class, "size", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Path path;
  private final VecOptions options;
  private final ElementLayout layout;
  private final long elementBytes;
  private final boolean readOnly;
  private final Backend backend;
  private final BackendFile file;
  private final FileId id;
  private final long pageSize;
  private final long writesPerSync;
  /** Held by every sync, growth, remap, shrink and close, and by the background flusher. */
  private final ReentrantLock syncLock = new ReentrantLock();
  private ScheduledFuture<?> flusher;

  private Arena arena;
  private MemorySegment mapping;
  private MemorySegment data;
  private long mappedBytes;
  private long fileBytes;

  private long size;
  private long capacity;
  /**
   * File offset up to which the pages of the data were prefaulted (or written) since open: appends
   * below it take no page fault. Page-aligned, at most {@link #fileBytes}.
   */
  private long prefaultedTo;
  /**
   * While writes are allowed, the capacity, or less where the prefaulted pages end; 0 otherwise:
   * one compare guards an append, and crossing it takes the slow path that grows or prefaults.
   */
  private long appendLimit;
  private boolean writeBlocked;
  private boolean closed;
  private IOException poison;

  private long committedLength;
  private long sequence;
  private int activeSlot;
  private boolean fileSizeChanged;
  private long dirtyLo = Long.MAX_VALUE;
  private long dirtyHi;
  private long minSizeSinceSync;
  private boolean viewsOut;
  /**
   * Counts down mutating calls to the next {@code everyWrites} sync (written by the owner only).
   * The flusher reads it, racily, to see whether anything changed since its last round.
   */
  private long writesUntilSync;
  /** {@link #writesUntilSync} as the flusher last committed it (guarded by {@link #syncLock}). */
  private long writesAtLastFlush = Long.MIN_VALUE;

  private long statSyncs;
  private long statBytesSynced;
  private long statLastSyncNanos;
  private long statGrowths;
  private long statRemaps;

  private Storage(
      Path path,
      VecOptions options,
      ElementLayout layout,
      Backend backend,
      BackendFile file,
      FileId id,
      Header header,
      long fileBytes)
      throws IOException {
    this.path = path;
    this.options = options;
    this.layout = layout;
    this.elementBytes = layout.byteSize();
    this.readOnly = options.readOnly();
    this.backend = backend;
    this.file = file;
    this.id = id;
    this.pageSize = backend.pageSize();
    this.fileBytes = fileBytes;
    this.size = header.length();
    this.committedLength = size;
    this.minSizeSinceSync = size;
    this.sequence = header.active().sequence();
    this.activeSlot = header.activeSlot();
    this.capacity = (fileBytes - DATA_OFFSET) / elementBytes;
    this.writeBlocked = readOnly;
    this.prefaultedTo = Math.min(fileBytes, roundUpToPage(DATA_OFFSET + size * elementBytes));
    this.appendLimit = readOnly ? 0 : Math.min(capacity, size);
    this.writesPerSync =
        options.syncPolicy() instanceof SyncPolicy.EveryWrites(long n) ? n : Long.MAX_VALUE;
    this.writesUntilSync = writesPerSync;
    warnIfRiskyFileSystem(path);
    mapTo(reservationFor(fileBytes));
    if (!readOnly && options.syncPolicy() instanceof SyncPolicy.Every(Duration interval)) {
      flusher = Flusher.schedule(this, interval);
    }
  }

  /**
   * Rule 14: on network and user-space file systems, advisory locks and mmap coherence are not
   * what this library assumes; say so loudly, once per open.
   */
  private static void warnIfRiskyFileSystem(Path path) {
    String type;
    try {
      type = Files.getFileStore(path).type();
    } catch (IOException | RuntimeException e) {
      return;
    }
    String risk = riskOfFileSystem(type);
    if (risk != null) {
      System.getLogger("io.mmapvec")
          .log(System.Logger.Level.WARNING, "mmapvec: " + path + " is on " + type + ": " + risk);
    }
  }

  /**
   * {@return why a file system type is risky for mmapvec, or null if it is not}
   *
   * @param type a type as {@code FileStore.type()} names it ("ext4", "nfs4", "fuse.sshfs", ...)
   */
  static String riskOfFileSystem(String type) {
    String t = type.toLowerCase(Locale.ROOT);
    if (t.startsWith("nfs")) {
      return "NFS does not keep mmap writes coherent between machines, and its locks are emulated"
          + " by a lock daemon that may lose them; use a local file system";
    }
    if (t.equals("cifs") || t.startsWith("smb")) {
      return "SMB/CIFS does not keep mmap writes coherent between machines and may ignore"
          + " advisory locks; use a local file system";
    }
    if (t.startsWith("fuse")) {
      return "FUSE file systems may not implement locks, fallocate or msync as the kernel's own"
          + " file systems do; durability and locking are not guaranteed";
    }
    return null;
  }

  // ---------------------------------------------------------------------------------- opening

  /**
   * Opens the vector file at {@code path}, creating it atomically if it is absent and the options
   * are writable.
   *
   * @param path the file
   * @param options magic, data version, read-only, sync policy
   * @param layout the element layout the caller will read and write
   * @param backend the native backend or the fallback
   * @return the open storage, locked and mapped
   * @throws io.mmapvec.VecFormatException if the file is not what was asked for, or damaged
   * @throws VecLockedException if another process, or this JVM, holds the file
   * @throws NoSuchFileException if a read-only open finds no file, or the directory is missing
   * @throws IOException on any other failure; nothing is left locked, mapped or half-created
   */
  public static Storage open(Path path, VecOptions options, ElementLayout layout, Backend backend)
      throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(backend, "backend");
    Identity identity = new Identity(options.magic(), options.dataVersion(), layout);
    boolean writable = !options.readOnly();
    for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      LockedFile locked;
      try {
        locked = LockedFile.open(path, backend, writable);
      } catch (NoSuchFileException e) {
        if (!writable) {
          throw e;
        }
        Storage created = create(path, options, layout, identity, backend);
        if (created != null) {
          return created;
        }
        continue; // another creator won the race: open its file
      }
      try {
        long fileBytes = locked.file().size();
        Header header = readHeader(locked.file(), fileBytes, identity, path);
        return new Storage(
            path, options, layout, backend, locked.file(), locked.id(), header, fileBytes);
      } catch (Throwable t) {
        locked.releaseQuietly();
        throw t;
      }
    }
    throw new IOException("file keeps appearing and disappearing while opening (" + path + ")");
  }

  private static Header readHeader(BackendFile f, long fileBytes, Identity identity, Path path)
      throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(HeaderFormat.HEADER_READ_BYTES);
      long n = f.readHeader(buf);
      return HeaderFormat.decode(buf.asSlice(0, n), fileBytes, identity, path);
    }
  }

  /**
   * Rule 11: builds the new file under a temporary name in the same directory, makes it durable,
   * then publishes it without replacing anything. Returns null if another creator won the race.
   */
  private static Storage create(
      Path path, VecOptions options, ElementLayout layout, Identity identity, Backend backend)
      throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new NoSuchFileException(path.toString(), null, "directory does not exist");
    }
    if (Files.isSymbolicLink(path)) {
      throw new NoSuchFileException(
          path.toString(),
          null,
          "symbolic link to a missing file; create the vector at the link's target instead");
    }
    Path tmp =
        dir.resolve(
            "."
                + path.getFileName()
                + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
    BackendFile f = backend.open(tmp, true, true);
    CrashHooks.reach("create.afterTmpOpen", path);
    FileId fid = null;
    boolean published = false;
    boolean done = false;
    try {
      fid = f.id();
      OpenFiles.register(fid, path);
      if (!f.tryLock(true)) {
        throw new VecLockedException("a new temporary file is locked by someone else", tmp, -1);
      }
      int page = backend.pageSize();
      long fileBytes = DATA_OFFSET + page;
      f.allocate(0, fileBytes);
      CrashHooks.reach("create.afterAllocate", path);
      try (Arena a = Arena.ofConfined()) {
        MemorySegment header = a.allocate(HeaderFormat.HEADER_READ_BYTES);
        HeaderFormat.encodeNew(header, identity, page, System.currentTimeMillis());
        f.write(header, 0);
      }
      CrashHooks.reach("create.afterHeader", path);
      f.syncFile();
      CrashHooks.durable(tmp, 0, Long.MAX_VALUE);
      CrashHooks.reach("create.afterSync", path);
      try {
        backend.publishNoReplace(tmp, path);
      } catch (FileAlreadyExistsException raced) {
        return null;
      }
      published = true;
      f.renamedTo(path);
      CrashHooks.reach("create.afterPublish", path);
      backend.syncDirectory(dir);
      CrashHooks.reach("create.afterDirSync", path);
      Header header = readHeader(f, f.size(), identity, path);
      Storage s = new Storage(path, options, layout, backend, f, fid, header, fileBytes);
      done = true;
      return s;
    } finally {
      if (!done) {
        LockedFile.closeQuietly(f);
        if (fid != null) {
          OpenFiles.unregister(fid);
        }
        if (!published) {
          backend.deleteQuietly(tmp);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------- mapping

  private long reservationFor(long bytes) {
    if (readOnly || !backend.reservesAddressSpace()) {
      return bytes;
    }
    long r = MIN_RESERVATION;
    while (r < 2 * bytes) {
      r <<= 1;
    }
    return r;
  }

  /** Maps the file anew with {@code length} bytes; views of the old mapping die with it. */
  private void mapTo(long length) throws IOException {
    Arena next = Arena.ofShared();
    MemorySegment m;
    try {
      m = file.map(length, next);
    } catch (IOException | RuntimeException e) {
      next.close();
      throw e;
    }
    Arena previous = arena;
    mapping = readOnly ? m.asReadOnly() : m;
    data = mapping.asSlice(DATA_OFFSET);
    mappedBytes = length;
    arena = next;
    if (previous != null) {
      statRemaps++;
      previous.close();
    }
  }

  // ---------------------------------------------------------------------------------- hot path

  /** {@return the mapped elements; index {@code i} is at byte {@code i * elementByteSize()}} */
  public MemorySegment data() {
    return data;
  }

  /** {@return {@code index} if it is below the size, else throws IndexOutOfBoundsException} */
  public long readIndex(long index) {
    if (Long.compareUnsigned(index, size) >= 0) {
      throw indexError(index);
    }
    return index;
  }

  /** {@return {@code index} if it is below the size and writes are allowed; marks it dirty} */
  public long writeIndex(long index) {
    if (Long.compareUnsigned(index, size) >= 0 || writeBlocked) {
      throw writeError(index);
    }
    if (index < dirtyLo) {
      dirtyLo = index;
    }
    if (index >= dirtyHi) {
      dirtyHi = index + 1;
    }
    return index;
  }

  /**
   * {@return the index where a new last element goes, growing the file if needed} The caller
   * stores the element there, then calls {@link #appended(long)}.
   */
  public long appendSlot() {
    long n = size;
    if (n >= appendLimit) {
      growForAppend(1);
    }
    return n;
  }

  /**
   * Publishes the element stored at {@code index} by {@link #appendSlot()}: the size grows with
   * release semantics, after the store, so the flusher never commits a length over an unwritten
   * element.
   */
  public void appended(long index) {
    SIZE.setRelease(this, index + 1);
    if (--writesUntilSync <= 0) {
      policySync();
    }
  }

  /** Counts one mutating call for {@code SyncPolicy.everyWrites}; call after the change is made. */
  public void wrote() {
    if (--writesUntilSync <= 0) {
      policySync();
    }
  }

  private void policySync() {
    writesUntilSync = writesPerSync;
    try {
      sync("everyWrites");
    } catch (IOException e) {
      throw new UncheckedIOException("sync after " + writesPerSync + " writes failed", e);
    }
  }

  /** {@return {@code from} if {@code [from, from+count)} lies within the size} */
  public long readRange(long from, long count) {
    if (from < 0 || count < 0 || from > size - count || closed) {
      throw rangeError(from, count);
    }
    return from;
  }

  /** {@return {@code from} if {@code [from, from+count)} lies within the size and is writable} */
  public long writeRange(long from, long count) {
    if (from < 0 || count < 0 || from > size - count || writeBlocked) {
      throw writeBlocked ? writeError(from) : rangeError(from, count);
    }
    markDirty(from, from + count);
    return from;
  }

  /** {@return the size as an array length, or throws if a Java array cannot hold it} */
  public int arrayLength() {
    long n = size();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException(
          n + " elements do not fit in a Java array; use copyTo in parts (" + path + ")");
    }
    return (int) n;
  }

  // ---------------------------------------------------------------------------------- structure

  /** {@return the number of elements} */
  public long size() {
    if (closed) {
      throw closedError();
    }
    return size;
  }

  /** {@return the number of elements the allocated file holds} */
  public long capacity() {
    checkOpen();
    return capacity;
  }

  /** {@return the element size in bytes} */
  public long elementBytes() {
    return elementBytes;
  }

  /** {@return the element layout} */
  public ElementLayout layout() {
    return layout;
  }

  /** {@return the path given at open} */
  public Path path() {
    return path;
  }

  /** {@return the options given at open} */
  public VecOptions options() {
    return options;
  }

  /**
   * Appends the elements in {@code src} (native byte order, a whole number of elements), growing
   * the file if needed; the size is published after the copy.
   */
  public void appendFrom(MemorySegment src) {
    checkWritable();
    long count = src.byteSize() / elementBytes;
    long n = size;
    if (count > appendLimit - n) {
      growForAppend(count);
    }
    MemorySegment.copy(src, 0, data, n * elementBytes, count * elementBytes);
    SIZE.setRelease(this, n + count);
    wrote();
  }

  /**
   * Opens a gap of {@code count} elements at {@code index} (0 to size), shifting the tail up; the
   * caller fills the gap, then calls {@link #inserted(long)}. {@return index}
   */
  public long openGap(long index, long count) {
    checkWritable();
    if (index < 0 || index > size) {
      throw new IndexOutOfBoundsException(
          "insert index " + index + " out of bounds for length " + size + " (" + path + ")");
    }
    if (count > appendLimit - size) {
      growForAppend(count);
    }
    long tail = size - index;
    MemorySegment.copy(
        data, index * elementBytes, data, (index + count) * elementBytes, tail * elementBytes);
    markDirty(index, size + count);
    return index;
  }

  /**
   * Publishes {@code count} elements stored into a gap from {@link #openGap}: the size grows with
   * release semantics after the stores, so the flusher never commits an unwritten element.
   */
  public void inserted(long count) {
    SIZE.setRelease(this, size + count);
    wrote();
  }

  /** Removes {@code count} elements at {@code index}, shifting the tail down. */
  public void closeGap(long index, long count) {
    long end = index + count;
    if (index < 0 || count < 0 || end > size) {
      throw writeError(index < 0 || index >= size ? index : end - 1);
    }
    checkWritable();
    MemorySegment.copy(data, end * elementBytes, data, index * elementBytes, (size - end) * elementBytes);
    shrinkSize(size - count);
    markDirty(index, size);
    wrote();
  }

  /** Moves the last element into {@code index} (already checked by {@link #writeIndex}). */
  public void swapRemove(long index) {
    long last = size - 1;
    if (index != last) {
      MemorySegment.copy(data, last * elementBytes, data, index * elementBytes, elementBytes);
    }
    shrinkSize(last);
    wrote();
  }

  /** {@return the index of the last element, which is removed (its bytes stay readable now)} */
  public long popIndex() {
    if (size == 0 || writeBlocked) {
      if (closed || writeBlocked) {
        throw writeError(0);
      }
      throw new NoSuchElementException("vector is empty (" + path + ")");
    }
    long last = size - 1;
    shrinkSize(last);
    wrote();
    return last;
  }

  /** Shortens to {@code newSize}; does nothing if not shorter. */
  public void truncate(long newSize) {
    if (newSize < 0) {
      throw new IllegalArgumentException("new size " + newSize + " is negative (" + path + ")");
    }
    checkWritable();
    if (newSize < size) {
      shrinkSize(newSize);
    }
    wrote();
  }

  /**
   * Sets the size to {@code newSize}: shortens, or grows the file if needed and fills the new
   * elements with copies of {@code fill} (one element's bytes) before publishing the size.
   */
  public void resize(long newSize, MemorySegment fill) {
    if (newSize < 0) {
      throw new IllegalArgumentException("new size " + newSize + " is negative (" + path + ")");
    }
    checkWritable();
    long old = size;
    if (newSize <= old) {
      shrinkSize(newSize);
    } else {
      if (newSize > appendLimit) {
        growForAppend(newSize - old);
      }
      fill(old, newSize, fill);
      SIZE.setRelease(this, newSize);
    }
    wrote();
  }

  /** Copies one element's bytes over {@code [from, to)}, doubling the copied run each time. */
  private void fill(long from, long to, MemorySegment element) {
    long base = from * elementBytes;
    long bytes = (to - from) * elementBytes;
    MemorySegment.copy(element, 0, data, base, elementBytes);
    for (long done = elementBytes; done < bytes; ) {
      long n = Math.min(done, bytes - done);
      MemorySegment.copy(data, base, data, base + done, n);
      done += n;
    }
  }

  /** Makes room for {@code additional} more elements, allocating now. */
  public void reserve(long additional) throws IOException {
    if (additional < 0) {
      throw new IllegalArgumentException("additional " + additional + " is negative");
    }
    checkWritable();
    if (additional > maxCapacity() - size) {
      throw new IllegalArgumentException(tooLarge(size, additional));
    }
    ensureCapacity(size + additional);
  }

  /** {@return a view of the elements' bytes} */
  public MemorySegment asSegment() {
    checkOpen();
    if (!readOnly) {
      viewsOut = true;
    }
    return data.asSlice(0, size * elementBytes);
  }

  private void shrinkSize(long newSize) {
    size = newSize;
    if (newSize < minSizeSinceSync) {
      minSizeSinceSync = newSize;
    }
  }

  private void markDirty(long from, long to) {
    if (from < dirtyLo) {
      dirtyLo = from;
    }
    if (to > dirtyHi) {
      dirtyHi = to;
    }
  }

  private long maxCapacity() {
    return (Long.MAX_VALUE - DATA_OFFSET - (1L << 32)) / elementBytes;
  }

  private String tooLarge(long have, long more) {
    return "cannot hold " + have + " + " + more + " elements of " + elementBytes + " bytes (" + path + ")";
  }

  private void growForAppend(long extra) {
    checkWritable();
    if (extra > maxCapacity() - size) {
      throw new IllegalArgumentException(tooLarge(size, extra));
    }
    try {
      ensureCapacity(size + extra);
      prefaultFor(size + extra);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot grow to "
              + (size + extra)
              + " elements; the vector is unchanged ("
              + path
              + ")",
          e);
    }
  }

  /**
   * Prefaults the pages from where the prefaulted (or written) data ends up to where {@code
   * needed} elements end, plus a window ahead, never beyond the allocated file ({@link
   * BackendFile#prefault}: the native backend writes zeros there, which puts the pages in the page
   * cache in large batches; measured 0.9 µs of CPU per 4 KiB page against 2.3 µs when each first
   * store faults its page in). Then raises {@link #appendLimit} to the prefaulted end, so the
   * append that crosses it comes back here. The pages written hold no element (they lie at or
   * beyond the page after the last element, below the allocated size); a failure only ends the
   * prefaulting of this window.
   *
   * <p>The window: a sixteenth of the data, at least {@link #MIN_PREFAULT_AHEAD}, at most {@link
   * #MAX_PREFAULT_AHEAD}. {@code reserve} does not prefault, so a huge reservation makes nothing
   * resident, and appends make resident at most that window beyond their data. The zeros are
   * dirty pages: the next {@code fdatasync} of a grown file writes them too, so the window is also
   * the most a durable append writes in excess.
   */
  private void prefaultFor(long needed) {
    long end = DATA_OFFSET + needed * elementBytes;
    long ahead =
        Math.min(MAX_PREFAULT_AHEAD, Math.max((end - DATA_OFFSET) / 16, MIN_PREFAULT_AHEAD));
    long target = Math.min(fileBytes, roundUpToPage(end + ahead));
    long from = Math.max(prefaultedTo, roundUpToPage(DATA_OFFSET + size * elementBytes));
    if (from < target) {
      try {
        file.prefault(from, target - from);
      } catch (IOException | RuntimeException e) {
        // Only an optimisation: the stores will fault the pages in instead.
      }
    }
    prefaultedTo = Math.max(prefaultedTo, target);
    updateAppendLimit();
  }

  private void updateAppendLimit() {
    appendLimit =
        writeBlocked ? 0 : Math.min(capacity, (prefaultedTo - DATA_OFFSET) / elementBytes);
  }

  /**
   * Grows the file so at least {@code needed} elements fit: blocks are allocated before the
   * capacity grows, because a store into a sparse page on a full disk raises SIGBUS (rule 5).
   */
  private void ensureCapacity(long needed) throws IOException {
    syncLock.lock();
    try {
      checkWritable();
      if (needed <= capacity) {
        return;
      }
      long bytesNow = capacity * elementBytes;
      long step =
          bytesNow < LINEAR_GROWTH_BYTES
              ? Math.max(bytesNow, pageSize)
              : Math.max(LINEAR_GROWTH_BYTES, bytesNow / 8);
      long target = Math.max(needed, Math.min(maxCapacity(), capacity + step / elementBytes));
      long newFileBytes = DATA_OFFSET + roundUpToPage(target * elementBytes);
      GrowthEvent event = new GrowthEvent();
      event.begin();
      CrashHooks.reach("grow.beforeAllocate", path);
      try {
        file.allocate(fileBytes, newFileBytes);
      } catch (IOException e) {
        // A failed allocation may have taken part of the space (ext4 keeps it, as does the
        // zero-writing fallback); give it back so a full disk is not made fuller.
        try {
          file.truncate(fileBytes);
        } catch (IOException | RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      CrashHooks.reach("grow.afterAllocate", path);
      long oldFileBytes = fileBytes;
      fileBytes = newFileBytes;
      fileSizeChanged = true;
      boolean remap = newFileBytes > mappedBytes;
      if (remap) {
        mapTo(reservationFor(newFileBytes));
        CrashHooks.reach("grow.afterRemap", path);
      }
      capacity = (fileBytes - DATA_OFFSET) / elementBytes;
      updateAppendLimit();
      statGrowths++;
      if (event.shouldCommit()) {
        event.path = path.toString();
        event.oldBytes = oldFileBytes;
        event.newBytes = newFileBytes;
        event.remapped = remap;
        event.commit();
      }
    } finally {
      syncLock.unlock();
    }
  }

  private long roundUpToPage(long bytes) {
    return (bytes + pageSize - 1) / pageSize * pageSize;
  }

  // ---------------------------------------------------------------------------------- durability

  /** Rule 3: data, then (if the size changed) fdatasync, then the inactive slot, then its msync. */
  public void sync() throws IOException {
    sync("explicit");
  }

  private void sync(String trigger) throws IOException {
    syncLock.lock();
    try {
      checkOpen();
      if (readOnly) {
        return;
      }
      checkNotPoisoned();
      long n = size;
      long lo = Math.min(dirtyLo, minSizeSinceSync);
      long hi = Math.min(n, Math.max(dirtyHi, n > minSizeSinceSync ? n : 0));
      if (viewsOut) {
        lo = 0;
        hi = n;
      }
      commit(trigger, n, lo, hi);
      dirtyLo = Long.MAX_VALUE;
      dirtyHi = 0;
      minSizeSinceSync = n;
    } finally {
      syncLock.unlock();
    }
  }

  /**
   * The flusher's sync ({@code SyncPolicy.every}): the whole data range below a length the vector
   * had (the kernel writes only the dirty pages), then that length. Never throws: a failure
   * poisons the vector, and the owner sees it at its next sync, close or write.
   */
  void backgroundSync() {
    if (!syncLock.tryLock()) {
      return; // the owner is syncing or growing right now; try again next interval
    }
    try {
      if (closed || poison != null) {
        return;
      }
      long n = (long) SIZE.getAcquire(this);
      // A racy read: a stale value only moves the flush of a change to the next round.
      long writes = writesUntilSync;
      if (writes == writesAtLastFlush && !viewsOut && n == committedLength && !fileSizeChanged) {
        return; // idle since the last round: nothing to flush, and not counted as a sync
      }
      commit("every", n, 0, n);
      writesAtLastFlush = writes;
    } catch (IOException | RuntimeException e) {
      // Already recorded as the poison by commit().
    } finally {
      syncLock.unlock();
    }
  }

  /**
   * Makes elements {@code [lo, hi)} durable, then commits {@code length} if it changed. Holds
   * {@link #syncLock}.
   */
  private void commit(String trigger, long length, long lo, long hi) throws IOException {
    boolean lengthChanged = length != committedLength;
    if (hi <= lo && !lengthChanged && !fileSizeChanged) {
      return;
    }
    SyncEvent event = new SyncEvent();
    event.begin();
    long start = System.nanoTime();
    long bytes = 0;
    boolean sizeChanged = fileSizeChanged;
    try {
      CrashHooks.reach("sync.begin", path);
      if (hi > lo) {
        long from = DATA_OFFSET + lo * elementBytes;
        long len = (hi - lo) * elementBytes;
        file.syncRange(mapping, from, len);
        CrashHooks.durable(path, from, len);
        bytes += roundUpToPage(from + len) - (from / pageSize * pageSize);
      }
      CrashHooks.reach("sync.afterData", path);
      if (fileSizeChanged) {
        file.syncFile();
        CrashHooks.durable(path, 0, Long.MAX_VALUE);
        CrashHooks.reach("sync.afterFdatasync", path);
      }
      if (lengthChanged) {
        int slot = 1 - activeSlot;
        HeaderFormat.encodeSlot(
            mapping, slot, new CommitSlot(sequence + 1, length, System.currentTimeMillis()));
        CrashHooks.reach("sync.afterSlotWrite", path);
        file.syncRange(mapping, HeaderFormat.slotOffset(slot), HeaderFormat.SLOT_BYTES);
        CrashHooks.durable(path, HeaderFormat.slotOffset(slot), HeaderFormat.SLOT_BYTES);
        bytes += pageSize;
        CrashHooks.reach("sync.afterSlotSync", path);
        activeSlot = slot;
        sequence++;
        committedLength = length;
      }
      fileSizeChanged = false;
    } catch (IOException | RuntimeException e) {
      // Rule 7: after a failed msync/fdatasync the kernel may have dropped the dirty pages;
      // never retry and report success.
      poison = e instanceof IOException io ? io : new IOException(e);
      writeBlocked = true;
      appendLimit = 0;
      throw e;
    }
    statSyncs++;
    statBytesSynced += bytes;
    statLastSyncNanos = System.nanoTime() - start;
    if (event.shouldCommit()) {
      event.path = path.toString();
      event.dataBytes = bytes;
      event.committedLength = length;
      event.fileSizeChanged = sizeChanged;
      event.trigger = trigger;
      event.commit();
    }
  }

  /** Rule 12: commits the smaller length, then shrinks the file to fit it. */
  public void shrinkToFit() throws IOException {
    syncLock.lock();
    try {
      checkWritable();
      sync("shrink");
      long newFileBytes = DATA_OFFSET + roundUpToPage(size * elementBytes);
      if (newFileBytes >= fileBytes) {
        return;
      }
      GrowthEvent event = new GrowthEvent();
      event.begin();
      CrashHooks.reach("shrink.afterCommit", path);
      // Remap first: views of the old mapping must not outlive the pages they cover.
      mapTo(reservationFor(newFileBytes));
      // The capacity follows the new mapping at once, so that it stays consistent even if the
      // truncate below fails (the file is then merely longer than needed).
      capacity = (newFileBytes - DATA_OFFSET) / elementBytes;
      prefaultedTo = Math.min(prefaultedTo, newFileBytes);
      updateAppendLimit();
      CrashHooks.reach("shrink.afterRemap", path);
      long oldFileBytes = fileBytes;
      file.truncate(newFileBytes);
      fileBytes = newFileBytes;
      fileSizeChanged = true;
      CrashHooks.reach("shrink.afterTruncate", path);
      sync("shrink");
      CrashHooks.reach("shrink.afterSync", path);
      if (event.shouldCommit()) {
        event.path = path.toString();
        event.oldBytes = oldFileBytes;
        event.newBytes = newFileBytes;
        event.remapped = true;
        event.commit();
      }
    } finally {
      syncLock.unlock();
    }
  }

  /** {@return the counters since open} */
  public VecStats stats() {
    syncLock.lock();
    try {
      checkOpen();
      return new VecStats(
          statSyncs,
          statBytesSynced,
          Duration.ofNanos(statLastSyncNanos),
          statGrowths,
          statRemaps,
          backend.name());
    } finally {
      syncLock.unlock();
    }
  }

  /**
   * Syncs a writable file, unmaps it, releases the locks. Idempotent. A vector poisoned by a
   * failed sync still unmaps and unlocks, then throws that failure.
   */
  public void close() throws IOException {
    syncLock.lock();
    try {
      if (closed) {
        return;
      }
      if (flusher != null) {
        flusher.cancel(false);
      }
      IOException failure = null;
      if (!readOnly) {
        try {
          sync("close");
        } catch (IOException e) {
          failure = e;
        } catch (RuntimeException e) {
          failure = new IOException("final sync failed (" + path + ")", e);
        }
      }
      closed = true;
      writeBlocked = true;
      SIZE.setRelease(this, 0L);
      capacity = 0;
      appendLimit = 0;
      try {
        arena.close();
      } finally {
        try {
          file.close();
        } catch (IOException e) {
          if (failure == null) {
            failure = e;
          }
        } finally {
          OpenFiles.unregister(id);
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      syncLock.unlock();
    }
  }

  /** {@return whether {@link #close()} has run} */
  public boolean isClosed() {
    return closed;
  }

  // ---------------------------------------------------------------------------------- errors

  /** Throws {@link VecClosedException} if the storage is closed. */
  public void checkOpen() {
    if (closed) {
      throw closedError();
    }
  }

  private void checkNotPoisoned() throws IOException {
    if (poison != null) {
      throw new IOException("an earlier sync failed; reopen the vector (" + path + ")", poison);
    }
  }

  private void checkWritable() {
    if (writeBlocked) {
      throw writeError(0);
    }
  }

  private VecClosedException closedError() {
    return new VecClosedException("vector is closed (" + path + ")");
  }

  private RuntimeException indexError(long index) {
    if (closed) {
      return closedError();
    }
    return new IndexOutOfBoundsException(
        "index " + index + " out of bounds for length " + size + " (" + path + ")");
  }

  private RuntimeException rangeError(long from, long count) {
    if (closed) {
      return closedError();
    }
    return new IndexOutOfBoundsException(
        "range ["
            + from
            + ", "
            + from
            + " + "
            + count
            + ") out of bounds for length "
            + size
            + " ("
            + path
            + ")");
  }

  private RuntimeException writeError(long index) {
    if (closed) {
      return closedError();
    }
    if (readOnly) {
      return new UnsupportedOperationException("vector is read-only (" + path + ")");
    }
    if (poison != null) {
      return new UncheckedIOException(
          new IOException(
              "vector refuses writes after a failed sync; reopen it (" + path + ")", poison));
    }
    return indexError(index);
  }
}
