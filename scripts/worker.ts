// `npm run worker`: a job worker process (scale-out: N web processes + M workers against one
// PostgreSQL). Needs DATABASE_URL and SKYPORT_SECRET_KEY (the same as the web processes).
// SIGTERM/SIGINT: stop taking jobs, let in-flight ones finish, hand back fetched ones, exit 0.
import { ConfigError, loadServerConfig } from '../lib/config/server-config';
import { startWorker } from '../lib/jobs/worker';
import '../providers/all';

async function main() {
  let config;
  try {
    config = loadServerConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`[worker] ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (!config.databaseUrl) {
    console.error('[worker] DATABASE_URL is not set: a separate worker needs the same external PostgreSQL as the web processes.');
    process.exit(2);
  }
  process.env.PROVIDER_POLL_INTERVAL_MS = String(config.providerPollIntervalMs);
  const worker = await startWorker({ connectionString: config.databaseUrl, concurrency: config.workerConcurrency });
  process.stdout.write(`[worker] ready (pool ${worker.poolIds.join(', ')}, concurrency ${config.workerConcurrency})\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`[worker] ${signal}: finishing in-flight jobs…\n`);
    void worker.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await worker.promise;
}

main().catch((error: unknown) => {
  console.error('[worker] failed:', error);
  process.exit(1);
});
