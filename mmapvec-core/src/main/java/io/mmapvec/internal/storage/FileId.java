package io.mmapvec.internal.storage;

/**
 * Identifies a file independently of the name used to reach it: the same {@code (st_dev, st_ino)}
 * pair for a path, a symbolic link to it and a hard link to it.
 *
 * @param dev the device id
 * @param ino the inode number
 */
public record FileId(long dev, long ino) {}
