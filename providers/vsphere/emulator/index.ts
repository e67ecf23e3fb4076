// Local vCenter emulator: HTTPS `/sdk` speaking vim25 SOAP (urn:vim25 envelopes, xsi:type values,
// SOAP faults with HTTP 500), session cookie `vmware_soap_session`, asynchronous tasks, paging,
// fault injection and request recording. Binds 127.0.0.1 only.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { generate } from 'selfsigned';
import { EmulatorClock } from '../../contract/clock';
import type { EmulatorSeedOptions, EmulatorStartOptions, FaultSpec, ProviderSandbox, RecordedRequest, RunningEmulator } from '../../contract/emulator';
import { settingsSchema, type VsphereSecrets, type VsphereSettings } from '../config';
import { child, descend, parseXml, toMoRef, type XmlNode } from '../soap/xml';
import { EmulatedInventory, type SerializedInventory } from './state';
import { EmulatedVcenter, type CallContext } from './service';
import { busyEnvelope, faultEnvelope, faults, responseEnvelope, VimFault } from './wire';

export const EMULATOR_USERNAME = 'administrator@vsphere.local';
export const EMULATOR_PASSWORD = 'Skyport-Emulator-1!';
export const EMULATOR_DATACENTERS = ['DC-East', 'DC-West'] as const;
export const EMULATOR_TEMPLATES = [
  { name: 'ubuntu-22.04-template', guestFullName: 'Ubuntu Linux (64-bit)' },
  { name: 'rhel-9-template', guestFullName: 'Red Hat Enterprise Linux 9 (64-bit)' },
  { name: 'windows-2022-template', guestFullName: 'Microsoft Windows Server 2022 (64-bit)' },
] as const;

export interface VsphereEmulatorOptions extends EmulatorStartOptions {
  /** Accepted user name → password (default: one administrator account). */
  users?: Record<string, string>;
  /** How CloneVM_Task reports a taken name: a failing task like vCenter (default) or a direct fault. */
  duplicateNameAs?: 'task' | 'fault';
}

export interface VsphereEmulator extends RunningEmulator {
  readonly caCertPem: string;
  /** SHA-256 fingerprint of the emulator's certificate (for thumbprint pinning). */
  readonly thumbprint: string;
  /** Name of a custom field key (for wire assertions on SetField). */
  customFieldName(key: number): string | undefined;
  /** Force every session to expire (tests the client's re-login). */
  expireSessions(): void;
  /** Sessions logged in right now (vCenter caps them; adapters must log out). */
  sessionCount(): number;
  /** Open TLS connections to the emulator (adapters must close their agents). */
  connectionCount(): number;
}

const VIM_SERVICE_VERSIONS =
  '<?xml version="1.0" encoding="UTF-8" ?><namespaces version="1.0"><namespace><name>urn:vim25</name>' +
  '<version>8.0.2.0</version><priorVersions><version>8.0.1.0</version><version>8.0.0.0</version><version>7.0.3.0</version>' +
  '<version>7.0</version><version>6.7</version><version>6.5</version><version>6.0</version></priorVersions></namespace>' +
  '<namespace><name>urn:vim2</name><version>2.0</version></namespace></namespaces>';

function seedInventory(): EmulatedInventory {
  const inventory = new EmulatedInventory();
  for (const name of EMULATOR_DATACENTERS) {
    const dc = inventory.addDatacenter(name);
    for (const template of EMULATOR_TEMPLATES) {
      inventory.addVm({
        name: template.name,
        folderId: dc.vmFolderId,
        datacenterId: dc.id,
        template: true,
        numCPU: 1,
        memoryMB: 2048,
        powerState: 'poweredOff',
        guestFullName: template.guestFullName,
        annotation: 'Golden image',
        toolsRunning: false,
      });
    }
  }
  return inventory;
}

function readCookie(header: string | undefined): string | undefined {
  const match = /vmware_soap_session=("[^"]*"|[^;\s]*)/.exec(header ?? '');
  return match?.[1];
}

interface PendingFault {
  kind: FaultSpec['kind'];
  operation?: string;
  remaining: number;
}

