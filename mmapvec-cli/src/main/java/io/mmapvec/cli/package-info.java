/**
 * The {@code mmapvec} command-line tool (picocli): one class per subcommand extending {@code
 * ToolCommand}, errors as one line on stderr with exit codes 0 (success), 1 (unsound or failed), 2
 * (usage) and 3 (locked). Uses only the public API of {@code io.mmapvec}.
 *
 * <p><b>Threads:</b> each command runs on the thread that executes it; progress bars redraw from
 * the progress-bar library's own thread. Nothing here is shared between commands.
 */
package io.mmapvec.cli;
