package io.mmapvec;

/**
 * The application's own version of the data in a file, as {@code major.minor.patch}. mmapvec stores
 * it in the header and refuses to open a file whose version differs from the one asked for ({@link
 * VecFormatException.Reason#DATA_VERSION_MISMATCH}); what a version means is the application's
 * business.
 *
 * @param major the major version, 0 to 65535
 * @param minor the minor version, 0 to 65535
 * @param patch the patch version, 0 to 65535
 */
public record DataVersion(int major, int minor, int patch) {
  /** The version of files created without one: {@code 0.0.0}. */
  public static final DataVersion NONE = new DataVersion(0, 0, 0);

  /**
   * Checks the parts.
   *
   * @throws IllegalArgumentException if a part is outside 0 to 65535
   */
  public DataVersion {
    check("major", major);
    check("minor", minor);
    check("patch", patch);
  }

  private static void check(String what, int v) {
    if (v < 0 || v > 0xFFFF) {
      throw new IllegalArgumentException(what + " version " + v + " is outside 0..65535");
    }
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
