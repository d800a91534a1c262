/**
 * Database chores: `npm run db:start | db:stop | db:migrate | db:url`.
 * start/stop manage the embedded PostgreSQL under .data/; migrate applies
 * supabase/migrations to DATABASE_URL (or the embedded database).
 */
import { resolveDatabaseUrl } from "../lib/db/database-url";
import { stopEmbeddedPostgres } from "../lib/db/embedded";
import { applyMigrations } from "../lib/db/migrate";

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case "start": {
      const url = await resolveDatabaseUrl();
      process.stdout.write(`${url}\n`);
      return 0;
    }
    case "stop": {
      const stopped = await stopEmbeddedPostgres();
      process.stderr.write(stopped ? "Embedded PostgreSQL stopped.\n" : "Embedded PostgreSQL was not running.\n");
      return 0;
    }
    case "migrate": {
      const url = await resolveDatabaseUrl();
      await applyMigrations(url);
      process.stderr.write("Migrations applied.\n");
      return 0;
    }
    case "url":
      process.stdout.write(`${await resolveDatabaseUrl()}\n`);
      return 0;
    default:
      process.stderr.write("usage: tsx scripts/db.ts start|stop|migrate|url\n");
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`db: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
