package io.mmapvec;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link VecFiles#verify(Path)} found: whether the file is sound and, if not, every problem it
 * found with its reason. Immutable.
 *
 * @param file the file, as given
 * @param description what the header says, when the header passed its checks (empty otherwise)
 * @param problems every problem found; empty when the file is sound
 * @param notes facts worth knowing that are not problems (a file of the other byte order, a commit
 *     slot left damaged by an interrupted sync)
 */
public record VerifyReport(
    Path file, Optional<VecDescription> description, List<Problem> problems, List<String> notes) {

  /**
   * Copies the lists, so the report is immutable.
   *
   * @throws NullPointerException if a part is null
   */
  public VerifyReport {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(description, "description");
    problems = List.copyOf(problems);
    notes = List.copyOf(notes);
  }

  /** {@return whether no problem was found: the file opens, and every committed byte reads} */
  public boolean isSound() {
    return problems.isEmpty();
  }

  /** The kind of a problem. */
  public enum Kind {
    /** The header fails a check open makes; {@link Problem#formatReason()} says which. */
    HEADER,
    /** Part of the committed data cannot be read (an I/O error, or the file shrank meanwhile). */
    DATA,
    /** A {@code boolean} element or field holds a byte other than 0 or 1. */
    BOOLEAN_VALUE
  }

  /**
   * One problem.
   *
   * @param kind what kind of problem
   * @param formatReason for a {@link Kind#HEADER} problem, the check that failed
   * @param message what was found and what was expected, without the file name
   */
  public record Problem(
      Kind kind, Optional<VecFormatException.Reason> formatReason, String message) {
    /**
     * Checks the parts.
     *
     * @throws NullPointerException if a part is null
     */
    public Problem {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(formatReason, "formatReason");
      Objects.requireNonNull(message, "message");
    }
  }
}
