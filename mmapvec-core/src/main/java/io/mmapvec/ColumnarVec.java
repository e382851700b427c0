package io.mmapvec;

import io.mmapvec.VecFormatException.Reason;
import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.FieldLayout;
import io.mmapvec.internal.format.GroupManifestFormat.Column;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.GroupStore;
import io.mmapvec.internal.storage.Storage;
import io.mmapvec.internal.storage.SyncTrigger;
import io.mmapvec.internal.struct.RecordCodec;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Records stored column-wise (a struct of arrays): one column vector per record component, in a
 * {@link VecGroup} directory, all committed as one. A scan of one component reads only that
 * component's file, as a zero-copy typed vector ({@link #column(String, Class)}).
 *
 * <pre>{@code
 * record Tick(long time, double price, int qty) {}
 *
 * try (ColumnarVec<Tick> ticks = ColumnarVec.open(Path.of("ticks"), Tick.class)) {
 *   ticks.add(new Tick(1_700_000_000_000L, 101.25, 300));
 *   DoubleVec price = ticks.column("price", DoubleVec.class); // zero-copy, fixed length
 *   double sum = 0;
 *   for (long i = 0; i < price.size(); i++) {
 *     sum += price.get(i);
 *   }
 *   ticks.sync(); // one commit for every column
 * }
 * }</pre>
 *
 * <p>Every method that changes the length changes every column the same way, so the columns are
 * always equally long; it reserves room in every column first, so a full disk fails before any
 * column changed. The group's manifest records the columns in component order with their names and
 * types: opening with a record of another layout is {@link Reason#ELEMENT_TYPE_MISMATCH} naming the
 * first differing component.
 *
 * <p><b>Durability:</b> as {@link VecGroup}: {@link #sync()} (and {@code close()}, and {@code
 * sync()} on a column) commits every column as one; after a crash every column is at the same
 * committed row count. The sync policy counts calls of this object: {@code everyWrites(n)} commits
 * inside every n-th mutating call; {@code every(d)} commits in the background, never in the middle
 * of a call (each mutating call then holds the group's commit lock). Writes through {@link #column}
 * views are data like any other and reach the device at the next commit.
 *
 * <p><b>Threads:</b> not thread-safe: one thread at a time; {@link #close()} may come from another
 * thread.
 *
 * <p><b>Lifetime:</b> after {@link #close()} every method, and every column view, throws {@link
 * VecClosedException}.
 *
 * @param <R> the record type
 */
public final class ColumnarVec<R extends Record> implements Closeable {
  private static final String FIXED =
      "a column of a ColumnarVec has the record vector's length; change it through the"
          + " ColumnarVec";

  private final GroupStore store;
  private final Class<R> recordType;
  private final RecordCodec codec;
  private final Storage[] columns;
  private final long[] offsets;
  private final long[] sizes;
  private final MemorySegment scratch;
  private final ReentrantLock lock;
  private final long writesPerCommit;
  private final Map<String, Vec> views = new HashMap<>();
  private long writesUntilCommit;

  private ColumnarVec(GroupStore store, Class<R> recordType, RecordCodec codec) {
    this.store = store;
    this.recordType = recordType;
    this.codec = codec;
    List<FieldLayout> fields = codec.layout().fields();
    this.columns = store.openColumns().toArray(new Storage[0]);
    this.offsets = new long[fields.size()];
    this.sizes = new long[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      offsets[i] = fields.get(i).offset();
      sizes[i] = fields.get(i).type().byteSize();
      columns[i].fixLength(FIXED);
    }
    this.scratch = Arena.ofAuto().allocate(codec.layout().elementSize(), 8);
    this.lock = store.hasFlusher() ? store.commitLock() : null;
    this.writesPerCommit =
        store.options().syncPolicy() instanceof SyncPolicy.EveryWrites(long n) ? n : Long.MAX_VALUE;
    this.writesUntilCommit = writesPerCommit;
  }

  /**
   * Opens the records in directory {@code dir}, creating the group (one empty column per component)
   * if absent, with {@link VecOptions#defaults()}.
   *
   * @param dir the group directory
   * @param recordType the record class: components of {@code byte, short, char, int, long, float,
   *     double, boolean}
   * @param <R> the record type
   * @return the open vector
   * @throws VecFormatException if the directory is not a group, is damaged, or holds another record
   *     layout ({@link Reason#ELEMENT_TYPE_MISMATCH}, naming the first differing component) or
   *     columns of different lengths
   * @throws VecLockedException if another writer, or this JVM, holds the group
   * @throws IllegalArgumentException if the record cannot be stored (naming the component)
   * @throws IOException if a file cannot be created, opened, locked or mapped
   */
  public static <R extends Record> ColumnarVec<R> open(Path dir, Class<R> recordType)
      throws IOException {
    return open(dir, recordType, VecOptions.defaults());
  }

  /**
   * Opens the records in {@code dir} as {@code options} say; see {@link #open(Path, Class)}.
   *
   * @param dir the group directory
   * @param recordType the record class
   * @param options magic, data version, read-only, sync policy
   * @param <R> the record type
   * @return the open vector
   * @throws VecFormatException as {@link #open(Path, Class)} says
   * @throws VecLockedException if another writer, or this JVM, holds the group
   * @throws IOException if a file cannot be created, opened, locked or mapped
   */
  public static <R extends Record> ColumnarVec<R> open(
      Path dir, Class<R> recordType, VecOptions options) throws IOException {
    return open(dir, recordType, options, null, Backend.current());
  }

  /**
   * Opens the records in {@code dir}, for a record only {@code lookup} can access.
   *
   * @param dir the group directory
   * @param recordType the record class
   * @param options magic, data version, read-only, sync policy
   * @param lookup a lookup with access to the record, or null
   * @param <R> the record type
   * @return the open vector
   * @throws VecFormatException as {@link #open(Path, Class)} says
   * @throws VecLockedException if another writer, or this JVM, holds the group
   * @throws IOException if a file cannot be created, opened, locked or mapped
   */
  public static <R extends Record> ColumnarVec<R> open(
      Path dir, Class<R> recordType, VecOptions options, MethodHandles.Lookup lookup)
      throws IOException {
    return open(dir, recordType, options, lookup, Backend.current());
  }

  static <R extends Record> ColumnarVec<R> open(
      Path dir,
      Class<R> recordType,
      VecOptions options,
      MethodHandles.Lookup lookup,
      Backend backend)
      throws IOException {
    Objects.requireNonNull(recordType, "recordType");
    RecordCodec codec = RecordCodec.of(recordType, lookup);
    List<FieldLayout> fields = codec.layout().fields();
    GroupStore store = GroupStore.open(dir, options, backend, false);
    try {
      List<Column> committed = store.committed().columns();
      if (committed.isEmpty() && !options.readOnly()) {
        // Under the commit lock: the background flusher (SyncPolicy.every) must not commit a
        // record layout with only some of its columns (a crash would then leave it for good).
        store.commitLock().lock();
        try {
          for (FieldLayout f : fields) {
            store.column(f.name(), ElementLayout.of(f.type()));
          }
          store.commit(SyncTrigger.EXPLICIT);
        } finally {
          store.commitLock().unlock();
        }
      } else {
        checkLayout(committed, fields, store.dir().resolve(GroupStore.MANIFEST));
        checkLengths(store);
      }
      return new ColumnarVec<>(store, recordType, codec);
    } catch (Throwable t) {
      try {
        store.close();
      } catch (IOException | RuntimeException e) {
        t.addSuppressed(e);
      }
      throw t;
    }
  }

  private static void checkLayout(List<Column> committed, List<FieldLayout> fields, Path manifest)
      throws VecFormatException {
    int n = Math.max(committed.size(), fields.size());
    for (int i = 0; i < n; i++) {
      Column c = i < committed.size() ? committed.get(i) : null;
      FieldLayout f = i < fields.size() ? fields.get(i) : null;
      String inGroup = c == null ? "absent" : "'" + c.name() + "' " + c.type().javaName();
      String inRecord = f == null ? "absent" : "'" + f.name() + "' " + f.type().javaName();
      if (c == null || f == null || !c.name().equals(f.name()) || c.type() != f.type()) {
        throw new VecFormatException(
            Reason.ELEMENT_TYPE_MISMATCH,
            "component " + i + " is " + inGroup + " in the group, " + inRecord + " in the record",
            manifest);
      }
    }
  }

  private static void checkLengths(GroupStore store) throws VecFormatException {
    List<Storage> cols = store.openColumns();
    long first = cols.get(0).size();
    for (Storage s : cols) {
      if (s.size() != first) {
        throw new VecFormatException(
            Reason.TRUNCATED,
            "column has "
                + s.size()
                + " rows, column "
                + cols.get(0).path().getFileName()
                + " has "
                + first
                + ": the columns of a record vector must be equally long",
            s.path());
      }
    }
  }

  // ------------------------------------------------------------------------------------ reads

  /** {@return the number of records} */
  public long size() {
    return columns[0].size();
  }

  /** {@return whether there are no records} */
  public boolean isEmpty() {
    return size() == 0;
  }

  /** {@return how many records fit without growing any column} */
  public long capacity() {
    long c = Long.MAX_VALUE;
    for (Storage s : columns) {
      c = Math.min(c, s.capacity());
    }
    return c;
  }

  /** {@return the record class} */
  public Class<R> recordType() {
    store.checkOpen();
    return recordType;
  }

  /** {@return the group directory, as given at open} */
  public Path path() {
    store.checkOpen();
    return store.dir();
  }

  /** {@return the options given at open} */
  public VecOptions options() {
    store.checkOpen();
    return store.options();
  }

  /** {@return the column names: the record's component names, in order} */
  public List<String> names() {
    return store.names();
  }

  /**
   * {@return the record at {@code index}, built from every column}
   *
   * @param index from 0 to {@code size() - 1}
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   */
  public R get(long index) {
    for (int c = 0; c < columns.length; c++) {
      Storage s = columns[c];
      long i = s.readIndex(index);
      MemorySegment.copy(s.data(), i * sizes[c], scratch, offsets[c], sizes[c]);
    }
    return recordType.cast(codec.read(scratch, 0));
  }

  /**
   * {@return the column {@code name} as a zero-copy vector} Reads and {@code set} work as on any
   * vector; methods that change its length throw {@link UnsupportedOperationException}. Its {@code
   * sync()} and {@code close()} commit the group; it is closed with this vector.
   *
   * @param name a component name
   * @throws IllegalArgumentException if the record has no such component
   * @throws UnsupportedOperationException for a {@code char} or {@code boolean} component (no
   *     vector type holds them)
   */
  public Vec column(String name) {
    store.checkOpen();
    Vec v = views.get(name);
    if (v != null) {
      return v;
    }
    int c = indexOf(name);
    Storage s = columns[c];
    v =
        switch (s.layout().type()) {
          case BYTE -> new ByteVec(s);
          case SHORT -> new ShortVec(s);
          case INT -> new IntVec(s);
          case LONG -> new LongVec(s);
          case FLOAT -> new FloatVec(s);
          case DOUBLE -> new DoubleVec(s);
          default ->
              throw new UnsupportedOperationException(
                  "component '"
                      + name
                      + "' is "
                      + s.layout().type().javaName()
                      + ": no vector type holds it; read it through get()");
        };
    views.put(name, v);
    return v;
  }

  /**
   * {@return the column {@code name} as a vector of type {@code type}}, e.g. {@code column("price",
   * DoubleVec.class)}; see {@link #column(String)}.
   *
   * @param name a component name
   * @param type the vector class the component's type gives
   * @param <V> the vector type
   * @throws ClassCastException if the component is of another type, naming both
   */
  public <V extends Vec> V column(String name, Class<V> type) {
    Vec v = column(name);
    if (!type.isInstance(v)) {
      throw new ClassCastException(
          "component '"
              + name
              + "' is a "
              + v.getClass().getSimpleName()
              + ", not a "
              + type.getSimpleName()
              + " ("
              + store.dir()
              + ")");
    }
    return type.cast(v);
  }

  /**
   * {@return the bytes of column {@code name}, zero-copy: {@code size()} values of the component's
   * type in this machine's byte order, for every component type} The one way to reach a {@code
   * char} or {@code boolean} column in bulk (one byte per {@code boolean}, 0 or 1), for exporters
   * and importers. The view of a read-only vector is read-only; writes through the view of a
   * writable one are data like any other, reach the device at the next commit and count as a
   * rewrite. Like {@link Vec#asSegment()}, the view keeps the length it had when taken and stays
   * valid until the vector is closed, shrunk or remapped by growth; after that, using it throws
   * {@link IllegalStateException}, never crashes.
   *
   * @param name a component name
   * @throws IllegalArgumentException if the record has no such component
   * @throws VecClosedException after {@link #close()}
   */
  public MemorySegment columnSegment(String name) {
    store.checkOpen();
    return columns[indexOf(name)].asSegment();
  }

  /**
   * {@return the sequence number of the group commit this vector shows (1 for a new group): a
   * read-only vector's as of its last {@link #refresh()}} As {@link VecGroup#sequence()}; exporters
   * record it.
   *
   * @throws VecClosedException after {@link #close()}
   */
  public long sequence() {
    store.checkOpen();
    return store.committed().sequence();
  }

  private int indexOf(String name) {
    List<FieldLayout> fields = codec.layout().fields();
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        recordType.getSimpleName() + " has no component '" + name + "' (" + store.dir() + ")");
  }

  /** {@return the records, copied into a new list} */
  public List<R> toList() {
    long n = size();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException(n + " records do not fit in a list (" + store.dir() + ")");
    }
    List<R> out = new ArrayList<>((int) n);
    for (long i = 0; i < n; i++) {
      out.add(get(i));
    }
    return out;
  }

  /** {@return a stream of the records present now} */
  public Stream<R> stream() {
    return LongStream.range(0, size()).mapToObj(this::get);
  }

  /** {@return an iterator over the records} */
  public Iterator<R> iterator() {
    store.checkOpen();
    return new Iterator<>() {
      private long next;

      @Override
      public boolean hasNext() {
        return next < size();
      }

      @Override
      public R next() {
        if (next >= size()) {
          throw new NoSuchElementException();
        }
        return get(next++);
      }
    };
  }

  /**
   * Passes every record, in order, to {@code action}.
   *
   * @param action what to do with each record
   */
  public void forEach(Consumer<? super R> action) {
    long n = size();
    for (long i = 0; i < n; i++) {
      action.accept(get(i));
    }
  }

  // ------------------------------------------------------------------------------------ writes

  /**
   * Replaces the record at {@code index} (every column).
   *
   * @param index from 0 to {@code size() - 1}
   * @param record the new record
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws UnsupportedOperationException if read-only
   */
  public void set(long index, R record) {
    Objects.requireNonNull(record, "record");
    begin();
    try {
      columns[0].writeIndex(index);
      codec.write(scratch, 0, record);
      for (int c = 0; c < columns.length; c++) {
        Storage s = columns[c];
        long i = s.writeIndex(index);
        MemorySegment.copy(scratch, offsets[c], s.data(), i * sizes[c], sizes[c]);
      }
    } finally {
      end();
    }
    wrote();
  }

  /**
   * Appends {@code record} to every column, growing them first as needed.
   *
   * @param record the record
   * @throws UncheckedIOException if a column cannot grow; no column changed
   * @throws UnsupportedOperationException if read-only
   */
  public void add(R record) {
    Objects.requireNonNull(record, "record");
    begin();
    try {
      reserveAll(1);
      codec.write(scratch, 0, record);
      for (int c = 0; c < columns.length; c++) {
        Storage s = columns[c];
        long i = s.appendSlot();
        MemorySegment.copy(scratch, offsets[c], s.data(), i * sizes[c], sizes[c]);
        s.appended(i);
      }
    } finally {
      end();
    }
    wrote();
  }

  /**
   * Appends every record of {@code records}, in order (one call for the sync policy).
   *
   * @param records the records
   * @throws UncheckedIOException if a column cannot grow; no column changed
   * @throws UnsupportedOperationException if read-only
   */
  public void addAll(Collection<? extends R> records) {
    List<? extends R> copy = List.copyOf(records);
    begin();
    try {
      reserveAll(copy.size());
      for (R r : copy) {
        codec.write(scratch, 0, r);
        for (int c = 0; c < columns.length; c++) {
          Storage s = columns[c];
          long i = s.appendSlot();
          MemorySegment.copy(scratch, offsets[c], s.data(), i * sizes[c], sizes[c]);
          s.appended(i);
        }
      }
    } finally {
      end();
    }
    wrote();
  }

  /**
   * Inserts {@code record} at {@code index}, shifting later records up by one.
   *
   * @param index from 0 to {@code size()}
   * @param record the record
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws UncheckedIOException if a column cannot grow; no column changed
   * @throws UnsupportedOperationException if read-only
   */
  public void insertAt(long index, R record) {
    Objects.requireNonNull(record, "record");
    begin();
    try {
      if (index < 0 || index > size()) {
        throw new IndexOutOfBoundsException(
            "insert index "
                + index
                + " out of bounds for length "
                + size()
                + " ("
                + store.dir()
                + ")");
      }
      reserveAll(1);
      codec.write(scratch, 0, record);
      for (int c = 0; c < columns.length; c++) {
        Storage s = columns[c];
        long i = s.openGap(index, 1);
        MemorySegment.copy(scratch, offsets[c], s.data(), i * sizes[c], sizes[c]);
        s.inserted(1);
      }
    } finally {
      end();
    }
    wrote();
  }

  /**
   * Removes the record at {@code index}, shifting later records down by one.
   *
   * @param index from 0 to {@code size() - 1}
   * @return the removed record
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws UnsupportedOperationException if read-only
   */
  public R removeAt(long index) {
    R removed;
    begin();
    try {
      columns[0].writeIndex(index);
      removed = get(index);
      for (Storage s : columns) {
        s.closeGap(s.writeIndex(index), 1);
      }
    } finally {
      end();
    }
    wrote();
    return removed;
  }

  /**
   * Removes the record at {@code index} by moving the last record into its place.
   *
   * @param index from 0 to {@code size() - 1}
   * @return the removed record
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   * @throws UnsupportedOperationException if read-only
   */
  public R swapRemoveAt(long index) {
    R removed;
    begin();
    try {
      columns[0].writeIndex(index);
      removed = get(index);
      for (Storage s : columns) {
        s.swapRemove(s.writeIndex(index));
      }
    } finally {
      end();
    }
    wrote();
    return removed;
  }

  /**
   * Removes the last record.
   *
   * @return the removed record
   * @throws NoSuchElementException if empty
   * @throws UnsupportedOperationException if read-only
   */
  public R removeLast() {
    R removed;
    begin();
    try {
      long n = size();
      if (n == 0) {
        columns[0].popIndex(); // throws the right exception: read-only, closed or empty
      }
      columns[0].writeIndex(n - 1);
      removed = get(n - 1);
      for (Storage s : columns) {
        s.popIndex();
      }
    } finally {
      end();
    }
    wrote();
    return removed;
  }

  /**
   * Shortens every column to {@code newSize} records; does nothing if not shorter.
   *
   * @param newSize the new size, at least 0
   * @throws IllegalArgumentException if negative
   * @throws UnsupportedOperationException if read-only
   */
  public void truncate(long newSize) {
    begin();
    try {
      for (Storage s : columns) {
        s.truncate(newSize);
      }
    } finally {
      end();
    }
    wrote();
  }

  /**
   * Removes every record.
   *
   * @throws UnsupportedOperationException if read-only
   */
  public void clear() {
    truncate(0);
  }

  /**
   * Sets the size to {@code newSize}: shortens, or appends copies of {@code fill}.
   *
   * @param newSize the new size, at least 0
   * @param fill the record new rows get
   * @throws IllegalArgumentException if negative
   * @throws UncheckedIOException if a column cannot grow; no column changed
   * @throws UnsupportedOperationException if read-only
   */
  public void resize(long newSize, R fill) {
    Objects.requireNonNull(fill, "fill");
    begin();
    try {
      if (newSize < 0) {
        throw new IllegalArgumentException(
            "new size " + newSize + " is negative (" + store.dir() + ")");
      }
      reserveAll(Math.max(0, newSize - size()));
      codec.write(scratch, 0, fill);
      for (int c = 0; c < columns.length; c++) {
        columns[c].resize(newSize, scratch.asSlice(offsets[c], sizes[c]));
      }
    } finally {
      end();
    }
    wrote();
  }

  /**
   * Makes room for {@code additional} more records in every column, allocating now.
   *
   * @param additional how many more records must fit
   * @throws IOException if a column cannot grow
   * @throws UnsupportedOperationException if read-only
   */
  public void reserve(long additional) throws IOException {
    for (Storage s : columns) {
      s.reserve(additional);
    }
  }

  /**
   * Commits, then shrinks every column file to fit its records (see {@link Vec#shrinkToFit()}).
   *
   * @throws IOException if the commit or a shrink fails
   * @throws UnsupportedOperationException if read-only
   */
  public void shrinkToFit() throws IOException {
    begin();
    try {
      for (Storage s : columns) {
        s.fixLength(null);
        try {
          s.shrinkToFit();
        } finally {
          s.fixLength(FIXED);
        }
      }
    } finally {
      end();
    }
  }

  /**
   * A read-only open: shows the newest group commit whose manifest slot is durable (a writer, in
   * this process or another, may be appending meanwhile); every column, and {@link #size()}, then
   * has that commit's length, the same for all columns. Nothing changes between two refreshes but
   * element values the writer rewrites in place (racy by nature; see {@link #rewriteCount()}). A
   * writable open: nothing. Costs two loads when nothing was committed since. The column vectors of
   * {@link #column(String)} follow too (their own {@code refresh()} refreshes the whole group).
   *
   * <p>Threads: the owner thread, like every read; see {@link VecGroup#refresh()}.
   *
   * @return the group commit sequence shown from now on
   * @throws VecFormatException if the newest commit no longer matches the record's layout, its
   *     columns are of different lengths, or a column file is missing or shorter than it says
   * @throws VecClosedException if the vector is closed
   * @throws IOException if the manifest or a column cannot be read or mapped
   */
  public long refresh() throws IOException {
    long seq = store.refresh();
    List<Storage> now = store.openColumns();
    for (int i = 0; i < columns.length; i++) {
      if (now.get(i) != columns[i]) { // the writer replaced the file (drop, then add)
        checkLayout(store.committed().columns(), codec.layout().fields(), store.dir());
        columns[i] = now.get(i);
        columns[i].fixLength(FIXED);
        views.clear();
      }
    }
    checkLengths(store);
    return seq;
  }

  /**
   * A read-only open: {@link #refresh()}es until a newer group commit shows or {@code timeout}
   * passes (a short spin, then sleeps from 20 µs doubling up to 1 ms; no timing is promised); a
   * writable open: returns at once.
   *
   * @param timeout the longest wait
   * @return the group commit sequence shown from now on
   * @throws InterruptedException if the thread is interrupted while waiting
   * @throws IOException as {@link #refresh()}
   */
  public long awaitCommit(Duration timeout) throws IOException, InterruptedException {
    long seq = store.awaitCommit(timeout);
    refresh();
    return seq;
  }

  /**
   * {@return the group's rewrite counter, of the commit shown (reader) or written last (writer)}
   * Compare it across {@link #refresh()}: equal means the records below the size seen before did
   * not change in the commits in between (only records were appended); different means some may
   * have (a set, remove, insert, truncation, or a writable segment view of a column).
   */
  public long rewriteCount() {
    return store.rewriteCount();
  }

  /**
   * Commits every column as one: after it returns, a crash leaves every column at this length.
   *
   * @throws IOException if a column or the manifest cannot be made durable
   */
  public void sync() throws IOException {
    store.commit(SyncTrigger.EXPLICIT);
    writesUntilCommit = writesPerCommit;
  }

  /**
   * Commits (if writable), closes every column and releases the locks. Idempotent.
   *
   * @throws IOException if the final commit fails; everything is still closed and unlocked
   */
  @Override
  public void close() throws IOException {
    store.close();
  }

  /** {@return the type, directory and size, for logs} */
  @Override
  public String toString() {
    return "ColumnarVec<"
        + recordType.getSimpleName()
        + ">["
        + store.dir()
        + (store.isClosed() ? ", closed]" : ", size=" + size() + "]");
  }

  // ------------------------------------------------------------------------------------ helpers

  private void reserveAll(long additional) {
    for (Storage s : columns) {
      try {
        s.reserve(additional);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot grow column " + s.path().getFileName() + "; no column changed", e);
      }
    }
  }

  /** Lets this object change the columns' lengths (and excludes the background commit). */
  private void begin() {
    store.checkOpen();
    if (lock != null) {
      lock.lock();
    }
    for (Storage s : columns) {
      s.fixLength(null);
    }
  }

  private void end() {
    for (Storage s : columns) {
      s.fixLength(FIXED);
    }
    if (lock != null) {
      lock.unlock();
    }
  }

  private void wrote() {
    if (--writesUntilCommit <= 0) {
      writesUntilCommit = writesPerCommit;
      try {
        store.commit(SyncTrigger.EVERY_WRITES);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "group commit after " + writesPerCommit + " writes failed", e);
      }
    }
  }
}
