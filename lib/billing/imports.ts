// The API side of imports: an upload is saved to a temporary file, recorded as a queued CostImport
// and imported in the background of this process (the UI polls getCostImport for progress). The
// file is deleted when the import ends, whatever the outcome.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { AuditContext } from '../audit/record';
import { loadServerConfig } from '../config/server-config';
import type { Db } from '../db/client';
import { NotFoundError, ValidationError } from '../errors';
import { importCostFile, type ImportResult } from './importer';
import type { ImportDefaults } from './normalize';
import type { CostImportView } from './schemas';

/** Uploads larger than this are refused (a billing month of a large estate is well below). */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

export function toImportView(i: {
  id: string; fileName: string; source: string; status: string; rowsRead: number; rowsPerSecond: number; rowCount: number;
  rejectedRows: number; message: string | null; errors: unknown; periods: unknown; createdAt: Date; startedAt: Date | null; finishedAt: Date | null;
}): CostImportView {
  return {
    id: i.id,
    fileName: i.fileName,
    source: i.source,
    status: i.status,
    rowsRead: i.rowsRead,
    rowsPerSecond: i.rowsPerSecond,
    rowCount: i.rowCount,
    rejectedRows: i.rejectedRows,
    message: i.message,
    errors: Array.isArray(i.errors) ? (i.errors as CostImportView['errors']) : [],
    periods: Array.isArray(i.periods) ? (i.periods as CostImportView['periods']) : [],
    createdAt: i.createdAt.toISOString(),
    startedAt: i.startedAt?.toISOString() ?? null,
    finishedAt: i.finishedAt?.toISOString() ?? null,
  };
}

export async function getCostImport(db: Db, importId: string): Promise<CostImportView> {
  const found = await db.costImport.findUnique({ where: { id: importId } });
  if (!found) throw new NotFoundError('The cost import');
  return toImportView(found);
}

export async function listCostImports(db: Db, take = 20): Promise<CostImportView[]> {
  return (await db.costImport.findMany({ orderBy: { createdAt: 'desc' }, take })).map(toImportView);
}

export interface UploadedFile {
  name: string;
  size: number;
  stream(): WebReadableStream<Uint8Array> | ReadableStream<Uint8Array>;
}

/**
 * Save the upload and start importing it. Returns the queued import at once; `done` resolves with
 * the result (tests await it; the API does not).
 */
export async function startUploadImport(
  db: Db,
  connectionString: string,
  file: UploadedFile,
  options: { importedById: string; defaults: ImportDefaults; audit: AuditContext },
): Promise<{ view: CostImportView; done: Promise<ImportResult | null> }> {
  if (!file.size) throw new ValidationError([{ field: 'file', message: 'The file is empty.' }]);
  if (file.size > MAX_UPLOAD_BYTES) throw new ValidationError([{ field: 'file', message: 'The file is larger than 2 GiB.' }]);
  const fileName = (file.name || 'upload').slice(0, 255);
  const dir = path.join(tmpdir(), 'skyport-cost-uploads');
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, `${randomUUID()}${path.extname(fileName).slice(0, 10)}`);
  await pipeline(Readable.fromWeb(file.stream() as WebReadableStream<Uint8Array>), createWriteStream(target));
  const queued = await db.costImport.create({ data: { source: 'focus', fileName, status: 'queued', importedById: options.importedById } });
  const config = loadServerConfig(process.env);
  const done = importCostFile(db, connectionString, target, {
    importId: queued.id,
    fileName,
    importedById: options.importedById,
    defaults: options.defaults,
    tagMapping: config.costTagMapping,
    audit: options.audit,
  })
    .catch(async (error: unknown) => {
      console.error(`cost import ${queued.id} failed:`, error);
      return null;
    })
    .finally(() => rm(target, { force: true }));
  return { view: toImportView(queued), done };
}

/**
 * An import whose process died (restart mid-import) stays "running" forever otherwise: mark imports
 * that started more than `olderThanMs` ago and never finished as failed, and drop their staging
 * tables. Their periods were never swapped, so nothing else needs undoing.
 */
export async function failStaleImports(db: Db, olderThanMs = 6 * 3_600_000, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - olderThanMs);
  const stale = await db.costImport.findMany({ where: { status: { in: ['queued', 'running'] }, createdAt: { lt: cutoff } }, select: { id: true } });
  for (const { id } of stale) {
    const tables = await db.$queryRaw<{ name: string }[]>`
      SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relname LIKE ${`CostRecord_stage_${id.replace(/[^A-Za-z0-9]/g, '')}%`}`;
    for (const t of tables) if (/^[A-Za-z0-9_]+$/.test(t.name)) await db.$executeRawUnsafe(`DROP TABLE IF EXISTS "${t.name}"`);
    await db.costImport.update({ where: { id }, data: { status: 'failed', message: 'The import was interrupted (the process stopped); nothing was imported. Upload the file again.', finishedAt: now } });
  }
  return stale.length;
}