export async function startEmulator(options: VsphereEmulatorOptions = {}): Promise<VsphereEmulator> {
  const host = options.host ?? '127.0.0.1';
  const recordRequests = options.recordRequests ?? true;
  const statePath = options.statePath;

  let inventory = seedInventory();
  if (statePath && existsSync(statePath)) {
    inventory = EmulatedInventory.fromJSON(JSON.parse(readFileSync(statePath, 'utf8')) as SerializedInventory);
  }
  let saveTimer: NodeJS.Timeout | undefined;
  const scheduleSave = () => {
    if (!statePath || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      writeFileSync(statePath, JSON.stringify(inventory.toJSON()));
    }, 200);
    saveTimer.unref();
  };

  const clock = new EmulatorClock();
  const vcenter = new EmulatedVcenter(inventory, {
    users: options.users ?? { [EMULATOR_USERNAME]: EMULATOR_PASSWORD },
    transitionMs: options.transitionMs ?? 50,
    clock,
    duplicateNameAs: options.duplicateNameAs ?? 'task',
    maxPageSize: options.maxPageSize ?? 1000,
    onChange: scheduleSave,
  });

  let pendingFaults: PendingFault[] = [];
  let recorded: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const takeFault = (operation: string): PendingFault | undefined => {
    const fault = pendingFaults.find((f) => f.remaining > 0 && (!f.operation || f.operation === operation));
    if (fault) {
      fault.remaining -= 1;
      pendingFaults = pendingFaults.filter((f) => f.remaining > 0);
    }
    return fault;
  };

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8', ...headers });
    res.end(body);
  };

  const handleSoap = (req: IncomingMessage, res: ServerResponse, body: string) => {
    let envelope: XmlNode;
    try {
      envelope = parseXml(body);
    } catch {
      send(res, 500, faultEnvelope(new VimFault('InvalidRequest', 'Unable to parse the SOAP request body')));
      return;
    }
    const call = descend(envelope, 'Body')?.children[0];
    const operation = call?.name ?? 'unknown';
    if (recordRequests) {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
      recorded.push({ method: req.method ?? 'POST', path: req.url ?? '/sdk', operation, headers, body, query: {} });
    }
    if (!call) {
      send(res, 500, faultEnvelope(new VimFault('InvalidRequest', 'SOAP Body has no method element')));
      return;
    }

    const session = vcenter.sessionByCookie(readCookie(req.headers.cookie));
    const ctx: CallContext = { session };
    const injected = takeFault(operation);
    if (injected) {
      switch (injected.kind) {
        case 'throttle':
          send(res, 503, busyEnvelope(), { 'Retry-After': '1' });
          return;
        case 'server_error':
          send(res, 500, faultEnvelope(faults.systemError()));
          return;
        case 'timeout':
          return; // never answer; the client's deadline must fire
        case 'auth':
          if (session) vcenter.dropSession(session);
          send(res, 500, faultEnvelope(operation === 'Login' ? faults.invalidLogin() : faults.notAuthenticated()));
          return;
        case 'quota':
          // Admission control rejects the work when the task runs, as vCenter does for clones.
          if (operation.endsWith('_Task')) ctx.taskFault = faults.insufficientResources();
          else {
            send(res, 500, faultEnvelope(faults.insufficientResources()));
            return;
          }
      }
    }

    try {
      const self = toMoRef(child(call, '_this'));
      const result = vcenter.invoke(operation, self, call, ctx);
      const headers: Record<string, string> = {};
      if (operation === 'Login' && ctx.session) {
        headers['Set-Cookie'] = `vmware_soap_session=${ctx.session.cookie}; Path=/; HttpOnly; Secure;`;
      }
      send(res, 200, responseEnvelope(operation, result), headers);
    } catch (error) {
      const fault = error instanceof VimFault ? error : faults.systemError();
      send(res, 500, faultEnvelope(fault));
    }
  };

  const cert = await generate([{ name: 'commonName', value: 'vcenter.skyport.local' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });

  const server = https.createServer({ key: cert.private, cert: cert.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/sdk/vimServiceVersions.xml') {
        send(res, 200, VIM_SERVICE_VERSIONS);
      } else if (req.method === 'POST' && (path === '/sdk' || path === '/sdk/vimService')) {
        handleSoap(req, res, Buffer.concat(chunks).toString('utf8'));
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('Not found');
      }
    });
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `https://${host}:${port}/sdk`,
    caCertPem: cert.cert,
    thumbprint: new X509Certificate(cert.cert).fingerprint256,
    injectFault(fault: FaultSpec) {
      pendingFaults.push({ kind: fault.kind, operation: fault.operation, remaining: fault.times ?? 1 });
    },
    clearFaults() {
      pendingFaults = [];
    },
    pendingFaults: () => pendingFaults.reduce((sum, f) => sum + f.remaining, 0),
    clock,
    setVcpuLimit(limit) {
      vcenter.vcpuLimit = limit;
    },
    seedVms({ region, count, namePrefix = 'seeded', createdAt }: EmulatorSeedOptions) {
      const dc = inventory.datacenterByName(region);
      if (!dc) throw new Error(`unknown emulator datacenter ${region}`);
      const start = inventory.vms.size;
      for (let i = 0; i < count; i++) {
        inventory.addVm({
          name: `${namePrefix}-${start + i}`,
          folderId: dc.vmFolderId,
          datacenterId: dc.id,
          template: false,
          numCPU: 2,
          memoryMB: 4096,
          powerState: i % 5 === 4 ? 'poweredOff' : 'poweredOn',
          guestFullName: 'Ubuntu Linux (64-bit)',
          annotation: '',
          ipAddress: `10.99.${Math.floor(i / 250) % 250}.${(i % 250) + 2}`,
          toolsRunning: false,
          createdAt,
        });
      }
      scheduleSave();
    },
    vmCount() {
      vcenter.settle();
      let count = 0;
      for (const vm of inventory.vms.values()) if (!vm.template) count += 1;
      return count;
    },
    requests() {
      return [...recorded];
    },
    clearRequests() {
      recorded = [];
    },
    customFieldName(key: number) {
      return inventory.fieldByKey(key)?.name;
    },
    expireSessions() {
      for (const session of [...vcenter.sessions.values()]) vcenter.dropSession(session);
    },
    sessionCount: () => vcenter.sessions.size,
    connectionCount: () => sockets.size,
    async close() {
      vcenter.close();
      if (saveTimer) {
        clearTimeout(saveTimer);
        saveTimer = undefined;
        if (statePath) writeFileSync(statePath, JSON.stringify(inventory.toJSON()));
      }
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const sandbox: ProviderSandbox<VsphereSettings, VsphereSecrets> = {
  kind: 'vsphere',
  startEmulator: (options) => startEmulator(options),
  sandboxAccount: (emulator) => ({
    settings: settingsSchema.parse({ endpoint: emulator.url, caCertPem: emulator.caCertPem, insecure: false }),
    secrets: { username: EMULATOR_USERNAME, password: EMULATOR_PASSWORD },
    regions: [...EMULATOR_DATACENTERS],
  }),
};
