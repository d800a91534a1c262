import { databaseEnv } from "../env";
import { resolveDatabaseUrl } from "./database-url";
import { applyMigrations, applySeed } from "./migrate";

/**
 * The URL to use, with the schema up to date when it is the embedded database.
 * A configured DATABASE_URL is never migrated implicitly: use `npm run db:migrate`
 * (or `supabase db push`) for that.
 */
export async function prepareDatabase(): Promise<string> {
  const url = await resolveDatabaseUrl();
  if (!databaseEnv().DATABASE_URL) {
    await applyMigrations(url);
    await applySeed(url);
  }
  return url;
}
