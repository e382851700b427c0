/**
 * The file header: its byte layout, encoding, decoding and validation (docs/FORMAT.md). The only
 * code that knows header offsets; the rest of mmapvec sees decoded values ({@code Header}, {@code
 * Identity}, {@code ElementLayout}, {@code CommitSlot}). Not exported.
 *
 * <p><b>Threads:</b> stateless functions and immutable values; safe from any thread.
 */
package io.mmapvec.internal.format;
