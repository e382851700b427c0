package io.mmapvec.internal.posix;

/**
 * What {@code fstat} says of an open file.
 *
 * @param dev the device id ({@code st_dev})
 * @param ino the inode number ({@code st_ino})
 * @param size the size in bytes
 * @param mode the file type and permission bits ({@code st_mode})
 */
public record FileStat(long dev, long ino, long size, int mode) {}
