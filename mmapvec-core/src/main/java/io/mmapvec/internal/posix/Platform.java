package io.mmapvec.internal.posix;

import java.util.Locale;

/**
 * Where we run, decided once without any native call: the operating system, the architecture (which
 * fixes the constants and struct layouts that differ between x86_64 and aarch64), and whether this
 * module may make native calls at all.
 *
 * <p>Nothing here touches {@link java.lang.foreign.Linker}; the classes that do are only
 * initialised once {@link #AVAILABLE} is known to be true.
 */
final class Platform {
  private Platform() {}

  /** The architectures whose glibc ABI this package knows. */
  enum Arch {
    /** x86_64: the historical x86-64 layouts and {@code O_*} values. */
    X86_64(0x10000, 24),
    /** aarch64: the asm-generic layouts and the ARM {@code O_*} values. */
    AARCH64(0x4000, 16);

    /** {@code O_DIRECTORY}: {@code 0200000} on x86_64, {@code 040000} on arm/arm64. */
    final int oDirectory;

    /**
     * Offset of {@code st_mode} in glibc's {@code struct stat}. x86_64 puts the 64-bit {@code
     * st_nlink} first (st_nlink@16, st_mode@24); the generic layout of aarch64 has st_mode@16 and a
     * 32-bit st_nlink@20. {@code st_dev}@0, {@code st_ino}@8 and {@code st_size}@48 agree.
     */
    final long statModeOffset;

    Arch(int oDirectory, long statModeOffset) {
      this.oDirectory = oDirectory;
      this.statModeOffset = statModeOffset;
    }
  }

  /** Whether the OS is Linux. */
  static final boolean LINUX;

  /** The architecture, or null when it is not one we support. */
  static final Arch ARCH;

  /** Why the native backend cannot be used, or null when it can. */
  static final String UNAVAILABLE_REASON;

  /** Whether the native backend can be used. */
  static final boolean AVAILABLE;

  static {
    String os = System.getProperty("os.name", "?");
    String arch = System.getProperty("os.arch", "?");
    LINUX = os.toLowerCase(Locale.ROOT).startsWith("linux");
    ARCH =
        switch (arch) {
          case "amd64", "x86_64" -> Arch.X86_64;
          case "aarch64" -> Arch.AARCH64;
          default -> null;
        };
    String reason = null;
    if (!LINUX) {
      reason = "the native backend needs Linux; this is " + os;
    } else if (ARCH == null) {
      reason = "the native backend needs x86_64 or aarch64; this is " + arch;
    } else if (!Posix.class.getModule().isNativeAccessEnabled()) {
      reason = nativeAccessReason(Posix.class.getModule());
    }
    UNAVAILABLE_REASON = reason;
    AVAILABLE = reason == null;
  }

  private static String nativeAccessReason(Module module) {
    String flag = module.isNamed() ? module.getName() : "ALL-UNNAMED";
    String where = module.isNamed() ? "module " + module.getName() : "the class path";
    return "native access is not enabled for "
        + where
        + ": start java with --enable-native-access="
        + flag;
  }
}
