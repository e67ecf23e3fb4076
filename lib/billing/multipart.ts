// A minimal streaming multipart/form-data reader (RFC 7578) for cost uploads: the file part goes
// chunk by chunk to a file on disk (with backpressure), small text fields are collected, and the
// request is never held in memory whole. No multipart parser ships in node_modules (no busboy);
// request.formData() buffers the whole upload, which a multi-GB billing export must not be.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { ValidationError } from '../errors';

export interface ReceivedMultipart {
  fields: Record<string, string>;
  /** The file part named `fileField`, written to `filePath`; null when the form had none. */
  file: { fileName: string; size: number } | null;
}

export interface ReceiveOptions {
  fileField: string;
  filePath: string;
  maxFileBytes: number;
  maxFieldBytes?: number;
  maxFields?: number;
}

const HEADER_LIMIT = 16 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');

const invalid = (message: string) => new ValidationError([{ field: '(body)', message }], 'Malformed form body.');

export function multipartBoundary(contentType: string | null): string {
  const m = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType ?? '');
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw invalid('The body is not a multipart/form-data form with a boundary.');
  return boundary;
}

function parseDisposition(headers: string): { name: string; fileName: string | null } {
  const line = headers.split('\r\n').find((h) => /^content-disposition\s*:/i.test(h));
  if (!line || !/:\s*form-data/i.test(line)) throw invalid('A form part has no Content-Disposition: form-data header.');
  const param = (key: string) => {
    const m = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(line) ?? new RegExp(`;\\s*${key}=([^;\\s]+)`, 'i').exec(line);
    return m ? m[1]!.replace(/\\(.)/g, '$1') : null;
  };
  const extended = /;\s*filename\*=UTF-8''([^;\s]+)/i.exec(line);
  let fileName = param('filename');
  if (extended) {
    try {
      fileName = decodeURIComponent(extended[1]!);
    } catch {
      // keep the plain filename
    }
  }
  return { name: param('name') ?? '', fileName };
}

/** Reads the whole multipart body from `body`, streaming the `fileField` part to `filePath`. */
export async function receiveMultipart(body: AsyncIterable<Uint8Array>, contentType: string | null, options: ReceiveOptions): Promise<ReceivedMultipart> {
  const boundary = multipartBoundary(contentType);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const maxFieldBytes = options.maxFieldBytes ?? 64 * 1024;
  const maxFields = options.maxFields ?? 20;
  const fields: Record<string, string> = {};
  let file: ReceivedMultipart['file'] = null;
  let out: ReturnType<typeof createWriteStream> | null = null;

  type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';
  let state = 'preamble' as State; // (`as`: step() changes it, TS must not narrow it here)
  // The body begins with "--boundary" (no CRLF before it): a virtual CRLF makes every delimiter alike.
  let buf: Buffer = Buffer.from('\r\n');
  let part: { name: string; fileName: string | null; chunks: Buffer[]; size: number; isFile: boolean } | null = null;
  let fieldCount = 0;

  const emit = async (data: Buffer) => {
    if (!part || !data.length) return;
    part.size += data.length;
    if (part.isFile) {
      if (part.size > options.maxFileBytes) {
        throw new ValidationError([{ field: options.fileField, message: `The file is larger than ${Math.round(options.maxFileBytes / 1024 ** 2)} MiB.` }]);
      }
      if (!out!.write(data)) await once(out!, 'drain');
    } else {
      if (part.size > maxFieldBytes) throw invalid(`The form field "${part.name.slice(0, 50)}" is too long.`);
      part.chunks.push(data);
    }
  };
  const endPart = () => {
    if (!part) return;
    if (!part.isFile) fields[part.name] = Buffer.concat(part.chunks).toString('utf8');
    else file = { fileName: part.fileName ?? '', size: part.size };
    part = null;
  };

  try {
    const step = async (): Promise<boolean> => {
      switch (state) {
        case 'preamble': {
          const at = buf.indexOf(delimiter);
          if (at < 0) {
            buf = buf.subarray(Math.max(0, buf.length - delimiter.length + 1));
            return false;
          }
          buf = buf.subarray(at + delimiter.length);
          state = 'after-delimiter';
          return true;
        }
        case 'after-delimiter': {
          if (buf.length < 2) return false;
          if (buf[0] === 0x2d && buf[1] === 0x2d) {
            state = 'done';
            return false;
          }
          const eol = buf.indexOf('\r\n');
          if (eol < 0) {
            if (buf.length > 256) throw invalid('A multipart delimiter line is malformed.');
            return false;
          }
          buf = buf.subarray(eol + 2); // transport padding after the boundary is allowed
          state = 'headers';
          return true;
        }
        case 'headers': {
          const end = buf.indexOf(CRLFCRLF);
          if (end < 0) {
            if (buf.length > HEADER_LIMIT) throw invalid('A form part has oversized headers.');
            return false;
          }
          const { name, fileName } = parseDisposition(buf.subarray(0, end).toString('utf8'));
          buf = buf.subarray(end + 4);
          const isFile = name === options.fileField && fileName !== null;
          if (isFile) {
            if (file || out) throw invalid(`The form has more than one "${options.fileField}" file.`);
            out = createWriteStream(options.filePath);
          } else if (++fieldCount > maxFields) {
            throw invalid('The form has too many fields.');
          }
          part = { name, fileName, chunks: [], size: 0, isFile };
          state = 'body';
          return true;
        }
        case 'body': {
          const at = buf.indexOf(delimiter);
          if (at < 0) {
            const keep = delimiter.length - 1;
            if (buf.length > keep) {
              await emit(buf.subarray(0, buf.length - keep));
              buf = buf.subarray(buf.length - keep);
            }
            return false;
          }
          await emit(buf.subarray(0, at));
          buf = buf.subarray(at + delimiter.length);
          endPart();
          state = 'after-delimiter';
          return true;
        }
        case 'done':
          return false;
      }
    };
    for await (const chunk of body) {
      if (state === 'done') continue; // an epilogue is ignored
      buf = buf.length ? Buffer.concat([buf, chunk]) : Buffer.from(chunk);
      while (await step());
    }
    if (state !== 'done') throw invalid('The multipart body ended before its closing boundary.');
    if (out) {
      const stream: ReturnType<typeof createWriteStream> = out;
      stream.end();
      await once(stream, 'finish');
    }
    return { fields, file };
  } catch (error) {
    const stream = out as ReturnType<typeof createWriteStream> | null;
    stream?.destroy();
    throw error;
  }
}
