// Shared by the AWS tests and the benchmark: an emulator plus adapters pointed at it.
import type { AdapterRuntimeOptions } from '../types';
import { AwsEc2Adapter } from './adapter';
import { settingsSchema, type AwsSettings } from './config';
import { SANDBOX_ACCOUNT, startEmulator, type AwsEmulatorOptions, type AwsRunningEmulator } from './emulator';

export const FAST_RUNTIME: AdapterRuntimeOptions = { requestTimeoutMs: 5_000, maxRetries: 4, pollIntervalMs: 20, operationTimeoutMs: 10_000 };

export function sandboxSettings(emulator: AwsRunningEmulator, extra: Partial<AwsSettings> = {}): AwsSettings {
  return settingsSchema.parse({ endpoint: emulator.url, defaultRegion: 'us-east-1', ...extra });
}

export function sandboxAdapter(emulator: AwsRunningEmulator, extra: Partial<AwsSettings> = {}, runtime = FAST_RUNTIME): AwsEc2Adapter {
  return new AwsEc2Adapter({
    settings: sandboxSettings(emulator, extra),
    secrets: { accessKeyId: SANDBOX_ACCOUNT.accessKeyId, secretAccessKey: SANDBOX_ACCOUNT.secretAccessKey },
    runtime,
  });
}

export async function startSandbox(options: AwsEmulatorOptions = {}) {
  const emulator = await startEmulator({ transitionMs: 30, ...options });
  return { emulator, adapter: sandboxAdapter(emulator) };
}

/** A signed EC2/STS Query request without the SDK, for wire-level tests. */
export async function rawCall(
  emulator: AwsRunningEmulator,
  params: Record<string, string>,
  options: {
    region?: string;
    service?: 'ec2' | 'sts';
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    tamper?: (body: string) => string;
    now?: Date;
  } = {},
): Promise<{ status: number; text: string }> {
  const { signRequest } = await import('./emulator/sigv4');
  const url = new URL('/', emulator.url);
  const service = options.service ?? 'ec2';
  const body = new URLSearchParams({ Version: service === 'ec2' ? '2016-11-15' : '2011-06-15', ...params }).toString();
  const headers = signRequest({
    url,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    region: options.region ?? 'us-east-1',
    service,
    credentials: options.credentials ?? SANDBOX_ACCOUNT,
    now: options.now,
  });
  const response = await fetch(url, { method: 'POST', headers, body: options.tamper ? options.tamper(body) : body });
  return { status: response.status, text: await response.text() };
}

export function xmlText(xml: string, element: string): string | undefined {
  return xml.match(new RegExp(`<${element}>([^<]*)</${element}>`))?.[1];
}
