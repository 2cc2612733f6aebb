import Foundation
import PostgresTestSupport
import Testing

/// A database whose salvo schema an older salvo made (version 1, before the run's preflight was
/// kept) is upgraded in place on first use, and its runs go on.
@Suite(.serialized) struct PostgresSchemaUpgradeTests {
    @Test func aVersion1SchemaGainsThePreflightColumns() throws {
        let server = try TestPostgres.server()
        let url = try TestPostgres.freshDatabase("upgrade")
        let name = TestPostgres.databaseName(url)
        let environment = ["PGPASSWORD": server.password]
        let made = try SalvoProcess.run(["status", "campaigns/order-shipped.yaml", "--state", url], environment: environment)
        #expect(made.status == 0, "\(made.all)")
        // As salvo 0.1.0 left it: no preflight columns, schema 1.
        _ = try TestPostgres.psql(server, database: name, """
            ALTER TABLE salvo.runs DROP COLUMN preflight_at, DROP COLUMN preflight, DROP COLUMN preflight_passed; UPDATE salvo.meta SET value = '1' WHERE key = 'schema'
            """)
        #expect(try TestPostgres.psql(server, database: name, "SELECT value FROM salvo.meta WHERE key = 'schema'") == "1")
        let upgraded = try SalvoProcess.run(["status", "campaigns/order-shipped.yaml", "--state", url], environment: environment)
        #expect(upgraded.status == 0 && upgraded.stdout.contains("not started"), "\(upgraded.all)")
        #expect(try TestPostgres.psql(server, database: name, "SELECT value FROM salvo.meta WHERE key = 'schema'") == "2")
        let columns = try TestPostgres.psql(server, database: name,
                                            "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_schema = 'salvo' AND table_name = 'runs' AND column_name LIKE 'preflight%'")
        #expect(columns == "preflight,preflight_at,preflight_passed")
    }
}
