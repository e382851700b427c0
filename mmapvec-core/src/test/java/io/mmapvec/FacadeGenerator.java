package io.mmapvec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the six primitive vector classes ({@code ByteVec} ... {@code DoubleVec}) from one
 * template, {@value #TEMPLATE}, so that they stay identical but for their element type. The Java
 * files are committed; {@code GeneratedFacadesTest} fails the build when one differs from what the
 * template gives.
 *
 * <p>After changing the template, regenerate from the repository root with the JDK's source
 * launcher (no build needed), review the diff and commit the Java files:
 *
 * <pre>{@code java mmapvec-core/src/test/java/io/mmapvec/FacadeGenerator.java}</pre>
 *
 * <p>The template's placeholders are {@code @NAME@}; every one must have a value in {@link #KINDS},
 * and an unknown one is an error rather than text left in the output.
 */
public final class FacadeGenerator {
  /** The template, relative to the repository root. */
  static final String TEMPLATE = "mmapvec-core/src/template/PrimitiveVec.java.template";

  /** Where the generated classes go, relative to the repository root. */
  static final String OUTPUT = "mmapvec-core/src/main/java/io/mmapvec";

  /** The command that regenerates the classes, run from the repository root. */
  static final String COMMAND = "java mmapvec-core/src/test/java/io/mmapvec/FacadeGenerator.java";

  private static final Pattern PLACEHOLDER = Pattern.compile("@([A-Z_0-9]+)@");

  /**
   * One primitive type: the element type, its boxed name, the name of the stream and consumer that
   * carry it (and the type they widen it to), and two example values for the class Javadoc.
   */
  record Kind(String type, String box, String stream, String widened, String ex1, String ex2) {
    /** {@return the generated class's simple name, e.g. {@code LongVec}} */
    String className() {
      return box + "Vec";
    }

    /** {@return the value of every placeholder of the template for this type} */
    Map<String, String> values() {
      Map<String, String> v = new LinkedHashMap<>();
      v.put("GENERATED", stamp());
      v.put("C", className());
      v.put("B", box);
      v.put("U", type.toUpperCase(java.util.Locale.ROOT));
      v.put("T", type);
      v.put("SN", stream);
      v.put("W", widened);
      v.put("EX1", ex1);
      v.put("EX2", ex2);
      v.put("WIDE", type.equals(widened) ? "" : ", widened to " + widened);
      v.put(
          "STREAM_IMPORTS",
          stream.equals("Long")
              ? "import java.util.stream.LongStream;"
              : "import java.util.stream."
                  + stream
                  + "Stream;\nimport java.util.stream.LongStream;");
      v.put("MAP", stream.equals("Long") ? ".map" : ".mapTo" + stream);
      return v;
    }
  }

  /** The six types, in the order of their sizes. */
  static final List<Kind> KINDS =
      List.of(
          new Kind("byte", "Byte", "Int", "int", "(byte) 7", "(byte) 9"),
          new Kind("short", "Short", "Int", "int", "(short) 7", "(short) 9"),
          new Kind("int", "Int", "Int", "int", "7", "9"),
          new Kind("long", "Long", "Long", "long", "7L", "9L"),
          new Kind("float", "Float", "Double", "double", "7.5f", "9.5f"),
          new Kind("double", "Double", "Double", "double", "7.5", "9.5"));

  private FacadeGenerator() {}

  /** {@return the comment that opens every generated file} */
  static String stamp() {
    return "// GENERATED FILE, do not edit: written from "
        + TEMPLATE
        + "\n// by "
        + COMMAND
        + "\n// (run from the repository root); GeneratedFacadesTest fails when the two differ.";
  }

  /**
   * {@return the source of {@code kind}'s class, from {@code template}}
   *
   * @throws IllegalArgumentException if the template has a placeholder without a value
   */
  static String generate(String template, Kind kind) {
    Map<String, String> values = kind.values();
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(
            TEMPLATE + ": unknown placeholder " + m.group() + "; known: " + values.keySet());
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** {@return the template's text, read from {@code root}} */
  static String template(Path root) throws IOException {
    return Files.readString(root.resolve(TEMPLATE), StandardCharsets.UTF_8);
  }

  /** {@return the committed file of {@code kind} under {@code root}} */
  static Path output(Path root, Kind kind) {
    return root.resolve(OUTPUT).resolve(kind.className() + ".java");
  }

  /**
   * Regenerates the six classes.
   *
   * @param args optionally the repository root (default: the working directory)
   * @throws IOException if the template cannot be read or a class cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    String template = template(root);
    for (Kind kind : KINDS) {
      Path file = output(root, kind);
      Files.writeString(file, generate(template, kind), StandardCharsets.UTF_8);
      System.out.println("wrote " + file);
    }
  }
}
