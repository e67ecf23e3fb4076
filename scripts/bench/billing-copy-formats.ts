// `npm run bench:billing-copy-formats`: PostgreSQL backend CPU of COPY FROM (FORMAT csv) against
// (FORMAT binary) of the same 1M rows, per column kind of a FOCUS row (four timestamp(3), four
// numeric(65,30), jsonb Tags, three text). It decides whether the typed COPY should send binary:
// the saving in PostgreSQL must clearly exceed what encoding the cells would cost Node. The files
// come from COPY TO of generated rows, so both formats hold exactly the same values.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { freePort, startEmbeddedPostgres } from '../../lib/db/embedded';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEATS = 3;
// Linux reports /proc/<pid>/stat times in clock ticks of 1/100 s (USER_HZ).
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of one process (the connection's backend). */
function cpuSecondsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

const KINDS: { name: string; columns: string; values: string }[] = [
  {
    name: 'four timestamp(3)',
    columns: 'a timestamp(3), b timestamp(3), c timestamp(3), d timestamp(3)',
    values: `timestamp '2026-11-01' + (i % 30) * interval '1 day', timestamp '2026-11-02' + (i % 30) * interval '1 day', timestamp '2026-11-01', timestamp '2026-12-01'`,
  },
  {
    name: 'four numeric(65,30)',
    columns: 'n1 numeric(65,30), n2 numeric(65,30), n3 numeric(65,30), n4 numeric(65,30)',
    values: `round((i % 9973) * 0.0137, 10), round((i % 9973) * 0.0131, 10), (i % 24), round((i % 977) * 0.00041, 6)`,
  },
  { name: 'jsonb Tags', columns: 'tags jsonb', values: `jsonb_build_object('cost-center', 'CC-' || (i % 40), 'project', 'p' || (i % 40))` },
  {
    name: 'three text',
    columns: 's1 text, s2 text, s3 text',
    values: `'/subscriptions/0000/resourceGroups/rg' || (i % 500) || '/providers/Microsoft.Compute/virtualMachines/vm' || i, 'Virtual Machines', 'eastus'`,
  },
];

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skyport-bench-copy-formats-'));
  const server = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), database: 'skyport' });
  const client = new pg.Client({ connectionString: server.url });
  try {
    await client.connect();
    const pid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    for (const kind of KINDS) {
      await client.query(`DROP TABLE IF EXISTS src`);
      await client.query(`CREATE UNLOGGED TABLE src (${kind.columns})`);
      await client.query(`INSERT INTO src SELECT ${kind.values} FROM generate_series(1, ${ROWS}) i`);
      const cpu: Record<'csv' | 'binary', number[]> = { csv: [], binary: [] };
      const size: Record<'csv' | 'binary', number> = { csv: 0, binary: 0 };
      for (const format of ['csv', 'binary'] as const) {
        const file = path.join(dir, `copy.${format}`);
        await pipeline(client.query(copyStreams.to(`COPY src TO STDOUT (FORMAT ${format})`)), fs.createWriteStream(file));
        size[format] = fs.statSync(file).size;
      }
      // Alternating, back to back: the host's other load hits both formats alike.
      for (let r = 0; r < REPEATS; r++) {
        for (const format of ['csv', 'binary'] as const) {
          await client.query('BEGIN');
          // Created in the transaction, loaded with FREEZE: as the typed COPY loads its shards.
          await client.query(`CREATE TABLE dst (${kind.columns})`);
          const before = cpuSecondsOf(pid);
          await pipeline(
            fs.createReadStream(path.join(dir, `copy.${format}`), { highWaterMark: 256 * 1024 }),
            client.query(copyStreams.from(`COPY dst FROM STDIN (FORMAT ${format}, FREEZE)`)),
          );
          cpu[format].push(((cpuSecondsOf(pid) - before) * 1e6) / ROWS);
          await client.query('ROLLBACK');
        }
      }
      const show = (format: 'csv' | 'binary') =>
        `${format} ${cpu[format].map((s) => s.toFixed(2)).join(' / ')} CPU-s per 1M rows (${(size[format] / 1024 ** 2).toFixed(0)} MiB)`;
      console.log(`${kind.name}: ${show('csv')}; ${show('binary')}`);
    }
  } finally {
    await client.end().catch(() => undefined);
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
