package io.mmapvec;

import static org.assertj.core.api.Assertions.fail;

import io.mmapvec.internal.storage.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The parent side of {@link KillNineIT} and {@link CrashPointsIT}: reopens the file a dead {@link
 * CrashChild} left, at once (so a lock that outlived the process fails the test: there is no
 * retry), replays the child's workload on a {@link CrashModel} up to the sync points the child
 * reported, and checks the crash contract.
 */
final class CrashRecovery {
  private CrashRecovery() {}

  /**
   * What was found.
   *
   * @param exists whether the file existed
   * @param outcome how its length relates to the model (null if absent)
   * @param length the recovered length (-1 if absent)
   * @param fileBytes the file's size (-1 if absent)
   * @param tmpFiles leftover temporary files of an interrupted create
   */
  record Found(
      boolean exists,
      CrashModel.Outcome outcome,
      long length,
      long fileBytes,
      List<Path> tmpFiles) {}

  /**
   * Reopens {@code file} for writing with {@code backend} and checks it against the workload's
   * model; fails the test, with {@code context} and the child's transcript, if the contract breaks.
   */
  static Found verify(
      Path file,
      CrashChild.Progress p,
      long seed,
      CrashWorkload.Profile profile,
      int maxOps,
      Backend backend,
      String context)
      throws IOException {
    List<Path> tmp = leftoverTemporaries(file);
    if (p.diverged() != null) {
      fail("the child's vector diverged from its model: %s%n%s", p.diverged(), context);
    }
    if (!Files.exists(file)) {
      if (p.opened()) {
        fail("the file is gone although its create returned%n%s", context);
      }
      return new Found(false, null, -1, -1, tmp);
    }
    long fileBytes = Files.size(file);
    long[] got;
    synchronized (CrashChild.Run.SPAWN_LOCK) {
      got = reopen(file, backend, context);
    }
    CrashModel model = new CrashModel();
    CrashWorkload w = new CrashWorkload(seed, profile, maxOps);
    CrashWorkload.Op next = CrashWorkload.replayUntilSync(w, model, p.lastSynced());
    if (model.syncSeq() != p.lastSynced() || model.syncedLength() != p.lastLength()) {
      fail(
          "replay disagrees with the child: sync #%d has length %d in the model, the child said"
              + " #%d with %d%n%s",
          model.syncSeq(), model.syncedLength(), p.lastSynced(), p.lastLength(), context);
    }
    boolean inProgress = p.syncing() != 0 && next != null;
    CrashModel.Verdict verdict = model.check(got, inProgress);
    if (!verdict.ok()) {
      fail(
          "crash contract broken: %s%n(last reported sync #%d, length %d; %s)%n%s",
          verdict.problem(),
          p.lastSynced(),
          p.lastLength(),
          inProgress
              ? "sync #" + p.syncing() + " (" + next + ") was in progress"
              : "no sync was in progress",
          context);
    }
    return new Found(true, verdict.outcome(), got.length, fileBytes, tmp);
  }

  /** Opens the file for writing (which takes the exclusive lock), reads it, closes it. */
  private static long[] reopen(Path file, Backend backend, String context) throws IOException {
    try (LongVec v = LongVec.open(file, VecOptions.defaults(), backend)) {
      return v.toArray();
    } catch (VecLockedException e) {
      return fail("the file is still locked right after the child died: %s%n%s", e, context);
    } catch (VecFormatException e) {
      return fail(
          "the file does not open after the crash (%s): %s%n%s",
          e.reason(), e.getMessage(), context);
    }
  }

  /** {@return the temporary files ({@code .NAME.*.tmp}) an interrupted create left beside file} */
  static List<Path> leftoverTemporaries(Path file) throws IOException {
    String prefix = "." + file.getFileName() + ".";
    try (Stream<Path> s = Files.list(file.toAbsolutePath().getParent())) {
      return s.filter(
              f -> {
                String n = f.getFileName().toString();
                return n.startsWith(prefix) && n.endsWith(".tmp");
              })
          .toList();
    }
  }

  /** Deletes a directory tree, ignoring what is already gone. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
