// The API side of imports: an upload is streamed to a temporary file (never buffered whole),
// recorded as a queued CostImport and imported in the background of this process (the UI polls
// getCostImport for progress: phase, rows read, rows/s). The file is deleted when the import ends.
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Prisma } from '@/generated/prisma/client';
import type { AuditContext } from '../audit/record';
import { loadServerConfig } from '../config/server-config';
import type { Db } from '../db/client';
import { NotFoundError, ValidationError } from '../errors';
import { zodIssues } from '../api/problem';
import { assertNoNulCharacters } from '../validation/input';
import { importCostFile, type ImportResult } from './importer';
import { receiveMultipart } from './multipart';
import { importDefaultsSchema } from './schemas';
import type { ImportDefaults } from './normalize';
import type { CostImportView } from './schemas';

/** Uploads larger than this are refused (a billing month of a large estate is well below). */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

export function toImportView(i: {
  id: string; fileName: string; source: string; status: string; phase: string | null; rowsRead: number; rowsPerSecond: number; rowCount: number;
  rejectedRows: number; message: string | null; errors: unknown; periods: unknown; createdAt: Date; startedAt: Date | null; finishedAt: Date | null;
}): CostImportView {
  return {
    id: i.id,
    fileName: i.fileName,
    source: i.source,
    status: i.status,
    phase: i.phase,
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
  await failImportsWithStoppedHeartbeat(db);
  const found = await db.costImport.findUnique({ where: { id: importId } });
  if (!found) throw new NotFoundError('The cost import');
  return toImportView(found);
}

export async function listCostImports(db: Db, take = 20): Promise<CostImportView[]> {
  await failImportsWithStoppedHeartbeat(db);
  return (await db.costImport.findMany({ orderBy: { createdAt: 'desc' }, take })).map(toImportView);
}

/** An import whose heartbeat is older than this was running in a process that is gone. */
export const STALE_HEARTBEAT_MS = 2 * 60_000;

export interface StreamedUpload {
  contentType: string | null;
  body: AsyncIterable<Uint8Array> | null;
}

/**
 * Stream a multipart upload (field `file`, optional default fields) to a temporary file — never
 * the whole upload in memory — record it as a queued CostImport and start importing it in the
 * background of this process. Returns the queued import at once; `done` resolves with the result
 * (tests await it; the API does not). The file is deleted when the import ends, whatever the outcome.
 */
export async function startStreamedImport(
  db: Db,
  connectionString: string,
  upload: StreamedUpload,
  options: { importedById: string; audit: AuditContext },
): Promise<{ view: CostImportView; done: Promise<ImportResult | null> }> {
  const dir = path.join(tmpdir(), 'skyport-cost-uploads');
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, randomUUID());
  let received: Awaited<ReturnType<typeof receiveMultipart>>;
  try {
    if (!upload.body) throw new ValidationError([{ field: 'file', message: 'Attach the cost file as the multipart field "file".' }]);
    received = await receiveMultipart(upload.body, upload.contentType, { fileField: 'file', filePath: target, maxFileBytes: MAX_UPLOAD_BYTES });
    if (!received.file) throw new ValidationError([{ field: 'file', message: 'Attach the cost file as the multipart field "file".' }]);
    if (!received.file.size) throw new ValidationError([{ field: 'file', message: 'The file is empty.' }]);
    assertNoNulCharacters(received.fields, 'body');
  } catch (error) {
    await rm(target, { force: true });
    throw error;
  }
  const parsed = importDefaultsSchema.safeParse(received.fields);
  if (!parsed.success) {
    await rm(target, { force: true });
    throw new ValidationError(zodIssues(parsed.error, 'body'));
  }
  return startImportOfFile(db, connectionString, target, { ...options, fileName: received.file.fileName, defaults: parsed.data });
}

async function startImportOfFile(
  db: Db,
  connectionString: string,
  target: string,
  options: { importedById: string; fileName: string; defaults: ImportDefaults; audit: AuditContext },
): Promise<{ view: CostImportView; done: Promise<ImportResult | null> }> {
  const fileName = (options.fileName || 'upload').slice(0, 255);
  const queued = await db.costImport.create({
    data: { source: 'focus', fileName, status: 'queued', phase: 'queued', heartbeatAt: new Date(), importedById: options.importedById },
  });
  const config = loadServerConfig(process.env);
  const done = importCostFile(db, connectionString, target, {
    importId: queued.id,
    fileName,
    importedById: options.importedById,
    defaults: options.defaults,
    tagMapping: config.costTagMapping,
    rollupTagKeys: config.costRollupTagKeys,
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
 * An import whose process died (restart mid-import) stays "running" forever otherwise. A running
 * import refreshes heartbeatAt every few seconds; one whose heartbeat is older than
 * STALE_HEARTBEAT_MS (or, for rows without a heartbeat, created more than `olderThanMs` ago) is
 * marked failed and its staging tables are dropped. Its periods were never swapped (the swap
 * commits last), so nothing else needs undoing.
 */
export async function failStaleImports(db: Db, olderThanMs = 6 * 3_600_000, now: Date = new Date()): Promise<number> {
  return failWhere(db, now, [
    { heartbeatAt: { lt: new Date(now.getTime() - STALE_HEARTBEAT_MS) } },
    { heartbeatAt: null, createdAt: { lt: new Date(now.getTime() - olderThanMs) } },
  ]);
}

/** The cheap check the import pages run on every poll: only imports whose heartbeat stopped. */
export async function failImportsWithStoppedHeartbeat(db: Db, now: Date = new Date()): Promise<number> {
  return failWhere(db, now, [{ heartbeatAt: { lt: new Date(now.getTime() - STALE_HEARTBEAT_MS) } }]);
}

async function failWhere(db: Db, now: Date, or: Prisma.CostImportWhereInput[]): Promise<number> {
  const stale = await db.costImport.findMany({ where: { status: { in: ['queued', 'running'] }, OR: or }, select: { id: true } });
  for (const { id } of stale) {
    const tables = await db.$queryRaw<{ name: string }[]>`
      SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relname LIKE ${`CostRecord_stage_${id.replace(/[^A-Za-z0-9]/g, '')}%`}`;
    for (const t of tables) if (/^[A-Za-z0-9_]+$/.test(t.name)) await db.$executeRawUnsafe(`DROP TABLE IF EXISTS "${t.name}"`);
    await db.costImport.updateMany({
      where: { id, status: { in: ['queued', 'running'] } },
      data: { status: 'failed', phase: 'done', message: 'The import was interrupted (the process stopped); nothing was imported. Upload the file again.', finishedAt: now },
    });
  }
  return stale.length;
}
