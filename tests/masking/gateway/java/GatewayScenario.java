import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGStatement;

/**
 * One fixed scenario against Veil's gateway through the PostgreSQL JDBC driver, for
 * tests/masking/gateway/test_jdbc.py.
 *
 * <p>Usage: {@code java GatewayScenario JDBC_URL USER PASSWORD}; the gateway logs the
 * driver in with SCRAM-SHA-256. Every step prints one JSON line, {@code {"step": ...,
 * "rows": [[...]], "types": [...], "extra": [...]}} when it worked or {@code {"step": ...,
 * "sqlstate": ..., "error": ...}} when the driver threw, and the scenario goes on, so the
 * test can say which step failed and how. Values are printed as {@code getString()} gives
 * them; {@code null} stays null.
 */
public final class GatewayScenario {
  private GatewayScenario() {}

  interface Step {
    void run(Result out) throws SQLException;
  }

  /** What one step saw. */
  static final class Result {
    final List<List<String>> rows = new ArrayList<>();
    final List<String> types = new ArrayList<>();
    final List<String> extra = new ArrayList<>();

    void read(ResultSet rs, String... columns) throws SQLException {
      ResultSetMetaData meta = rs.getMetaData();
      if (types.isEmpty()) {
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          types.add(meta.getColumnTypeName(i));
        }
      }
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        if (columns.length == 0) {
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.add(rs.getString(i));
          }
        } else {
          for (String column : columns) {
            row.add(rs.getString(column));
          }
        }
        rows.add(row);
      }
      rs.close();
    }
  }

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", args[1]);
    props.setProperty("password", args[2]);
    props.setProperty("sslmode", "disable"); // the gateway refuses TLS today
    props.setProperty("connectTimeout", "30");
    props.setProperty("socketTimeout", "120");

    step(
        "wrong_password",
        out -> {
          Properties wrong = new Properties();
          wrong.putAll(props);
          wrong.setProperty("password", args[2] + "-wrong");
          DriverManager.getConnection(args[0], wrong).close();
        });

    Connection[] holder = new Connection[1];
    boolean connected =
        step(
            "connect",
            out -> {
              holder[0] = DriverManager.getConnection(args[0], props);
              DatabaseMetaData meta = holder[0].getMetaData();
              out.extra.add(meta.getDatabaseProductVersion());
              out.extra.add(meta.getUserName());
            });
    if (!connected) {
      return;
    }
    Connection conn = holder[0];

    step(
        "statement",
        out -> {
          try (Statement st = conn.createStatement()) {
            out.read(st.executeQuery("SELECT id, email, balance FROM crm.customers ORDER BY id"));
          }
        });

    // The driver switches to a named server-side statement (S_1) at the 5th execution
    // (prepareThreshold=5): 7 runs use the unnamed statement, then the named one.
    step(
        "prepared_int",
        out -> {
          try (PreparedStatement ps =
              conn.prepareStatement("SELECT id, email FROM crm.customers WHERE id = ?")) {
            for (int id : new int[] {1, 2, 3, 1, 2, 3, 1}) {
              ps.setInt(1, id);
              out.read(ps.executeQuery());
            }
            out.extra.add(String.valueOf(ps.unwrap(PGStatement.class).isUseServerPrepare()));
          }
        });

    step(
        "prepared_string",
        out -> {
          try (PreparedStatement ps =
              conn.prepareStatement(
                  "SELECT id, full_name FROM crm.customers WHERE full_name = ? ORDER BY id")) {
            ps.setString(1, "Bo Ek");
            out.read(ps.executeQuery());
          }
        });

    step(
        "metadata_tables",
        out -> {
          DatabaseMetaData meta = conn.getMetaData();
          out.read(
              meta.getTables(null, null, "%", new String[] {"TABLE", "VIEW"}),
              "TABLE_SCHEM",
              "TABLE_NAME",
              "TABLE_TYPE");
        });

    step(
        "metadata_columns",
        out -> {
          DatabaseMetaData meta = conn.getMetaData();
          out.read(
              meta.getColumns(null, "crm", "customers", "%"), "COLUMN_NAME", "TYPE_NAME");
        });

    step(
        "metadata_primary_keys",
        out -> {
          DatabaseMetaData meta = conn.getMetaData();
          out.read(meta.getPrimaryKeys(null, "sales", "orders"), "COLUMN_NAME", "KEY_SEQ");
        });

    step(
        "refused_statement",
        out -> {
          try (Statement st = conn.createStatement()) {
            out.read(st.executeQuery("SELECT born FROM crm.customers"));
          }
        });

    step(
        "refused_prepared",
        out -> {
          try (PreparedStatement ps =
              conn.prepareStatement("SELECT born FROM crm.customers WHERE id = ?")) {
            ps.setInt(1, 1);
            out.read(ps.executeQuery());
          }
        });

    step(
        "unknown_table",
        out -> {
          try (Statement st = conn.createStatement()) {
            out.read(st.executeQuery("SELECT * FROM crm.nope"));
          }
        });

    step(
        "after_refusals",
        out -> {
          try (Statement st = conn.createStatement()) {
            out.read(st.executeQuery("SELECT count(*) FROM sales.orders")); // row filter
          }
        });

    // A transaction: the refusal aborts it, the next statement is refused with 25P02
    // (as PostgreSQL does), rollback ends it and the connection reads again.
    step(
        "tx_read",
        out -> {
          conn.setAutoCommit(false);
          try (PreparedStatement ps =
              conn.prepareStatement("SELECT email FROM crm.customers WHERE id = ?")) {
            ps.setInt(1, 2);
            out.read(ps.executeQuery());
          }
        });

    step(
        "tx_refused",
        out -> {
          try (Statement st = conn.createStatement()) {
            out.read(st.executeQuery("SELECT born FROM crm.customers"));
          }
        });

    step(
        "tx_aborted",
        out -> {
          try (Statement st = conn.createStatement()) {
            out.read(st.executeQuery("SELECT 1"));
          }
        });

    step(
        "tx_rollback",
        out -> {
          conn.rollback();
          try (Statement st = conn.createStatement()) {
            out.read(st.executeQuery("SELECT email FROM crm.customers WHERE id = 3"));
          }
          conn.commit();
          conn.setAutoCommit(true);
        });

    step("close", out -> conn.close());
  }

  /** Run one step, print its JSON line; true when it worked. */
  static boolean step(String name, Step step) {
    Result out = new Result();
    StringBuilder line = new StringBuilder("{\"step\": ").append(json(name));
    boolean ok;
    try {
      step.run(out);
      line.append(", \"rows\": [");
      for (int i = 0; i < out.rows.size(); i++) {
        line.append(i == 0 ? "" : ", ").append(json(out.rows.get(i)));
      }
      line.append("], \"types\": ").append(json(out.types));
      line.append(", \"extra\": ").append(json(out.extra));
      ok = true;
    } catch (SQLException e) {
      line.append(", \"sqlstate\": ").append(json(e.getSQLState()));
      line.append(", \"error\": ").append(json(e.toString()));
      ok = false;
    }
    System.out.println(line.append('}'));
    System.out.flush();
    return ok;
  }

  static String json(List<String> values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(json(values.get(i)));
    }
    return b.append(']').toString();
  }

  static String json(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
