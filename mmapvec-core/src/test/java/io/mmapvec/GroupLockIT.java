package io.mmapvec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mmapvec.internal.posix.Posix;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second writer of a column group in another process is refused, for the group and for each of
 * its column files, read-only opens too (the writer's locks are exclusive); once the holder is
 * killed, the group opens at once.
 */
class GroupLockIT {
  @TempDir Path tmp;

  @Test
  void aGroupWriterInAnotherProcessExcludesEveryOtherOpen() throws Exception {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    Path dir = tmp.resolve("g");
    try (VecGroup g = VecGroup.open(dir)) {
      g.longVec("a").add(1);
      g.doubleVec("b").add(2);
    }
    try (ChildJvm child =
        ChildJvm.start(tmp, "holder", GroupCrashChild.class, dir.toString(), "0", "hold")) {
      assertThat(child.awaitLine("OPENED")).contains("[a, b]");
      VecLockedException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              VecLockedException.class, () -> VecGroup.open(dir));
      assertThat(e.file()).isEqualTo(dir.resolve("_manifest"));
      assertThat(e.holderPid()).hasValue(child.pid());
      assertThatThrownBy(() -> VecGroup.open(dir, VecOptions.defaults().withReadOnly(true)))
          .isInstanceOf(VecLockedException.class);
      // A column opened alone read-only is a live reader of that one file (its own last commit).
      try (LongVec alone =
          LongVec.open(dir.resolve("a.vec"), VecOptions.defaults().withReadOnly(true))) {
        assertThat(alone.size()).isEqualTo(VecFiles.describe(dir.resolve("a.vec")).size());
      }
      assertThatThrownBy(() -> LongVec.open(dir.resolve("a.vec")))
          .isInstanceOf(VecLockedException.class);
      assertThatThrownBy(() -> ColumnarVec.open(dir, StructRecords.Tick.class))
          .isInstanceOf(VecLockedException.class);
      child.kill();
    }
    try (VecGroup g = VecGroup.open(dir)) {
      assertThat(g.longVec("a").get(0)).isEqualTo(1);
    }
  }
}
