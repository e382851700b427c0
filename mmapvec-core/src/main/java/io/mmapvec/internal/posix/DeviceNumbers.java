package io.mmapvec.internal.posix;

/**
 * Splitting a {@code dev_t} into major and minor numbers and back, with glibc's encoding ({@code
 * gnu_dev_major}, {@code gnu_dev_minor}, {@code gnu_dev_makedev} in {@code bits/sysmacros.h}):
 * major in bits 8-19 and 44-63, minor in bits 0-7 and 20-43.
 */
final class DeviceNumbers {
  private DeviceNumbers() {}

  /**
   * {@return the major number of {@code dev}}
   *
   * @param dev a device number as {@code st_dev} holds it
   */
  static long major(long dev) {
    return ((dev & 0x00000000000fff00L) >>> 8) | ((dev & 0xfffff00000000000L) >>> 32);
  }

  /**
   * {@return the minor number of {@code dev}}
   *
   * @param dev a device number as {@code st_dev} holds it
   */
  static long minor(long dev) {
    return (dev & 0x00000000000000ffL) | ((dev & 0x00000ffffff00000L) >>> 12);
  }

  /**
   * {@return the {@code dev_t} of {@code major} and {@code minor}}
   *
   * @param major the major number, an unsigned 32-bit value
   * @param minor the minor number, an unsigned 32-bit value
   */
  static long makedev(long major, long minor) {
    return ((major & 0x00000fffL) << 8)
        | ((major & 0xfffff000L) << 32)
        | (minor & 0x000000ffL)
        | ((minor & 0xffffff00L) << 12);
  }
}
