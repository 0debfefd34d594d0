import { Client } from 'pg';

/**
 * Runs one statement on a test database over a connection of its own, as the server's admin:
 * no API and no rules but the database's. For arranging rows and reading what a test changed.
 */
export async function query<T extends object = Record<string, unknown>>(
  databaseUrl: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
