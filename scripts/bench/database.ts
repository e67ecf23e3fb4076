// The database and process lifecycle every benchmark shares: use DATABASE_URL when set, otherwise an
// embedded PostgreSQL in a temp directory that is removed again afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startEmbeddedPostgres } from '../../lib/db/embedded';

export interface BenchDatabase {
  url: string;
  /** Stops the embedded server (if one was started) and deletes its data directory. */
  close: () => Promise<void>;
}

export async function openBenchDatabase(name: string): Promise<BenchDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) return { url: external, close: async () => {} };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `skyport-bench-${name}-`));
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'skyport' });
  return {
    url: pg.url,
    close: async () => {
      await pg.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a benchmark's main and exits with 0 or, after printing the error, 1. */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
