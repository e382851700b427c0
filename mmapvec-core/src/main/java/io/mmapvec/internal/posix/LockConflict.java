package io.mmapvec.internal.posix;

/**
 * A lock that {@code F_OFD_GETLK} reports as standing in the way: its kind and byte range. For an
 * OFD lock the kernel reports pid -1; for a classic {@code fcntl} lock, its owner.
 *
 * @param exclusive a write lock if true, a read lock if false
 * @param start its first byte
 * @param length its length in bytes; 0 means to the end of the file however far it grows
 * @param pid the owning process for a classic lock, -1 for an OFD lock
 */
public record LockConflict(boolean exclusive, long start, long length, int pid) {}
