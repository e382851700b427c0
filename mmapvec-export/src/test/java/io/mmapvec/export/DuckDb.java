package io.mmapvec.export;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** DuckDB (its JDBC driver, in-memory, one thread so that scans keep file order) as test reader. */
final class DuckDb implements AutoCloseable {
  private final Connection connection;

  DuckDb() throws SQLException {
    connection = DriverManager.getConnection("jdbc:duckdb:");
    execute("SET threads = 1");
  }

  /** {@return the SQL string literal of {@code path}} */
  static String literal(Path path) {
    return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
  }

  void execute(String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }

  /** {@return every row of {@code sql}, each as its column values (JDBC objects)} */
  List<List<Object>> rows(String sql) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      List<List<Object>> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  /** {@return the single row of {@code sql}} */
  List<Object> row(String sql) throws SQLException {
    List<List<Object>> rows = rows(sql);
    if (rows.size() != 1) {
      throw new AssertionError(sql + " gave " + rows.size() + " rows, expected 1");
    }
    return rows.getFirst();
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
