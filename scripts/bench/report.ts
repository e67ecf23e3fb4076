// Writes one benchmark's results into its own marked section of docs/BENCHMARKS.md, keeping the rest.
import fs from 'node:fs';
import path from 'node:path';

const FILE = path.resolve(import.meta.dirname, '../../docs/BENCHMARKS.md');

export function writeBenchmarkSection(name: string, markdown: string): void {
  // BENCH_WRITE=0: a measurement run that prints its section and leaves docs/BENCHMARKS.md alone.
  if (process.env.BENCH_WRITE === '0') {
    console.log(markdown);
    return;
  }
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  let doc = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '# Benchmarks\n';
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  doc = from >= 0 && to > from ? doc.slice(0, from) + block + doc.slice(to + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(FILE, doc);
}

export function machineLine(): string {
  const os = process.platform;
  return `Node ${process.version} on ${os}, ${new Date().toISOString().slice(0, 10)}`;
}
