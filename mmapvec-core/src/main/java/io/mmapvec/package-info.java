/**
 * The public API of mmapvec: growable vectors whose elements live in a memory-mapped file.
 *
 * <p>{@link io.mmapvec.ByteVec}, {@link io.mmapvec.ShortVec}, {@link io.mmapvec.IntVec}, {@link
 * io.mmapvec.LongVec}, {@link io.mmapvec.FloatVec} and {@link io.mmapvec.DoubleVec} hold
 * primitives; {@link io.mmapvec.StructVec} holds records of primitives laid out as C structs. All
 * are opened with {@link io.mmapvec.VecOptions} (magic, data version, read-only, {@link
 * io.mmapvec.SyncPolicy}) and share the {@link io.mmapvec.Vec} interface. {@link
 * io.mmapvec.VecFiles} reads a file's header without opening it as a vector. Errors are {@link
 * io.mmapvec.VecFormatException}, {@link io.mmapvec.VecLockedException}, {@link
 * io.mmapvec.NativeCallException} and {@link io.mmapvec.VecClosedException}.
 *
 * <p><b>Threads:</b> a vector (and a {@code StructVec}'s field views) is not thread-safe: one
 * thread at a time, or external synchronisation; {@code close()} may come from any thread. Options,
 * policies, stats and exceptions are immutable and may be shared freely.
 */
package io.mmapvec;
