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
 * its column files; a read-only group open is a live reader next to it (the manifest's reader lock
 * byte only). Foreign lock probes see the writer (lockf and flock) and a live reader (lockf only:
 * readers hold no flock). Once the holder is killed, the group opens at once.
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
      Path manifest = dir.resolve("_manifest");
      try (VecGroup r = VecGroup.open(dir, VecOptions.defaults().withReadOnly(true))) {
        assertThat(r.names()).containsExactly("a", "b");
        assertThat(r.longVec("a").get(0)).isEqualTo(1);
        assertThat(r.doubleVec("b").size()).isEqualTo(1);
        // The group reader does not keep the writer's process from being the only writer.
        assertThatThrownBy(() -> VecGroup.open(dir)).isInstanceOf(VecLockedException.class);
      }
      LockProbes.assumeFlock();
      LockProbes.assumePython();
      assertThat(LockProbes.lockfFree(manifest, tmp)).as("lockf next to a group writer").isFalse();
      assertThat(LockProbes.flockFree(manifest, tmp)).as("flock next to a group writer").isFalse();
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

  @Test
  void aLiveGroupReaderHoldsOnlyTheReaderLockByte() throws Exception {
    assumeTrue(Posix.isAvailable(), "native backend unavailable: " + Posix.unavailableReason());
    LockProbes.assumeFlock();
    LockProbes.assumePython();
    Path dir = tmp.resolve("g");
    try (VecGroup g = VecGroup.open(dir)) {
      g.longVec("a").add(1);
    }
    Path manifest = dir.resolve("_manifest");
    assertThat(LockProbes.lockfFree(manifest, tmp)).as("lockf, nobody open").isTrue();
    try (VecGroup r = VecGroup.open(dir, VecOptions.defaults().withReadOnly(true))) {
      assertThat(LockProbes.lockfFree(manifest, tmp)).as("lockf next to a reader").isFalse();
      assertThat(LockProbes.flockFree(manifest, tmp)).as("flock next to a reader").isTrue();
      assertThat(LockProbes.lockfFree(dir.resolve("a.vec"), tmp))
          .as("lockf on a column next to a reader")
          .isFalse();
      // A writer in another process opens next to the reader and commits; the reader follows.
      try (ChildJvm child =
          ChildJvm.start(tmp, "writer", GroupCrashChild.class, dir.toString(), "7", "live")) {
        child.awaitLine("SYNCED");
        assertThat(r.awaitCommit(ChildJvm.TIMEOUT)).isGreaterThan(1);
        assertThat(r.longVec("a").size()).isPositive();
        assertThat(LockProbes.flockFree(manifest, tmp)).as("flock next to the writer").isFalse();
        child.kill();
      }
    }
    assertThat(LockProbes.lockfFree(manifest, tmp)).as("lockf, all closed").isTrue();
  }
}
