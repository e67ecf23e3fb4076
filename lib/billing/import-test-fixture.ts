// Shared set-up of the cost-import tests: a fresh test database, a temp folder for the files the
// tests write, and `run` = importCostFile with the defaults every test uses.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll } from 'vitest';
import { SYSTEM_ACTOR, auditContext } from '../audit/record';
import type { Db } from '../db/client';
import { createTestDatabase } from '../testing/db';
import { importCostFile, type ImportOptions } from './importer';

export interface CostImportFixture {
  /** Available once the suite's beforeAll has run. */
  readonly db: Db;
  run: (file: string, options?: Partial<ImportOptions>) => ReturnType<typeof importCostFile>;
  write: (name: string, content: string | Buffer) => Promise<string>;
}

/** Call at the top of a test file; registers the beforeAll that creates the database and folder. */
export function costImportFixture(tmpPrefix: string): CostImportFixture {
  let db: Db | undefined;
  let url = '';
  let tmp = '';
  beforeAll(async () => {
    ({ db, url } = await createTestDatabase());
    tmp = await mkdtemp(path.join(tmpdir(), tmpPrefix));
  });
  const ready = (): Db => {
    if (!db) throw new Error('costImportFixture used before beforeAll ran');
    return db;
  };
  return {
    get db() {
      return ready();
    },
    run: (file, options = {}) =>
      importCostFile(ready(), url, file, { fileName: path.basename(file), audit: auditContext(SYSTEM_ACTOR), ...options }),
    write: async (name, content) => {
      const file = path.join(tmp, name);
      await writeFile(file, content);
      return file;
    },
  };
}
