package io.mmapvec.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/DURABILITY.md is where the rules live: every crash point and sync trigger has an entry
 * there, and every "rule N" or "durability test N" that a comment or another document cites is one
 * the page numbers.
 */
class DurabilityDocsTest {
  private static final Pattern RULE_CITE =
      Pattern.compile("(?i)\\brules?\\s+(\\d+(?:\\s*(?:,|and|or)\\s*\\d+)*)");
  private static final Pattern TEST_CITE =
      Pattern.compile("(?i)\\bdurability\\s+tests?\\s+(\\d+(?:\\s*(?:,|and|or)\\s*\\d+)*)");
  private static final Pattern NUMBERED_RULE = Pattern.compile("(?m)^(\\d+)\\. \\*\\*");
  private static final Pattern NUMBERED_TEST = Pattern.compile("\\(durability test (\\d+)\\)");

  /** {@return the repository's root: the first directory up from here that holds docs/} */
  private static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("docs/DURABILITY.md"))) {
      p = p.getParent();
    }
    assertThat(p).as("docs/DURABILITY.md above " + Path.of("").toAbsolutePath()).isNotNull();
    return p;
  }

  private static String durabilityDoc() throws IOException {
    return Files.readString(root().resolve("docs/DURABILITY.md"));
  }

  @Test
  void everyCrashPointHasAnEntry() throws IOException {
    String doc = durabilityDoc();
    for (CrashPoint p : CrashPoint.values()) {
      assertThat(doc).as("docs/DURABILITY.md entry for %s", p).contains("| `" + p.key() + "` |");
    }
  }

  @Test
  void everySyncTriggerHasAnEntry() throws IOException {
    String doc = durabilityDoc();
    for (SyncTrigger t : SyncTrigger.values()) {
      assertThat(doc).as("docs/DURABILITY.md entry for %s", t).contains("| `" + t.key() + "` |");
    }
  }

  @Test
  void everyCitedRuleAndTestIsNumberedThere() throws IOException {
    String doc = durabilityDoc();
    String rulesSection =
        doc.substring(
            doc.indexOf("## The rules"), doc.indexOf("\n## ", doc.indexOf("## The rules") + 1));
    Set<Integer> rules = numbers(NUMBERED_RULE, rulesSection);
    Set<Integer> tests = numbers(NUMBERED_TEST, doc);
    assertThat(rules).as("numbered rules").hasSizeGreaterThanOrEqualTo(14);
    assertThat(tests).as("numbered durability tests").hasSizeGreaterThanOrEqualTo(7);

    List<String> cites = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    Path root = root();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      all.filter(Files::isRegularFile)
          .filter(f -> !f.toString().contains("/target/") && !f.toString().contains("/.git/"))
          .filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".md"))
          .forEach(files::add);
    }
    for (Path f : files) {
      String text = Files.readString(f);
      collect(RULE_CITE, text, rules, root.relativize(f) + ": rule ", cites, missing);
      collect(TEST_CITE, text, tests, root.relativize(f) + ": durability test ", cites, missing);
    }
    // The checker must see the citations it checks (33 comments cited rules when it was written).
    assertThat(cites).as("citations found").hasSizeGreaterThan(30);
    assertThat(missing)
        .as("citations of rules or tests docs/DURABILITY.md does not number")
        .isEmpty();
  }

  private static void collect(
      Pattern cite,
      String text,
      Set<Integer> known,
      String where,
      List<String> cites,
      List<String> missing) {
    Matcher m = cite.matcher(text);
    while (m.find()) {
      for (String n : m.group(1).split("\\D+")) {
        if (n.isEmpty()) {
          continue;
        }
        cites.add(where + n);
        if (!known.contains(Integer.parseInt(n))) {
          missing.add(where + n);
        }
      }
    }
  }

  private static Set<Integer> numbers(Pattern p, String text) {
    Set<Integer> out = new TreeSet<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }
}
