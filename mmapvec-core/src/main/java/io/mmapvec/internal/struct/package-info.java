/**
 * Records as C structs: the naturally aligned layout of a record of primitives, and the codec that
 * reads and writes a record at an offset through method handles to its canonical constructor and
 * accessors. Not exported.
 *
 * <p><b>Threads:</b> layouts and codecs are immutable once made and safe from any thread; the
 * memory they read and write is the caller's to guard.
 */
package io.mmapvec.internal.struct;
