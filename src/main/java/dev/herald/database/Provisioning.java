package dev.herald.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What the superuser sets up in the embedded server at every start, before Herald connects as its
 * role: the role {@value #ROLE} (a login with no power beyond what it owns, and the password from the
 * data dir), the database it works in, and the ownership of every table there.
 *
 * <p>Where the tables live: a new data directory gets a database {@value #DATABASE} owned by the role.
 * A data directory of an earlier version, whose tables are in database {@code postgres}, keeps them
 * there: they are handed to the role rather than copied, so an upgrade moves no data.
 */
final class Provisioning {
    static final String ROLE = "herald";
    static final String DATABASE = "herald";
    /** What the role may not do, stated again at every start so that it stays true. */
    private static final String ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
    private static final String ROLE_EXISTS = "SELECT 1 FROM pg_roles WHERE rolname = '" + ROLE + "'";
    private static final String DATABASE_EXISTS = "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'";
    private static final String EARLIER_TABLES = """
            SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')""";
    /** Tables first: their serial and identity sequences change hands with them and refuse to on their own. */
    private static final List<String> NOT_OWNED = List.of("('r', 'p', 'f')", "('v', 'm', 'S')").stream().map(kinds -> """
            SELECT format('ALTER %s %I.%I OWNER TO herald', CASE c.relkind WHEN 'v' THEN 'VIEW'
                       WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                       ELSE 'TABLE' END, n.nspname, c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relowner <> 'herald'::regrole AND c.relkind IN\s""" + kinds).toList();

    private Provisioning() {
    }

    /**
     * Run as the superuser on the started server; returns the database the role works in. When
     * {@code upgrading}, the superuser gets its password first (until now it needed none).
     */
    static String run(EmbeddedPostgres server, boolean upgrading, String superuserPassword, String rolePassword) throws SQLException {
        String database;
        try (Connection conn = server.getPostgresDatabase().getConnection(); Statement sql = conn.createStatement()) {
            sql.execute("SET password_encryption = 'scram-sha-256'");
            // a failing statement below carries a password: it must not be written to the server log
            sql.execute("SET log_min_error_statement = panic");
            if (upgrading) {
                sql.execute("ALTER ROLE postgres PASSWORD " + literal(superuserPassword));
            }
            sql.execute((exists(sql, ROLE_EXISTS) ? "ALTER" : "CREATE") + " ROLE " + ROLE + " " + ROLE_ATTRIBUTES
                    + " PASSWORD " + literal(rolePassword));
            database = workingDatabase(sql);
        }
        try (Connection conn = server.getDatabase("postgres", database).getConnection()) {
            handOver(conn);
        }
        return database;
    }

    /** Makes the server read {@code pg_hba.conf} again (connections made after it follow the new rules). */
    static void reloadConfiguration(EmbeddedPostgres server) throws SQLException {
        try (Connection conn = server.getPostgresDatabase().getConnection(); Statement sql = conn.createStatement()) {
            sql.execute("SELECT pg_reload_conf()");
        }
    }

    private static String workingDatabase(Statement sql) throws SQLException {
        if (exists(sql, DATABASE_EXISTS)) {
            return DATABASE;
        }
        if (exists(sql, EARLIER_TABLES)) {
            return "postgres";
        }
        sql.execute("CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
        return DATABASE;
    }

    /** The role owns schema {@code public} and everything in it, in one transaction. */
    private static void handOver(Connection conn) throws SQLException {
        conn.setAutoCommit(false);
        try (Statement sql = conn.createStatement()) {
            sql.execute("ALTER SCHEMA public OWNER TO " + ROLE);
            for (String query : NOT_OWNED) {
                List<String> changes = new ArrayList<>();
                try (ResultSet rows = sql.executeQuery(query)) {
                    while (rows.next()) {
                        changes.add(rows.getString(1));
                    }
                }
                for (String change : changes) {
                    sql.execute(change);
                }
            }
            conn.commit();
        } catch (SQLException e) {
            conn.rollback();
            throw e;
        }
    }

    private static boolean exists(Statement sql, String query) throws SQLException {
        try (ResultSet rows = sql.executeQuery(query)) {
            return rows.next();
        }
    }

    /** A string literal; the passwords are generated base64url text, quoted properly all the same. */
    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
