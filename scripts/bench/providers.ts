// `npm run bench:providers`: list 10,000 VMs from each provider's emulator through its adapter,
// and the same pages with bare HTTP, and record VMs/s and the adapter/bare ratio.
import os from 'node:os';
import { LISTING_BENCHMARKS } from '../../providers/bench';
import { machineLine, writeBenchmarkSection } from './report';

const COUNT = Number(process.env.BENCH_VMS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function main() {
  const rows: string[] = [];
  for (const [name, bench] of LISTING_BENCHMARKS) {
    const results = [];
    for (let run = 0; run < RUNS; run++) results.push(await bench({ count: COUNT }));
    // Median run by adapter time: robust to one noisy run on a shared 2-core machine.
    results.sort((a, b) => a.adapterSeconds - b.adapterSeconds);
    const median = results[Math.floor(results.length / 2)]!;
    const vmsPerSecond = median.vms / median.adapterSeconds;
    const line = `| ${name} | ${median.vms} | ${median.pages} | ${median.adapterSeconds.toFixed(2)} | ${Math.round(vmsPerSecond)} | ${median.bareSeconds.toFixed(2)} | ${(median.adapterSeconds / median.bareSeconds).toFixed(1)}× |`;
    console.log(line);
    rows.push(line);
  }
  writeBenchmarkSection(
    'providers',
    `## Listing ${COUNT.toLocaleString('en')} VMs per provider (\`npm run bench:providers\`)

Each adapter lists all VMs of one region from its local emulator, page by page, through the real SDK
(AWS/Azure/GCP) or our vim25 SOAP client (vSphere). "Bare" fetches the same pages with plain HTTP
requests and no SDK: the emulator's own page-serving time. Median of ${RUNS} runs; ${machineLine()}, ${os.cpus().length} cores.

| provider | VMs | pages | adapter s | VMs/s | bare s | adapter / bare |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
