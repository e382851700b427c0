package io.mmapvec.bench;

import io.mmapvec.LongVec;
import io.mmapvec.VecOptions;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.openhft.chronicle.bytes.MappedBytes;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.IndexTreeList;
import org.mapdb.Serializer;

/**
 * The contenders of the peer benchmarks, by the name their {@code @Param} uses. Each is what a user
 * would write with that library to keep a growable run of longs, in its fastest ordinary
 * configuration (no tuning beyond what its documentation suggests for bulk work).
 *
 * <ul>
 *   <li>{@code longArray}: a heap {@code long[]} grown by doubling (the baseline of every ratio);
 *   <li>{@code fastutil}: fastutil's {@code LongArrayList};
 *   <li>{@code mmapvec}: a {@link LongVec}; {@code mmapvecRO}: the same file reopened read-only;
 *   <li>{@code segment}: a bare FFM {@code FileChannel.map} {@link MemorySegment}, the file
 *       extended (sparse) and remapped by doubling: no header, no length, no block allocation;
 *   <li>{@code mappedBuffer}: {@link MappedByteBuffer}s of 1 GiB each, mapped as the data reaches
 *       them (mapping extends the file, sparse);
 *   <li>{@code channelWrite}: {@code FileChannel.write} of 1 MiB direct buffers, {@code force} to
 *       sync: the "just write the bytes" limit of appending (no random access);
 *   <li>{@code chronicle}: Chronicle Bytes {@code MappedBytes} (64 MiB chunks);
 *   <li>{@code agrona}: Agrona's {@link UnsafeBuffer} over a {@code MappedByteBuffer}, remapped by
 *       doubling (a {@code MappedByteBuffer} holds at most 2 GiB, so this contender too);
 *   <li>{@code mapdb}: MapDB's {@code IndexTreeList<Long>} in a memory-mapped file store, {@code
 *       commit} to sync;
 *   <li>{@code lmdb}: lmdbjava, one database keyed by the index ({@code MDB_INTEGERKEY}), appends
 *       with {@code MDB_APPEND}, writes committed every {@value #LMDB_BATCH} operations, the
 *       environment opened {@code MDB_NOSYNC} and synced by {@code Env.sync(true)}.
 * </ul>
 */
final class Contenders {
  private Contenders() {}

  /** Writes per lmdb write transaction: one transaction for 10M puts would overflow its limits. */
  static final int LMDB_BATCH = 1 << 20;

  /**
   * {@return a new, empty store of the contender {@code name}, its files (if any) in {@code dir}}
   *
   * @param name the contender's {@code @Param} name
   * @param dir an empty directory
   * @param capacityHint how many elements will be stored (lmdb needs its map size up front)
   * @throws IOException if its file cannot be created
   */
  static LongStore open(String name, Path dir, long capacityHint) throws IOException {
    Path file = dir.resolve(name + ".data");
    return switch (name) {
      case "longArray" -> new HeapArray();
      case "fastutil" -> new Fastutil();
      case "mmapvec" -> new Mmapvec(LongVec.open(file));
      case "segment" -> new Segment(file);
      case "mappedBuffer" -> new MappedBuffers(file);
      case "channelWrite" -> new ChannelWrite(file);
      case "chronicle" -> new Chronicle(file);
      case "agrona" -> new Agrona(file);
      case "mapdb" -> new MapDb(file);
      case "lmdb" -> new Lmdb(file, capacityHint);
      default -> throw new IllegalArgumentException("no such contender: " + name);
    };
  }

  /**
   * {@return a store of the contender {@code name} holding {@code n} elements, {@link
   * BenchFiles#valueAt(long)} at each index, synced} {@code mmapvecRO} is an {@code mmapvec}
   * filled, closed and reopened read-only.
   *
   * @throws IOException if it cannot be created or filled
   */
  static LongStore filled(String name, Path dir, long n) throws IOException {
    boolean readOnly = name.equals("mmapvecRO");
    LongStore s = open(readOnly ? "mmapvec" : name, dir, n);
    for (long i = 0; i < n; i++) {
      s.add(BenchFiles.valueAt(i));
    }
    s.sync();
    if (readOnly) {
      s.close();
      s =
          new Mmapvec(
              LongVec.open(dir.resolve("mmapvec.data"), VecOptions.defaults().withReadOnly(true)));
    }
    if (s.size() != n || (n > 0 && s.get(n - 1) != BenchFiles.valueAt(n - 1))) {
      throw new IllegalStateException(name + " does not hold what was written");
    }
    return s;
  }

  /** A heap {@code long[]} grown by doubling. */
  static final class HeapArray implements LongStore {
    private final io.mmapvec.bench.LongArrayList list = new io.mmapvec.bench.LongArrayList();

    @Override
    public void add(long value) {
      list.add(value);
    }

    @Override
    public long get(long index) {
      return list.get((int) index);
    }

    @Override
    public void set(long index, long value) {
      list.set((int) index, value);
    }

    @Override
    public long size() {
      return list.size();
    }

    @Override
    public void sync() {
      // Nothing to make durable: the durable-append table leaves the heap contenders out.
    }

