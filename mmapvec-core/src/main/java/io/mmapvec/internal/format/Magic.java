package io.mmapvec.internal.format;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The one rule for an application's magic: exactly eight printable ASCII characters (0x20 to 0x7e).
 * {@code VecOptions} checks it when options are made, the encoder before it writes a header, the
 * decoder on the bytes it reads.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
public final class Magic {
  /** The length of a magic in bytes (and characters). */
  public static final int BYTES = 8;

  private Magic() {}

  /**
   * Checks a magic given by an application.
   *
   * @param magic the magic
   * @throws IllegalArgumentException if it is not eight printable ASCII characters
   * @throws NullPointerException if it is null
   */
  public static void check(String magic) {
    Objects.requireNonNull(magic, "magic");
    if (magic.length() != BYTES || !magic.chars().allMatch(Magic::isPrintableAscii)) {
      throw new IllegalArgumentException(
          "magic is " + FormatText.quote(magic) + ", expected 8 printable ASCII characters");
    }
  }

  /** {@return whether the bytes read from a file are a valid magic} */
  static boolean isValid(byte[] magic) {
    if (magic.length != BYTES) {
      return false;
    }
    for (byte b : magic) {
      if (!isPrintableAscii(b)) {
        return false;
      }
    }
    return true;
  }

  /** {@return the magic's bytes, as written into a header} */
  static byte[] bytes(String magic) {
    return magic.getBytes(StandardCharsets.US_ASCII);
  }

  static boolean isPrintableAscii(int c) {
    return c >= 0x20 && c <= 0x7e;
  }
}
