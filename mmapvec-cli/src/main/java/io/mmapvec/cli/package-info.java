/**
 * The {@code mmapvec} command-line tool (picocli): one class per subcommand, errors as one line on
 * stderr with a non-zero exit status. Uses only the public API of {@code io.mmapvec}.
 *
 * <p><b>Threads:</b> each command runs on the main thread; nothing here is shared.
 */
package io.mmapvec.cli;
