/**
 * The mapped file beneath every vector: opening and creating, locking, mapping, growth, the element
 * protocol the public vectors follow, sync and commit, the background flusher, stats and JFR
 * events, through a native (Linux) or a portable {@code FileChannel} backend. Not exported.
 *
 * <p><b>Threads:</b> one {@code Storage} belongs to one vector and, like it, to one thread at a
 * time; its {@code close()} may come from another thread. The registry of open files and the
 * flusher thread are shared by all vectors and synchronise internally.
 */
package io.mmapvec.internal.storage;
