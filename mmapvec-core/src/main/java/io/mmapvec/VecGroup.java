package io.mmapvec;

import io.mmapvec.internal.format.ElementLayout;
import io.mmapvec.internal.format.ElementType;
import io.mmapvec.internal.storage.Backend;
import io.mmapvec.internal.storage.GroupStore;
import io.mmapvec.internal.storage.Storage;
import io.mmapvec.internal.storage.SyncTrigger;
import io.mmapvec.internal.struct.RecordCodec;
import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A column group: a directory of named vectors (columns) committed together, so that after a crash
 * or power loss every column is at the same commit.
 *
 * <pre>{@code
 * try (VecGroup g = VecGroup.open(Path.of("ticks"))) {   // creates the directory if absent
 *   LongVec time = g.longVec("time");                      // an empty column if absent
 *   DoubleVec price = g.doubleVec("price");
 *   time.add(1_700_000_000_000L);
 *   price.add(101.25);
 *   g.sync();                                              // one commit for every column
 * }
 * }</pre>
 *
 * <p>Each column is an ordinary vector file {@code NAME.vec} in the directory (readable alone, for
 * example by numpy, read-only); the manifest {@code _manifest} holds every column's committed
 * length in two checksummed slots (docs/FORMAT.md). Column names have 1 to 31 characters from
 * {@code A-Z a-z 0-9 _ $ -}.
 *
 * <p><b>Durability:</b> {@link #sync()} commits every column: each column's data and own header
 * slot become durable, then the manifest slot is written and flushed. That manifest write is the
 * commit: after a crash the group opens at the last commit, every column at that commit's length,
 * each element as the single-vector crash contract says. {@code sync()} (and {@code close()}) on
 * any column of the group commits the whole group; the group's {@link SyncPolicy} applies ({@code
 * everyWrites(n)}: a group commit inside every n-th write to one column; {@code every(d)}: the
 * background flusher commits the group). Columns created and dropped since the last commit become
 * part of the group, or leave it, at the next commit.
 *
 * <p><b>Locks:</b> a writable group holds exclusive locks on its manifest and on every column: a
 * second writer (another process or this JVM) is refused with {@link VecLockedException}. A column
 * file opened alone for writing is refused while it belongs to a group; read-only opens share.
 *
 * <p><b>Threads:</b> not thread-safe, like the vectors: one thread at a time. {@link #close()} may
 * come from another thread.
 *
 * <p><b>Lifetime:</b> the column vectors belong to the group: their {@code close()} commits the
 * group and leaves them open; {@link #close()} closes them all. After the group is closed, every
 * method of it and of its columns throws {@link VecClosedException}.
 */
public final class VecGroup implements Closeable {
  private final GroupStore store;
  private final Map<String, Vec> views = new HashMap<>();

  private VecGroup(GroupStore store) {
    this.store = store;
  }

  /**
   * Opens the group in {@code dir} with {@link VecOptions#defaults()}, creating it if absent.
   *
   * @param dir the group directory
   * @return the open group
   * @throws VecFormatException if {@code dir} is not a group ({@link
   *     VecFormatException.Reason#NOT_A_GROUP}), its manifest is damaged, or a column file is
   *     missing, extra, shorter than the manifest says or of another type; nothing is repaired
   * @throws VecLockedException if another writer, or this JVM, holds the group
   * @throws IOException if the directory or a file cannot be created, opened, locked or mapped
   */
  public static VecGroup open(Path dir) throws IOException {
    return open(dir, VecOptions.defaults());
  }

  /**
   * Opens the group in {@code dir} as {@code options} say (magic, data version, read-only, sync
   * policy: every column uses them). A writable open creates the directory if absent: built under a
   * temporary name and renamed into place, so a crash never leaves a half-made group.
   *
   * @param dir the group directory
   * @param options the group's options
   * @return the open group
   * @throws VecFormatException as {@link #open(Path)} says, or if the magic or data version differ
   * @throws VecLockedException if another writer, or this JVM, holds the group
   * @throws java.nio.file.NoSuchFileException if a read-only open finds no directory
   * @throws IOException if the directory or a file cannot be created, opened, locked or mapped
   */
  public static VecGroup open(Path dir, VecOptions options) throws IOException {
    return open(dir, options, Backend.current());
  }

  /**
   * Opens the group read-only as a stable snapshot, for tools that read every element (export,
   * {@code mmapvec info}): like a read-only {@link #open(Path, VecOptions)}, but refused while a
   * group writer works, and while it is open a writer (any process, this JVM too) is refused. Live
   * readers may share the group.
   *
   * @param dir the group directory
   * @param options magic and data version (read-only is implied)
   * @return the open group, at its last commit; {@link #refresh()} finds nothing newer
   * @throws VecLockedException if a group writer holds the group
   * @throws VecFormatException as {@link #open(Path)} says
   * @throws java.nio.file.NoSuchFileException if there is no directory
   * @throws IOException if a file cannot be opened, locked or mapped
   */
  public static VecGroup openSnapshot(Path dir, VecOptions options) throws IOException {
    return new VecGroup(
        GroupStore.open(dir, options.withReadOnly(true), Backend.current(), true, true));
  }

  static VecGroup open(Path dir, VecOptions options, Backend backend) throws IOException {
    return new VecGroup(GroupStore.open(dir, options, backend, true));
  }

  /**
   * {@return the {@code byte} column {@code name}, created empty if absent (writable group)}
   *
   * @param name the column's name
   * @throws VecFormatException if the column holds another element type
   * @throws java.nio.file.NoSuchFileException if a read-only group has no such column
   * @throws IOException if the column file cannot be created or opened
   */
  public ByteVec byteVec(String name) throws IOException {
    return primitive(name, ElementType.BYTE, ByteVec.class, ByteVec::new);
  }

  /**
   * {@return the {@code short} column {@code name}, created empty if absent (writable group)}
   *
   * @param name the column's name
   * @throws VecFormatException if the column holds another element type
   * @throws java.nio.file.NoSuchFileException if a read-only group has no such column
   * @throws IOException if the column file cannot be created or opened
   */
  public ShortVec shortVec(String name) throws IOException {
    return primitive(name, ElementType.SHORT, ShortVec.class, ShortVec::new);
  }

  /**
   * {@return the {@code int} column {@code name}, created empty if absent (writable group)}
   *
   * @param name the column's name
   * @throws VecFormatException if the column holds another element type
   * @throws java.nio.file.NoSuchFileException if a read-only group has no such column
   * @throws IOException if the column file cannot be created or opened
   */
  public IntVec intVec(String name) throws IOException {
    return primitive(name, ElementType.INT, IntVec.class, IntVec::new);
  }

  /**
   * {@return the {@code long} column {@code name}, created empty if absent (writable group)}
   *
   * @param name the column's name
   * @throws VecFormatException if the column holds another element type
   * @throws java.nio.file.NoSuchFileException if a read-only group has no such column
   * @throws IOException if the column file cannot be created or opened
   */
  public LongVec longVec(String name) throws IOException {
    return primitive(name, ElementType.LONG, LongVec.class, LongVec::new);
  }

  /**
   * {@return the {@code float} column {@code name}, created empty if absent (writable group)}
   *
   * @param name the column's name
   * @throws VecFormatException if the column holds another element type
   * @throws java.nio.file.NoSuchFileException if a read-only group has no such column
   * @throws IOException if the column file cannot be created or opened
   */
  public FloatVec floatVec(String name) throws IOException {
    return primitive(name, ElementType.FLOAT, FloatVec.class, FloatVec::new);
  }

  /**
   * {@return the {@code double} column {@code name}, created empty if absent (writable group)}
   *
   * @param name the column's name
   * @throws VecFormatException if the column holds another element type
   * @throws java.nio.file.NoSuchFileException if a read-only group has no such column
   * @throws IOException if the column file cannot be created or opened
   */
  public DoubleVec doubleVec(String name) throws IOException {
    return primitive(name, ElementType.DOUBLE, DoubleVec.class, DoubleVec::new);
  }

  /**
   * {@return the record column {@code name} (an array of structs), created empty if absent}
   *
   * @param name the column's name
   * @param recordType the record class, as for {@link StructVec#open(Path, Class)}
   * @param <R> the record type
   * @throws VecFormatException if the column holds another element type or record layout
   * @throws IllegalArgumentException if the record cannot be stored (naming the component)
   * @throws IOException if the column file cannot be created or opened
   */
  public <R extends Record> StructVec<R> structVec(String name, Class<R> recordType)
      throws IOException {
    return structVec(name, recordType, null);
  }

  /**
   * {@return the record column {@code name}, for a record only {@code lookup} can access}
   *
   * @param name the column's name
   * @param recordType the record class
   * @param lookup a lookup with access to the record, or null
   * @param <R> the record type
   * @throws VecFormatException if the column holds another element type or record layout
   * @throws IOException if the column file cannot be created or opened
   */
  public <R extends Record> StructVec<R> structVec(
      String name, Class<R> recordType, MethodHandles.Lookup lookup) throws IOException {
    Objects.requireNonNull(recordType, "recordType");
    store.checkOpen();
    RecordCodec codec = RecordCodec.of(recordType, lookup);
    Storage s = store.column(name, codec.layout());
    Vec v = views.get(name);
    if (v instanceof StructVec<?> sv && sv.recordType() == recordType && sv.storage == s) {
      @SuppressWarnings("unchecked")
      StructVec<R> typed = (StructVec<R>) sv;
      return typed;
    }
    StructVec<R> created = new StructVec<>(s, recordType, codec);
    views.put(name, created);
    return created;
  }

  private <V extends Vec> V primitive(
      String name, ElementType type, Class<V> kind, Function<Storage, V> make) throws IOException {
    store.checkOpen();
    Storage s = store.column(name, ElementLayout.of(type));
    Vec v = views.get(name);
    if (kind.isInstance(v) && ((AbstractVec) v).storage == s) {
      return kind.cast(v); // the same file (a reader's refresh may have replaced it)
    }
    V created = make.apply(s);
    views.put(name, created);
    return created;
  }

  /**
   * Drops column {@code name}: its vector is closed at once (its methods then throw {@link
   * VecClosedException}); the column leaves the group at the next commit, and its file is deleted
   * then. Until that commit a crash keeps the column. A dropped name can be added again after the
   * commit.
   *
   * @param name the column
   * @return whether the group had such a column
   * @throws UnsupportedOperationException if the group is read-only
   * @throws IOException if the column cannot be closed
   */
  public boolean drop(String name) throws IOException {
    boolean had = store.drop(name);
    views.remove(name);
    return had;
  }

  /**
   * {@return the names of the committed columns, in manifest order} Columns added since the last
   * commit are not listed until it.
   */
  public List<String> names() {
    return store.names();
  }

  /**
   * A read-only group: shows the newest group commit whose manifest slot is durable, while a group
   * writer (another process, or another {@code VecGroup} in this JVM) may be working. Every column
   * vector then has that commit's length, whatever its file's own slot says, and keeps it until the
   * next refresh: all columns are always at one commit. Columns the commit added are available
   * (through {@code longVec(name)} etc.) and listed by {@link #names()} after the refresh; columns
   * it dropped leave {@link #names()}, and their vectors already handed out stay readable at their
   * last length until the group closes (their mapping survives the writer deleting the file). A
   * column whose name now leads to another file (dropped, then added again) gets a new vector; ask
   * for it again. Element values below the length are racy by nature: each holds the value of the
   * commit shown or a newer one the writer stored since; see {@link #rewriteCount()}. A writable
   * group: nothing (it always shows its own state). Costs two loads when nothing was committed.
   *
   * <p>{@code refresh()} on any column vector of the group refreshes the whole group.
   *
   * <p>Threads: the owner thread, like the column reads.
   *
   * @return the sequence of the group commit shown from now on
   * @throws VecFormatException if a column file of the new commit is missing, of another type, or
   *     shorter than the commit says
   * @throws VecClosedException if the group is closed
   * @throws IOException if the manifest or a column cannot be read or mapped
   */
  public long refresh() throws IOException {
    return store.refresh();
  }

  /**
   * A read-only group: {@link #refresh()}es until a newer group commit shows or {@code timeout}
   * passes (a short spin, then sleeps from 20 µs doubling up to 1 ms; no timing is promised). A
   * writable group returns at once.
   *
   * @param timeout the longest wait
   * @return the sequence of the group commit shown from now on (unchanged if none came)
   * @throws InterruptedException if the thread is interrupted while waiting
   * @throws IOException as {@link #refresh()}
   */
  public long awaitCommit(Duration timeout) throws IOException, InterruptedException {
    return store.awaitCommit(timeout);
  }

  /**
   * {@return the group's rewrite counter, of the commit shown (reader) or written last (writer)}
   * Compare it across {@link #refresh()}: equal means no element below the lengths seen before
   * changed in the commits in between (columns only grew); different means some may have (a set,
   * remove, insert, truncation or writable segment view in any column): re-read them.
   */
  public long rewriteCount() {
    return store.rewriteCount();
  }

  /**
   * {@return the sequence number of the last group commit (1 for a new group); a read-only group:
   * of the commit shown}
   */
  public long sequence() {
    store.checkOpen();
    return store.committed().sequence();
  }

  /** {@return the group directory, as given at open} */
  public Path dir() {
    store.checkOpen();
    return store.dir();
  }

  /** {@return the options the group was opened with} */
  public VecOptions options() {
    store.checkOpen();
    return store.options();
  }

  /**
   * Commits every column as one (see the class comment). Costs the columns' own syncs (nothing for
   * a column that did not change) plus, if any length or the set of columns changed, one manifest
   * slot write and {@code fdatasync}. Does nothing on a read-only group.
   *
   * @throws IOException if a column or the manifest cannot be made durable; the group is then
   *     poisoned: every later commit throws until it is reopened
   */
  public void sync() throws IOException {
    store.commit(SyncTrigger.EXPLICIT);
  }

  /**
   * Commits a writable group, closes every column and releases the locks. Idempotent.
   *
   * @throws IOException if the final commit fails; everything is still closed and unlocked
   */
  @Override
  public void close() throws IOException {
    store.close();
  }

  /** {@return the directory and the committed columns, for logs} */
  @Override
  public String toString() {
    return "VecGroup[" + store.dir() + (store.isClosed() ? ", closed]" : ", " + names() + "]");
  }
}
