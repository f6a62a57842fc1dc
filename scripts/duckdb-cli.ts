/**
 * A minimal `duckdb` command line on the real DuckDB engine of `@duckdb/node-api` (a devDependency whose platform
 * package ships libduckdb), so test/docs/recipes.spec.ts runs the DuckDB recipe of docs/recipes.md where the DuckDB
 * CLI is not installed (no npm or Debian package ships it):
 *
 *   node dist/scripts/duckdb-cli.js [DATABASE] [-c SQL]
 *
 * opens DATABASE (default: in memory), runs the SQL of `-c` or else of stdin statement by statement, and prints
 * each statement's rows as `column|column` lines under a header line (sqlite3's list mode; the real CLI draws
 * boxes). Any other option is refused (exit 1), so a recipe that needs more than this fails instead of passing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, ResultReturnType } from '@duckdb/node-api';

function usage(message: string): never {
  throw new Error(`${message} (usage: duckdb [DATABASE] [-c SQL]; this front end supports nothing else)`);
}

function parseArgs(argv: readonly string[]): { database: string; sql: string | undefined } {
  let database: string | undefined;
  let sql: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-c') {
      sql = argv[++i] ?? usage('-c needs an SQL text');
    } else if (arg.startsWith('-')) {
      usage(`unsupported option ${arg}`);
    } else if (database === undefined) {
      database = arg;
    } else {
      usage(`unexpected argument ${arg}`);
    }
  }
  return { database: database ?? ':memory:', sql };
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

export async function duckdbCli(argv: readonly string[], stdin: () => string, write: (text: string) => void): Promise<void> {
  const { database, sql } = parseArgs(argv);
  const instance = await DuckDBInstance.create(database);
  const connection = await instance.connect();
  try {
    const statements = await connection.extractStatements(sql ?? stdin());
    for (let i = 0; i < statements.count; i++) {
      const reader = await (await statements.prepare(i)).runAndReadAll();
      // Like the CLI, print query results only (not the changed-row count of CREATE or INSERT).
      if (reader.returnType !== ResultReturnType.QUERY_RESULT) continue;
      write(`${reader.columnNames().join('|')}\n`);
      for (const row of reader.getRowsJson()) write(`${row.map(cell).join('|')}\n`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  duckdbCli(process.argv.slice(2), () => readFileSync(0, 'utf8'), (t) => process.stdout.write(t)).catch((e: unknown) => {
    process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
