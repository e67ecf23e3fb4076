// Watched folders: <SKYPORT_COST_IMPORT_DIR>/<provider account id>/*.csv|.csv.gz|.parquet. Each new
// file (by sha256) is imported once; re-dropping a changed export of the same period replaces it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { importCostFile, type ImportResult } from './importer';
import type { TagMapping } from './linking';

const COST_FILE = /\.(csv|csv\.gz|gz|parquet)$/i;

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function importWatchedFolder(
  db: Db,
  connectionString: string,
  options: { root: string; providerAccountId: string; audit: AuditContext; tagMapping?: TagMapping[]; rollupTagKeys?: string[] },
): Promise<ImportResult[]> {
  const dir = path.join(options.root, options.providerAccountId);
  const entries = await readdir(dir).catch(() => [] as string[]);
  const results: ImportResult[] = [];
  for (const name of entries.filter((n) => COST_FILE.test(n)).sort()) {
    const file = path.join(dir, name);
    if (!(await stat(file)).isFile()) continue;
    const digest = await sha256(file);
    const seen = await db.costImport.findFirst({ where: { fileSha256: digest, providerAccountId: options.providerAccountId, status: { in: ['succeeded', 'running'] } } });
    if (seen) continue;
    results.push(
      await importCostFile(db, connectionString, file, {
        fileName: name,
        providerAccountId: options.providerAccountId,
        fileSha256: digest,
        audit: options.audit,
        tagMapping: options.tagMapping,
        rollupTagKeys: options.rollupTagKeys,
      }),
    );
  }
  return results;
}