    @Override
    public void close() {}
  }

  /** fastutil's {@code LongArrayList} (grows by half). */
  static final class Fastutil implements LongStore {
    private final LongArrayList list = new LongArrayList();

    @Override
    public void add(long value) {
      list.add(value);
    }

    @Override
    public long get(long index) {
      return list.getLong((int) index);
    }

    @Override
    public void set(long index, long value) {
      list.set((int) index, value);
    }

    @Override
    public long size() {
      return list.size();
    }

    @Override
    public void sync() {
      // Nothing to make durable: the durable-append table leaves the heap contenders out.
    }

    @Override
    public void close() {}
  }

  /** mmapvec's {@link LongVec}. */
  static final class Mmapvec implements LongStore {
    private final LongVec vec;

    Mmapvec(LongVec vec) {
      this.vec = vec;
    }

    @Override
    public void add(long value) {
      vec.add(value);
    }

    @Override
    public long get(long index) {
      return vec.get(index);
    }

    @Override
    public void set(long index, long value) {
      vec.set(index, value);
    }

    @Override
    public long size() {
      return vec.size();
    }

    @Override
    public void sync() throws IOException {
      vec.sync();
    }

    @Override
    public void close() throws IOException {
      vec.close();
    }
  }

  /** A bare FFM mapping, extended and remapped by doubling. */
  static final class Segment implements LongStore {
    private static final long INITIAL_BYTES = 1 << 16;
    private final FileChannel channel;
    private Arena arena;
    private MemorySegment segment;
    private long capacity;
    private long size;

    Segment(Path file) throws IOException {
      channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      remap(INITIAL_BYTES);
    }

    private void remap(long bytes) throws IOException {
      Arena next = Arena.ofShared();
      segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, next);
      if (arena != null) {
        arena.close();
      }
      arena = next;
      capacity = bytes / Long.BYTES;
    }

