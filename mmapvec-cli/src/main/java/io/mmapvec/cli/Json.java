package io.mmapvec.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * JSON output through Jackson's streaming generator: correct escaping without hand-written code.
 */
final class Json {
  private Json() {}

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
          .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
          .build();

  /**
   * {@return a generator writing to {@code out}; closing it flushes but does not close {@code out}}
   *
   * @param out where the JSON goes
   * @param pretty whether to indent
   * @throws IOException if the generator cannot be created
   */
  static JsonGenerator writer(Writer out, boolean pretty) throws IOException {
    JsonGenerator g = FACTORY.createGenerator(out);
    if (pretty) {
      g.useDefaultPrettyPrinter();
    }
    return g;
  }

  /**
   * {@return {@code s} as a JSON string literal, quotes included (also a valid Python literal)}
   *
   * @param s any text
   */
  static String quote(String s) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      g.writeString(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }
}
