/*
 * in_sql — the SQL of the inputs' state, one named constant per statement.
 *
 * Tables are prefixed by module (in_file_, in_dir_, in_http_) and live in
 * the daemon's state database; inputs create them when they open and write
 * them only inside the daemon's checkpoint transaction.
 */
#ifndef CTI_IN_SQL_H
#define CTI_IN_SQL_H

/* in_file: where a followed file was read up to.  fp_hash is
 * strpool_hash of the file's first fp_len bytes (int64 bits). */
#define IN_FILE_SQL_CREATE                                                  \
    "CREATE TABLE IF NOT EXISTS in_file_positions ("                        \
    " spec TEXT PRIMARY KEY, dev INTEGER NOT NULL, ino INTEGER NOT NULL,"   \
    " offset INTEGER NOT NULL, fp_len INTEGER NOT NULL,"                    \
    " fp_hash INTEGER NOT NULL)"
#define IN_FILE_SQL_GET                                                     \
    "SELECT dev, ino, offset, fp_len, fp_hash FROM in_file_positions"       \
    " WHERE spec = @spec"
#define IN_FILE_SQL_PUT                                                     \
    "INSERT OR REPLACE INTO in_file_positions"                              \
    " (spec, dev, ino, offset, fp_len, fp_hash)"                            \
    " VALUES (@spec, @dev, @ino, @offset, @fp_len, @fp_hash)"

/* in_dir: every file of a watched folder that was consumed (path relative
 * to the folder's real path `root`). status: ok, damaged, truncated,
 * oversized, unreadable. */
#define IN_DIR_SQL_CREATE                                                   \
    "CREATE TABLE IF NOT EXISTS in_dir_files ("                             \
    " root TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,"       \
    " mtime_ns INTEGER NOT NULL, status TEXT NOT NULL,"                     \
    " PRIMARY KEY (root, path)) WITHOUT ROWID"
#define IN_DIR_SQL_SEEN                                                     \
    "SELECT 1 FROM in_dir_files WHERE root = @root AND path = @path"
#define IN_DIR_SQL_PUT                                                      \
    "INSERT OR REPLACE INTO in_dir_files (root, path, size, mtime_ns,"      \
    " status) VALUES (@root, @path, @size, @mtime_ns, @status)"

/* in_http: how far the spool of an http input has been consumed. */
#define IN_HTTP_SQL_CREATE                                                  \
    "CREATE TABLE IF NOT EXISTS in_http_spool ("                            \
    " spec TEXT PRIMARY KEY, gen INTEGER NOT NULL, offset INTEGER NOT NULL)"
#define IN_HTTP_SQL_GET                                                     \
    "SELECT gen, offset FROM in_http_spool WHERE spec = @spec"
#define IN_HTTP_SQL_PUT                                                     \
    "INSERT OR REPLACE INTO in_http_spool (spec, gen, offset)"              \
    " VALUES (@spec, @gen, @offset)"

#endif
