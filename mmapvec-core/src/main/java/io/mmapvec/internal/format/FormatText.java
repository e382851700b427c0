package io.mmapvec.internal.format;

/**
 * How the format's messages show bytes, names and types: quoted, escaped, in hex.
 *
 * <p><b>Threads:</b> stateless; any thread may call it.
 */
final class FormatText {
  private FormatText() {}

  static String hex16(short v) {
    return String.format("0x%04x", Short.toUnsignedInt(v));
  }

  static String hex32(int v) {
    return String.format("0x%08x", v);
  }

  /**
   * {@return why a commit slot (of a header or a group manifest) fails its checksum, or null when
   * the stored and computed checksums match}
   */
  static String slotChecksumProblem(int stored, int computed) {
    return stored == computed
        ? null
        : "fails its checksum (stored " + hex32(stored) + ", computed " + hex32(computed) + ")";
  }

  /** {@return why a commit slot's sequence is not valid, or null when it is 1 to 2^63-1} */
  static String slotSequenceProblem(long sequence) {
    return sequence > 0
        ? null
        : "has sequence " + Long.toUnsignedString(sequence) + ", expected 1 to 2^63-1";
  }

  /** {@return the bytes as a quoted string, with anything but printable ASCII as \xNN} */
  static String quote(byte[] b) {
    StringBuilder s = new StringBuilder("\"");
    for (byte x : b) {
      int c = Byte.toUnsignedInt(x);
      if (c == '"' || c == '\\') {
        s.append('\\').append((char) c);
      } else if (Magic.isPrintableAscii(c)) {
        s.append((char) c);
      } else {
        s.append(String.format("\\x%02x", c));
      }
    }
    return s.append('"').toString();
  }

  /**
   * {@return the text quoted, with quotes and backslashes escaped and control characters and
   * unpaired surrogates as \\xNN or \\uNNNN}
   */
  static String quote(String text) {
    return '"' + escape(text) + '"';
  }

  static String escape(String text) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        s.append('\\').append(c);
      } else if (Character.isISOControl(c) && c < 0x100) {
        s.append(String.format("\\x%02x", (int) c));
      } else if (Character.isSurrogate(c)) {
        s.append(String.format("\\u%04x", (int) c));
      } else {
        s.append(c);
      }
    }
    return s.toString();
  }

  static String shortDescription(ElementType type, long size) {
    return type.javaName() + " (" + size + " bytes)";
  }

  static String describeField(String name, ElementType type, int code, long offset) {
    String typeName = type == null ? "type#" + code : type.javaName();
    return "'" + escape(name) + "' " + typeName + "@" + offset;
  }

  static String describeField(FieldLayout f) {
    return describeField(f.name(), f.type(), f.type().code(), f.offset());
  }

  static String knownCodes() {
    StringBuilder b = new StringBuilder("expected one of ");
    for (ElementType t : ElementType.values()) {
      b.append(t.code()).append(" (").append(t.javaName()).append("), ");
    }
    b.setLength(b.length() - 2);
    return b.toString();
  }
}
