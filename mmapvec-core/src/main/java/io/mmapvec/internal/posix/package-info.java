/**
 * Every call mmapvec makes into libc, as FFM downcalls resolved once: descriptors, mappings, locks,
 * names and metadata ({@code Posix} is the entry point), and the one mapping from {@code errno} to
 * exceptions. No other package calls native code. Not exported.
 *
 * <p><b>Threads:</b> the functions are safe from any thread (each call captures its own {@code
 * errno}); what a descriptor or mapping may do concurrently is up to the caller, which is the
 * storage layer.
 */
package io.mmapvec.internal.posix;
