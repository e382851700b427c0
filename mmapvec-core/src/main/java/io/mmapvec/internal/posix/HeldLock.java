package io.mmapvec.internal.posix;

/**
 * One lock the kernel lists as held on a file ({@code /proc/locks}), for reports only: it may be
 * stale as soon as it is read.
 *
 * @param kind the kernel's name for the lock kind: {@code FLOCK}, {@code POSIX}, {@code OFDLCK},
 *     ...
 * @param exclusive whether it is a write (exclusive) lock
 * @param pid the holder's pid as the kernel shows it; -1 or 0 when it does not (OFD locks on recent
 *     kernels, another pid namespace)
 */
public record HeldLock(String kind, boolean exclusive, long pid) {}
