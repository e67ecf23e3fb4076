// Test support: a minimal Parquet writer (PLAIN encoding, uncompressed, REQUIRED columns, several
// row groups), written from the Parquet format spec because hyparquet only reads and no writer is
// installed. Enough to produce honest FOCUS fixtures: UTF-8 strings, DOUBLE and INT64 timestamps.
export type ParquetColumn =
  | { name: string; type: 'string'; values: string[] }
  | { name: string; type: 'double'; values: number[] }
  | { name: string; type: 'timestamp-millis'; values: Date[] };

class CompactWriter {
  bytes: number[] = [];
  private last: number[] = [0];
  private varint(n: bigint) {
    let v = n;
    while (v >= 0x80n) {
      this.bytes.push(Number((v & 0x7fn) | 0x80n));
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }
  private zigzag(n: bigint) {
    this.varint(n >= 0n ? n << 1n : (-n << 1n) - 1n);
  }
  private header(id: number, type: number) {
    const delta = id - this.last[this.last.length - 1]!;
    this.bytes.push(((delta & 0x0f) << 4) | type);
    this.last[this.last.length - 1] = id;
  }
  i32(id: number, v: number) {
    this.header(id, 5);
    this.zigzag(BigInt(v));
  }
  i64(id: number, v: number) {
    this.header(id, 6);
    this.zigzag(BigInt(v));
  }
  string(id: number, v: string) {
    this.header(id, 8);
    this.rawString(v);
  }
  private rawString(v: string) {
    const b = Buffer.from(v, 'utf8');
    this.varint(BigInt(b.length));
    this.bytes.push(...b);
  }
  private listHeader(size: number, elemType: number) {
    if (size < 15) this.bytes.push((size << 4) | elemType);
    else {
      this.bytes.push(0xf0 | elemType);
      this.varint(BigInt(size));
    }
  }
  listI32(id: number, values: number[]) {
    this.header(id, 9);
    this.listHeader(values.length, 5);
    for (const v of values) this.zigzag(BigInt(v));
  }
  listString(id: number, values: string[]) {
    this.header(id, 9);
    this.listHeader(values.length, 8);
    for (const v of values) this.rawString(v);
  }
  listStruct(id: number, items: (() => void)[]) {
    this.header(id, 9);
    this.listHeader(items.length, 12);
    for (const write of items) this.struct(write);
  }
  structField(id: number, write: () => void) {
    this.header(id, 12);
    this.struct(write);
  }
  struct(write: () => void) {
    this.last.push(0);
    write();
    this.bytes.push(0);
    this.last.pop();
  }
}

const PHYSICAL = { string: 6, double: 5, 'timestamp-millis': 2 } as const; // BYTE_ARRAY, DOUBLE, INT64

function plain(column: ParquetColumn, from: number, to: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = from; i < to; i++) {
    if (column.type === 'string') {
      const b = Buffer.from(column.values[i]!, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      parts.push(len, b);
    } else if (column.type === 'double') {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(column.values[i]!);
      parts.push(b);
    } else {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(column.values[i]!.getTime()));
      parts.push(b);
    }
  }
  return Buffer.concat(parts);
}

export function writeParquet(columns: ParquetColumn[], rowGroupSize: number): Buffer {
  const rows = columns[0]!.values.length;
  const chunks: Buffer[] = [Buffer.from('PAR1')];
  let offset = 4;
  const groups: { columns: { offset: number; size: number; values: number }[]; rows: number }[] = [];
  for (let start = 0; start < rows; start += rowGroupSize) {
    const end = Math.min(rows, start + rowGroupSize);
    const group = { columns: [] as { offset: number; size: number; values: number }[], rows: end - start };
    for (const column of columns) {
      const data = plain(column, start, end);
      const header = new CompactWriter();
      header.struct(() => {
        header.i32(1, 0); // DATA_PAGE
        header.i32(2, data.length);
        header.i32(3, data.length);
        header.structField(5, () => {
          header.i32(1, end - start);
          header.i32(2, 0); // PLAIN
          header.i32(3, 3); // RLE
          header.i32(4, 3);
        });
      });
      const page = Buffer.concat([Buffer.from(header.bytes), data]);
      group.columns.push({ offset, size: page.length, values: end - start });
      chunks.push(page);
      offset += page.length;
    }
    groups.push(group);
  }
  const meta = new CompactWriter();
  meta.struct(() => {
    meta.i32(1, 1);
    meta.listStruct(2, [
      () => {
        meta.string(4, 'schema');
        meta.i32(5, columns.length);
      },
      ...columns.map((c) => () => {
        meta.i32(1, PHYSICAL[c.type]);
        meta.i32(3, 0); // REQUIRED
        meta.string(4, c.name);
        if (c.type === 'string') meta.i32(6, 0); // UTF8
        if (c.type === 'timestamp-millis') meta.i32(6, 9); // TIMESTAMP_MILLIS
      }),
    ]);
    meta.i64(3, rows);
    meta.listStruct(
      4,
      groups.map((g) => () => {
        meta.listStruct(
          1,
          g.columns.map((cc, i) => () => {
            meta.i64(2, cc.offset);
            meta.structField(3, () => {
              meta.i32(1, PHYSICAL[columns[i]!.type]);
              meta.listI32(2, [0]);
              meta.listString(3, [columns[i]!.name]);
              meta.i32(4, 0); // UNCOMPRESSED
              meta.i64(5, cc.values);
              meta.i64(6, cc.size);
              meta.i64(7, cc.size);
              meta.i64(9, cc.offset);
            });
          }),
        );
        meta.i64(2, g.columns.reduce((n, c) => n + c.size, 0));
        meta.i64(3, g.rows);
      }),
    );
  });
  const footer = Buffer.from(meta.bytes);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(footer.length);
  chunks.push(footer, len, Buffer.from('PAR1'));
  return Buffer.concat(chunks);
}
