// Child process of `npm run bench:billing`: imports one FOCUS file and reports the import's result
// and this process's peak RSS as the kernel counts it (VmHWM), so the figure is that of a process
// doing only the import (a worker's job), not of the benchmark that generated the file.
import fs from 'node:fs';
import { auditContext, SYSTEM_ACTOR } from '../../lib/audit/record';
import { importCostFile } from '../../lib/billing/importer';
import { createPrismaClient } from '../../lib/db/client';

const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);

async function main() {
  const [url, file, shards] = process.argv.slice(2);
  if (!url || !file) throw new Error('usage: billing-import-child <database url> <file> [shards]');
  const db = createPrismaClient(url, { max: 4 });
  try {
    await db.$queryRaw`SELECT 1`;
    const rssBefore = kib('VmRSS');
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const result = await importCostFile(db, url, file, { fileName: 'bench.csv', audit: auditContext(SYSTEM_ACTOR), shards: shards ? Number(shards) : undefined });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    process.stdout.write(`${JSON.stringify({ result, seconds, cpuSeconds, rssBeforeKiB: rssBefore, peakRssKiB: kib('VmHWM') })}\n`);
  } finally {
    await db.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
