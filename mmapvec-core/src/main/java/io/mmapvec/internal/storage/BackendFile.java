package io.mmapvec.internal.storage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** One open file of a {@link Backend}. Owned by one {@link Storage}; not thread-safe. */
interface BackendFile {

  /** {@return the file's identity (device and inode)} */
  FileId id() throws IOException;

  /** {@return the file's size in bytes, asked of the OS} */
  long size() throws IOException;

  /**
   * Tries to take the advisory locks, non-blocking. A writer ({@code exclusive}) takes the writer
   * lock byte exclusively and an exclusive {@code flock} (native), or the whole file exclusively
   * (fallback). A reader takes the reader lock byte shared and no {@code flock} (native; it waits a
   * little while a writer holds that byte to shrink the file), or the whole file shared (fallback).
   *
   * @return false when another holder conflicts
   */
  boolean tryLock(boolean exclusive) throws IOException;

  /**
   * {@return whether a writer holds the writer lock byte right now} A query, never a lock; always
   * false on the fallback, whose readers exclude writers.
   */
  boolean writerAlive() throws IOException;

  /**
   * Writer only: tries to take the reader lock byte exclusively, which succeeds only while no live
   * reader has the file open. Held while the file is truncated, then released by {@link
   * #allowReaders()}. Always true on the fallback (its writer excludes every reader).
   */
  boolean tryExcludeReaders() throws IOException;

  /**
   * Reader only: shares the writer lock byte, which fails while a writer holds it and keeps a new
   * writer out while held (a snapshot: {@link LockedFile#openSnapshot}). Always true on the
   * fallback, whose reader lock already excludes writers.
   */
  boolean tryExcludeWriters() throws IOException;

  /** Releases what {@link #tryExcludeReaders()} took. */
  void allowReaders() throws IOException;

  /** {@return the pid of a process holding a lock on this file, or -1 if unknown} */
  long lockHolderPid();

  /** Reads from offset 0 into {@code dst} until full or end of file; returns the bytes read. */
  long readHeader(MemorySegment dst) throws IOException;

  /** Writes {@code src} at {@code offset}. */
  void write(MemorySegment src, long offset) throws IOException;

  /**
   * Allocates blocks so the file is {@code newSize} bytes long with no hole from {@code oldSize}
   * on: afterwards no store into a mapped page below {@code newSize} can fault for lack of space.
   */
  void allocate(long oldSize, long newSize) throws IOException;

  /**
   * Allocates blocks for every hole in {@code [0, size)} without changing any byte, so that no
   * store into a mapped page below {@code size} can fault for lack of space. The fallback cannot
   * (FileChannel has no fallocate) and does nothing; see docs/DURABILITY.md.
   */
  default void fillHoles(long size) throws IOException {}

  /** Shrinks the file to {@code newSize} bytes. */
  void truncate(long newSize) throws IOException;

  /**
   * Maps {@code length} bytes from offset 0 into {@code arena} (writable or read-only as opened).
   * Backends that reserve address space accept a length beyond the file size.
   */
  MemorySegment map(long length, Arena arena) throws IOException;

  /** Writes {@code [offset, offset+length)} of a mapping from {@link #map} to the device. */
  void syncRange(MemorySegment mapping, long offset, long length) throws IOException;

  /**
   * Brings {@code [offset, offset+length)} of the file, allocated and holding no element, into the
   * page cache so that the first stores into its mapped pages take no costly fault: an optimisation
   * only, which may do nothing, and writes nothing but zeros. The native backend writes zeros there
   * ({@code pwrite}); the fallback already wrote zeros when it allocated.
   *
   * @throws IOException if writing fails (the caller may ignore it: the stores fault the pages in)
   */
  default void prefault(long offset, long length) throws IOException {}

  /**
   * {@return whether {@link #syncFile()} also writes the pages dirtied through a mapping} True on
   * Linux, where {@code fdatasync} writes every dirty page of the file and {@code msync(MS_SYNC)}
   * is the same operation on a range: a commit that calls {@code syncFile} anyway then skips the
   * {@link #syncRange} of the data, one device flush and journal commit fewer.
   */
  default boolean syncFileCoversMappings() {
    return false;
  }

  /** Makes the file's size and data durable ({@code fdatasync}). */
  void syncFile() throws IOException;

  /** Tells the file its final name after a create published it, for messages from now on. */
  void renamedTo(java.nio.file.Path path);

  /** Releases the locks, then closes the file. */
  void close() throws IOException;
}
