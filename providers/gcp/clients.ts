// The @google-cloud/compute clients (REST "fallback" transport) sharing one service-account JWT
// credential, pointed at the configured endpoint.
import {
  ImagesClient,
  InstancesClient,
  MachineTypesClient,
  RegionsClient,
  ZoneOperationsClient,
} from '@google-cloud/compute';
import { JWT } from 'google-auth-library';
import type { ServiceAccountKey } from './config';

export const COMPUTE_SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];
/** Where google-auth-library always posts the JWT grant (it ignores the key's token_uri). */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface ComputeClients {
  instances: InstancesClient;
  zoneOperations: ZoneOperationsClient;
  regions: RegionsClient;
  machineTypes: MachineTypesClient;
  images: ImagesClient;
  close(): Promise<void>;
}

export interface ClientSettings {
  key: ServiceAccountKey;
  /** e.g. `http://127.0.0.1:8085`; undefined for the public endpoint. */
  apiEndpoint?: string;
  requestTimeoutMs: number;
}

/**
 * A JWT credential that honours the key file's `token_uri`: the library posts to Google's fixed
 * token URL, so requests for that URL are redirected to the key's endpoint. Token requests get the
 * same per-request timeout as API calls and no retries of their own (the API call around them
 * is retried by gax, which fetches the token again).
 */
export function createCredential(key: ServiceAccountKey, requestTimeoutMs: number): JWT {
  const credential = new JWT({
    email: key.client_email,
    key: key.private_key,
    keyId: key.private_key_id,
    scopes: COMPUTE_SCOPES,
  });
  credential.projectId = key.project_id;
  const tokenUri = key.token_uri;
  credential.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (config.url.toString() === GOOGLE_TOKEN_URL) {
        if (tokenUri && tokenUri !== GOOGLE_TOKEN_URL) config.url = new URL(tokenUri);
        config.timeout = requestTimeoutMs;
        config.retry = false;
        config.retryConfig = { ...config.retryConfig, retry: 0, noResponseRetries: 0 };
      }
      return config;
    },
  });
  return credential;
}

function endpointOptions(apiEndpoint: string | undefined) {
  if (!apiEndpoint) return {};
  const url = new URL(apiEndpoint);
  const protocol = url.protocol.replace(':', '');
  return {
    apiEndpoint: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
  };
}

export function createComputeClients(settings: ClientSettings): ComputeClients {
  const options = {
    fallback: true,
    authClient: createCredential(settings.key, settings.requestTimeoutMs),
    projectId: settings.key.project_id,
    ...endpointOptions(settings.apiEndpoint),
  };
  const clients = {
    instances: new InstancesClient(options),
    zoneOperations: new ZoneOperationsClient(options),
    regions: new RegionsClient(options),
    machineTypes: new MachineTypesClient(options),
    images: new ImagesClient(options),
  };
  return {
    ...clients,
    async close() {
      await Promise.all(Object.values(clients).map((client) => client.close()));
    },
  };
}
