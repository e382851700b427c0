package io.mmapvec;

import io.mmapvec.internal.format.Magic;
import java.util.Objects;

/**
 * How to open a vector: the application's magic bytes and data version (written into a new file,
 * checked against an existing one), read-only or writable, and the sync policy. Immutable; each
 * {@code with…} method returns a copy.
 *
 * <pre>{@code
 * VecOptions options = VecOptions.defaults().withMagic("TICKDATA").withDataVersion(1, 0, 0);
 * }</pre>
 *
 * @param magic the application's eight ASCII characters at the start of the file
 * @param dataVersion the application's data version
 * @param readOnly whether to open read-only: a live reader, which may read while one writer works
 *     (see {@link Vec#refresh()})
 * @param syncPolicy when a writable vector syncs besides explicit {@code sync()} and {@code
 *     close()}
 */
public record VecOptions(
    String magic, DataVersion dataVersion, boolean readOnly, SyncPolicy syncPolicy) {

  /** The magic of files created without one: {@value}. */
  public static final String DEFAULT_MAGIC = "MMAPVEC_";

  /**
   * Checks the options.
   *
   * @throws IllegalArgumentException if the magic is not eight printable ASCII characters
   * @throws NullPointerException if an argument is null
   */
  public VecOptions {
    Objects.requireNonNull(magic, "magic");
    Objects.requireNonNull(dataVersion, "dataVersion");
    Objects.requireNonNull(syncPolicy, "syncPolicy");
    Magic.check(magic);
  }

  /**
   * {@return the defaults: magic {@value #DEFAULT_MAGIC}, data version 0.0.0, writable, manual
   * sync}
   */
  public static VecOptions defaults() {
    return new VecOptions(DEFAULT_MAGIC, DataVersion.NONE, false, SyncPolicy.manual());
  }

  /**
   * {@return a copy with the given magic}
   *
   * @param magic exactly eight printable ASCII characters, chosen by the application
   */
  public VecOptions withMagic(String magic) {
    return new VecOptions(magic, dataVersion, readOnly, syncPolicy);
  }

  /**
   * {@return a copy with the given data version}
   *
   * @param major 0 to 65535
   * @param minor 0 to 65535
   * @param patch 0 to 65535
   */
  public VecOptions withDataVersion(int major, int minor, int patch) {
    return new VecOptions(magic, new DataVersion(major, minor, patch), readOnly, syncPolicy);
  }

  /**
   * {@return a copy that opens read-only (true) or writable (false)} A read-only open never creates
   * a file. With the native backend it is a <em>live reader</em>: it takes a shared lock that
   * neither other readers nor one writer (in any process) conflict with, shows the newest durable
   * commit, and follows the writer through {@link Vec#refresh()} and {@link
   * Vec#awaitCommit(java.time.Duration)}. With the {@code FileChannel} fallback it locks the whole
   * file shared, so it is refused while a writer is open and keeps writers out.
   *
   * @param readOnly whether to open read-only
   */
  public VecOptions withReadOnly(boolean readOnly) {
    return new VecOptions(magic, dataVersion, readOnly, syncPolicy);
  }

  /**
   * {@return a copy with the given sync policy}
   *
   * @param syncPolicy when to sync besides explicit calls
   */
  public VecOptions withSyncPolicy(SyncPolicy syncPolicy) {
    return new VecOptions(magic, dataVersion, readOnly, syncPolicy);
  }
}
