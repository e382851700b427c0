package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The committed primitive vector classes are exactly what {@link FacadeGenerator} makes. */
class GeneratedFacadesTest {
  /** The repository root: surefire runs the tests in the module directory. */
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  static final java.util.List<FacadeGenerator.Kind> KINDS = FacadeGenerator.KINDS;

  @ParameterizedTest
  @FieldSource("KINDS")
  void committedClassEqualsTheTemplatesOutput(FacadeGenerator.Kind kind) throws Exception {
    Path file = FacadeGenerator.output(ROOT, kind);
    String expected = FacadeGenerator.generate(FacadeGenerator.template(ROOT), kind);
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .as(
            "%s differs from what %s gives; edit the template, not the class, then run %s",
            file, FacadeGenerator.TEMPLATE, FacadeGenerator.COMMAND)
        .isEqualTo(expected);
  }

  @Test
  void everyGeneratedClassSaysWhereItComesFrom() throws Exception {
    for (FacadeGenerator.Kind kind : KINDS) {
      assertThat(Files.readString(FacadeGenerator.output(ROOT, kind)))
          .startsWith("// GENERATED FILE")
          .contains(FacadeGenerator.TEMPLATE, FacadeGenerator.COMMAND);
    }
  }

  @Test
  void anUnknownPlaceholderIsAnErrorNotText() {
    assertThatThrownBy(() -> FacadeGenerator.generate("x @NOPE@ y", KINDS.get(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@NOPE@");
  }

  @Test
  void theTemplateLeavesNoPlaceholderBehind() throws Exception {
    String template = FacadeGenerator.template(ROOT);
    for (FacadeGenerator.Kind kind : KINDS) {
      assertThat(FacadeGenerator.generate(template, kind)).doesNotContainPattern("@[A-Z_0-9]+@");
    }
  }
}
