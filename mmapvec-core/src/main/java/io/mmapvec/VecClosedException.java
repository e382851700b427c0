package io.mmapvec;

/**
 * The vector was closed: every method of a closed vector throws this, except {@code close()}
 * itself, which may be called again and does nothing.
 */
public final class VecClosedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the vector's file
   */
  public VecClosedException(String message) {
    super(message);
  }
}
