// Opens a cost file as a stream of rows keyed by its own headers: CSV, gzipped CSV or Parquet,
// detected from the first bytes (not the name). Rows are produced one at a time (CSV) or one
// Parquet row group at a time, so memory stays bounded whatever the file size.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';

export type FileFormat = 'csv' | 'csv-gzip' | 'parquet';

/** A problem with the file as a whole (not one row): it is rejected with this message. */
export class FileError extends Error {}

export interface SourceRow {
  /** 1-based line (CSV; header = line 1) or row (Parquet) number, as an admin would count it. */
  row: number;
  values: Record<string, unknown>;
  /** Set when the CSV row has a different number of fields than the header. */
  fieldCountMismatch?: { fields: number; expected: number };
}

export interface CostFileSource {
  format: FileFormat;
  headers: string[];
  rows: AsyncIterable<SourceRow>;
}

export async function detectFormat(filePath: string): Promise<FileFormat> {
  const handle = await open(filePath, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead >= 4 && head.toString('latin1') === 'PAR1') return 'parquet';
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'csv-gzip';
    return 'csv';
  } finally {
    await handle.close();
  }
}

function checkDelimiter(headers: string[]) {
  if (headers.length !== 1) return;
  const only = headers[0] ?? '';
  for (const [delimiter, label] of [[';', '";"'], ['\t', 'tab'], ['|', '"|"']] as const) {
    if (only.includes(delimiter)) {
      throw new FileError(`The header has a single column containing ${label}: the file seems to use ${label} as its delimiter. FOCUS CSV files must be comma-separated.`);
    }
  }
}

async function openCsv(filePath: string, gzip: boolean): Promise<CostFileSource> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: true, info: true });
  const input = createReadStream(filePath, { highWaterMark: 256 * 1024 });
  const done = (gzip ? pipeline(input, createGunzip(), parser) : pipeline(input, parser)).catch((error: unknown) => {
    parser.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;
  const wrap = (error: unknown): never => {
    const message = error instanceof Error ? error.message : String(error);
    if (gzip && /unexpected end of file|incorrect header|invalid|zlib/i.test(message)) {
      throw new FileError(`The gzip file is truncated or corrupt (${message}).`);
    }
    throw new FileError(`The file is not valid CSV: ${message}`);
  };
  let first: IteratorResult<{ record: string[]; info: { lines: number } }>;
  try {
    first = await iterator.next();
  } catch (error) {
    return wrap(error);
  }
  if (first.done) throw new FileError('The file is empty: it has no header row.');
  const headers = first.value.record.map((h) => h.replace(/^\uFEFF/, '').trim());
  checkDelimiter(headers);
  async function* rows(): AsyncGenerator<SourceRow> {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        const { record, info } = next.value;
        if (record.length === 1 && record[0]!.trim() === '') continue;
        const values: Record<string, unknown> = {};
        headers.forEach((h, i) => (values[h] = record[i]));
        yield {
          row: info.lines,
          values,
          fieldCountMismatch: record.length !== headers.length ? { fields: record.length, expected: headers.length } : undefined,
        };
      }
    } catch (error) {
      wrap(error);
    } finally {
      // Stopping early (the importer gives up after too many bad rows) must not leave the file open.
      input.destroy();
      parser.destroy();
      await done;
    }
  }
  return { format: gzip ? 'csv-gzip' : 'csv', headers, rows: rows() };
}

async function openParquet(filePath: string): Promise<CostFileSource> {
  const file = await asyncBufferFromFile(filePath);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new FileError(`The Parquet file is truncated or corrupt (${error instanceof Error ? error.message : String(error)}).`);
  }
  const headers = parquetSchema(metadata).children.map((c) => c.element.name);
  async function* rows(): AsyncGenerator<SourceRow> {
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      let objects: Record<string, unknown>[];
      try {
        objects = await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end });
      } catch (error) {
        throw new FileError(`The Parquet file cannot be read (${error instanceof Error ? error.message : String(error)}).`);
      }
      for (let i = 0; i < objects.length; i += 1) yield { row: start + i + 1, values: objects[i]! };
      start = end;
    }
  }
  return { format: 'parquet', headers, rows: rows() };
}

export async function openCostFile(filePath: string): Promise<CostFileSource> {
  const format = await detectFormat(filePath);
  if (format === 'parquet') return openParquet(filePath);
  return openCsv(filePath, format === 'csv-gzip');
}
