package io.mmapvec;

import io.mmapvec.internal.storage.RawFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Read-only access to the committed elements of any vector file, without the Java class of its
 * elements and in either byte order: for tools, exporters and readers of foreign files. Opened by
 * {@link VecFiles#openReader(java.nio.file.Path)}.
 *
 * <p>Element {@code i} is the {@link VecDescription#elementByteSize()} bytes at {@code i *
 * elementByteSize()} of {@link #elements()}; a record field is at its {@link
 * FieldDescription#offset()} inside the element. Values are in {@link #byteOrder()}: read them with
 * {@code ValueLayout.JAVA_LONG_UNALIGNED.withOrder(reader.byteOrder())} and the like.
 *
 * <p><b>Locking:</b> holds the shared locks a read-only vector holds, from open to {@link
 * #close()}: writers are refused meanwhile, other readers are not, so the elements do not change.
 *
 * <p><b>Threads:</b> any thread may read {@link #elements()} while the reader is open; {@link
 * #close()} must not race those reads.
 *
 * <p><b>Lifetime:</b> after {@link #close()} the segment is unusable (every access throws {@link
 * IllegalStateException}) and {@link #elements()} throws {@link VecClosedException}. {@code
 * close()} again does nothing. Nothing is ever written, so nothing needs syncing.
 */
public final class VecReader implements AutoCloseable {
  private final RawFile file;
  private final VecDescription description;
  private boolean closed;

  VecReader(RawFile file, VecDescription description) {
    this.file = file;
    this.description = description;
  }

  /**
   * {@return what the file holds, read from its header when the reader opened} Its {@link
   * VecDescription#lock()} lists this reader's own shared lock among the readers.
   */
  public VecDescription description() {
    return description;
  }

  /** {@return the byte order of the elements: the order of the machine that wrote the file} */
  public ByteOrder byteOrder() {
    return description.byteOrder();
  }

  /** {@return the number of committed elements} */
  public long size() {
    return description.size();
  }

  /**
   * {@return the committed elements, mapped read-only: {@code size() * elementByteSize()} bytes}
   * Mapped on the first call; the same segment afterwards.
   *
   * @throws IOException if the file cannot be mapped
   * @throws VecClosedException after {@link #close()}
   */
  public MemorySegment elements() throws IOException {
    if (closed) {
      throw new VecClosedException("reader is closed (" + description.file() + ")");
    }
    return file.data();
  }

  /**
   * Unmaps the elements, releases the locks and closes the file. Idempotent.
   *
   * @throws IOException if closing the file fails (the locks are released all the same)
   */
  @Override
  public void close() throws IOException {
    closed = true;
    file.close();
  }
}