    @Override
    public void add(long value) {
      if (size == capacity) {
        try {
          remap(capacity * 2 * Long.BYTES);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      segment.setAtIndex(ValueLayout.JAVA_LONG, size++, value);
    }

    @Override
    public long get(long index) {
      return segment.getAtIndex(ValueLayout.JAVA_LONG, index);
    }

    @Override
    public void set(long index, long value) {
      segment.setAtIndex(ValueLayout.JAVA_LONG, index, value);
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void sync() throws IOException {
      segment.force();
      channel.force(false);
    }

    @Override
    public void close() throws IOException {
      arena.close();
      channel.close();
    }
  }

  /** {@code MappedByteBuffer}s of 1 GiB, mapped as the data reaches them. */
  static final class MappedBuffers implements LongStore {
    private static final int SHIFT = 27; // longs per chunk: 2^27 = 1 GiB
    private static final long MASK = (1L << SHIFT) - 1;
    private final FileChannel channel;
    private MappedByteBuffer[] chunks = new MappedByteBuffer[0];
    private ByteBuffer[] views = new ByteBuffer[0];
    private long size;
    private long capacity;

    MappedBuffers(Path file) throws IOException {
      channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
    }

    private void mapNext() {
      int c = chunks.length;
      try {
        MappedByteBuffer m =
            channel.map(FileChannel.MapMode.READ_WRITE, (long) c << (SHIFT + 3), 1L << (SHIFT + 3));
        chunks = java.util.Arrays.copyOf(chunks, c + 1);
        views = java.util.Arrays.copyOf(views, c + 1);
        chunks[c] = m;
        views[c] = m.duplicate().order(ByteOrder.nativeOrder());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      capacity = (long) (c + 1) << SHIFT;
    }

    @Override
    public void add(long value) {
      if (size == capacity) {
        mapNext();
      }
      set(size++, value);
    }

    @Override
    public long get(long index) {
      return views[(int) (index >>> SHIFT)].getLong((int) (index & MASK) << 3);
    }

    @Override
    public void set(long index, long value) {
      views[(int) (index >>> SHIFT)].putLong((int) (index & MASK) << 3, value);
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void sync() throws IOException {
      for (MappedByteBuffer m : chunks) {
        m.force();
      }
      channel.force(false);
    }

    @Override
    public void close() throws IOException {
      channel.close(); // the chunks are unmapped when collected
    }
  }

  /** {@code FileChannel.write} of 1 MiB direct buffers; append only. */
  static final class ChannelWrite implements LongStore {
    private final FileChannel channel;
    private final ByteBuffer buffer =
        ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder());
    private long size;

    ChannelWrite(Path file) throws IOException {
      channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    @Override
    public void add(long value) {
      if (!buffer.hasRemaining()) {
        flush();
      }
      buffer.putLong(value);
      size++;
    }

    private void flush() {
      buffer.flip();
      try {
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      buffer.clear();
    }

    @Override
    public long get(long index) {
      throw new UnsupportedOperationException("channelWrite only appends");
    }

    @Override
    public void set(long index, long value) {
      throw new UnsupportedOperationException("channelWrite only appends");
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void sync() throws IOException {
      flush();
      channel.force(false);
    }

    @Override
    public void close() throws IOException {
      flush();
      channel.close();
    }
  }

  /** Chronicle Bytes {@code MappedBytes}. */
  static final class Chronicle implements LongStore {
    private final MappedBytes bytes;

    Chronicle(Path file) throws IOException {
      // 1 GiB chunks: with smaller ones (64 MiB was tried) every random access that lands in
      // another chunk than the last one re-acquires that chunk, about 24 µs a get.
      bytes = MappedBytes.mappedBytes(file.toFile(), 1L << 30);
    }

    @Override
    public void add(long value) {
      bytes.writeLong(value);
    }

    @Override
    public long get(long index) {
      return bytes.readLong(index << 3);
    }

    @Override
    public void set(long index, long value) {
      bytes.writeLong(index << 3, value);
    }

    @Override
    public long size() {
      return bytes.writePosition() >>> 3;
    }

    @Override
    public void sync() {
      bytes.sync();
    }

    @Override
    public void close() {
      bytes.close();
    }
  }

  /** Agrona's {@code UnsafeBuffer} over a {@code MappedByteBuffer}, remapped by doubling. */
  static final class Agrona implements LongStore {
    private static final long INITIAL_BYTES = 1 << 16;
    private final FileChannel channel;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private MappedByteBuffer mapped;
    private long capacity;
    private long size;

    Agrona(Path file) throws IOException {
      channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      remap(INITIAL_BYTES);
    }

    private void remap(long bytes) throws IOException {
      if (bytes > Integer.MAX_VALUE) {
        throw new IOException("a MappedByteBuffer holds at most 2 GiB");
      }
      MappedByteBuffer next = channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
      buffer.wrap(next);
      if (mapped != null) {
        IoUtil.unmap(mapped);
      }
      mapped = next;
      capacity = bytes / Long.BYTES;
    }

    @Override
    public void add(long value) {
      if (size == capacity) {
        try {
          remap(capacity * 2 * Long.BYTES);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      buffer.putLong((int) (size++ << 3), value);
    }

    @Override
    public long get(long index) {
      return buffer.getLong((int) (index << 3));
    }

    @Override
    public void set(long index, long value) {
      buffer.putLong((int) (index << 3), value);
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void sync() throws IOException {
      mapped.force();
      channel.force(false);
    }

    @Override
    public void close() throws IOException {
      IoUtil.unmap(mapped);
      channel.close();
    }
  }

  /** MapDB's {@code IndexTreeList} in a memory-mapped file store. */
  static final class MapDb implements LongStore {
    private final DB db;
    private final IndexTreeList<Long> list;

    MapDb(Path file) {
      db = DBMaker.fileDB(file.toFile()).fileMmapEnable().make();
      list = db.indexTreeList("values", Serializer.LONG).create();
    }

    @Override
    public void add(long value) {
      list.add(value);
    }

    @Override
    public long get(long index) {
      return list.get((int) index);
    }

    @Override
    public void set(long index, long value) {
      list.set((int) index, value);
    }

    @Override
    public long size() {
      return list.size();
    }

    @Override
    public void sync() {
      db.commit();
    }

    @Override
    public void close() {
      db.close();
    }
  }

  /** lmdbjava: index to value, {@code MDB_INTEGERKEY}. */
  static final class Lmdb implements LongStore {
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> dbi;
    private final ByteBuffer key = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final ByteBuffer val = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private Txn<ByteBuffer> write;
    private Txn<ByteBuffer> read;
    private int pending;
    private long size;

    Lmdb(Path file, long capacityHint) {
      env =
          Env.create()
              .setMapSize(Math.max(64L << 20, capacityHint * 64 + (64L << 20)))
              .setMaxDbs(1)
              .open(file.toFile(), EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_NOSYNC);
      dbi = env.openDbi("values", DbiFlags.MDB_CREATE, DbiFlags.MDB_INTEGERKEY);
    }

    private Txn<ByteBuffer> writeTxn() {
      if (read != null) {
        read.close();
        read = null;
      }
      if (write == null) {
        write = env.txnWrite();
      }
      return write;
    }

    private void wrote() {
      if (++pending >= LMDB_BATCH) {
        commit();
      }
    }

    private void commit() {
      if (write != null) {
        write.commit();
        write.close();
        write = null;
      }
      pending = 0;
    }

    @Override
    public void add(long value) {
      key.putLong(0, size);
      val.putLong(0, value);
      dbi.put(writeTxn(), key, val, PutFlags.MDB_APPEND);
      size++;
      wrote();
    }

    @Override
    public long get(long index) {
      if (read == null) {
        commit();
        read = env.txnRead();
      }
      key.putLong(0, index);
      ByteBuffer found = dbi.get(read, key);
      return found.order(ByteOrder.nativeOrder()).getLong(0);
    }

    @Override
    public void set(long index, long value) {
      key.putLong(0, index);
      val.putLong(0, value);
      dbi.put(writeTxn(), key, val);
      wrote();
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void sync() {
      commit();
      env.sync(true);
    }

    @Override
    public void close() {
      if (read != null) {
        read.close();
        read = null;
      }
      commit();
      env.close();
    }
  }
}
