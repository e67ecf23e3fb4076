// ProviderAdapter for Amazon EC2 on @aws-sdk/client-ec2. Idempotent create rests on RunInstances'
// ClientToken; observe finds the instance by the `client-token` filter. Retries of throttling, 5xx
// and timeouts are the SDK's adaptive retry mode (client-side rate limiting on throttles).
import {
  CreateTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  RebootInstancesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type _InstanceType,
  type Filter,
  type Instance,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { isProviderError, ProviderError } from '../errors';
import { deadlineExceeded, withDeadline } from '../shared/deadline';
import { pollUntil } from '../shared/retry';
import { resolveRuntime, type ResolvedRuntime } from '../shared/runtime';
import { parseSkyportTags, skyportTagMap } from '../shared/tags';
import type {
  AdapterRuntimeOptions,
  ConnectionTestResult,
  CreateVmSpec,
  ListVmsOptions,
  ListVmsPage,
  ObservedVm,
  ProviderAdapter,
  ProviderCapabilities,
  ProviderImage,
  ProviderRegion,
  ProviderSize,
  VmRef,
  VmState,
} from '../types';
import { settingsSchema, type AwsSecrets, type AwsSettings } from './config';
import { assumeRoleProvider, type AwsCredentialIdentity, type AwsCredentialIdentityProvider } from './credentials';
import { toProviderError } from './errors';
import { MAX_PAGE_SIZE, pageSizeFor } from './paging';
import { clientTokenFor, ec2TagList, EXISTING_EC2_STATES, tagMapOf, vmStateOf } from './state';


const SETTLED_STATES: VmState[] = ['running', 'stopped', 'deleted'];

export class AwsEc2Adapter implements ProviderAdapter {
  readonly kind = 'aws' as const;
  private readonly settings: AwsSettings;
  private readonly runtime: ResolvedRuntime;
  private readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  private readonly clients = new Map<string, EC2Client>();
  private identityClient: STSClient | undefined;
  /** The STS client that assumes `roleArn` with the stored keys, when a role is configured. */
  private readonly assumeRoleClient: STSClient | undefined;
  /** Instance type catalog per region, filled by listSizes, used to add memory to observed VMs. */
  private readonly sizesByRegion = new Map<string, Map<string, ProviderSize>>();

  constructor(input: { settings: AwsSettings; secrets: AwsSecrets; runtime?: AdapterRuntimeOptions }) {
    this.settings = settingsSchema.parse(input.settings);
    this.runtime = resolveRuntime(input.runtime);
    const keys: AwsCredentialIdentity = {
      accessKeyId: input.secrets.accessKeyId,
      secretAccessKey: input.secrets.secretAccessKey,
      sessionToken: input.secrets.sessionToken,
    };
    const roleArn = this.settings.roleArn;
    this.assumeRoleClient = roleArn ? this.stsClient(keys) : undefined;
    this.credentials = roleArn && this.assumeRoleClient
      ? assumeRoleProvider(this.assumeRoleClient, {
          roleArn,
          externalId: this.settings.externalId,
          roleSessionName: this.settings.roleSessionName,
        })
      : keys;
  }

  private clientConfig() {
    const { requestTimeoutMs, maxRetries } = this.runtime;
    return {
      retryMode: 'adaptive',
      maxAttempts: maxRetries + 1,
      requestHandler: {
        requestTimeout: requestTimeoutMs,
        connectionTimeout: Math.min(requestTimeoutMs, 5_000),
        // Without this the Node handler only logs a warning when requestTimeout passes.
        throwOnRequestTimeout: true,
      },
    } as const;
  }

  private stsClient(credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider): STSClient {
    return new STSClient({
      ...this.clientConfig(),
      region: this.settings.defaultRegion,
      endpoint: this.settings.stsEndpoint ?? this.settings.endpoint,
      credentials,
    });
  }

  private ec2(region: string): EC2Client {
    let client = this.clients.get(region);
    if (!client) {
      client = new EC2Client({ ...this.clientConfig(), region, endpoint: this.settings.endpoint, credentials: this.credentials });
      this.clients.set(region, client);
    }
    return client;
  }

  private endpointFor(region: string): string {
    return this.settings.endpoint ?? `https://ec2.${region}.amazonaws.com`;
  }

  /** Run one SDK call (with the SDK's retries) under the overall call deadline; translate what it throws. */
  private async call<T>(operation: string, region: string, run: (client: EC2Client, signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.bounded(operation, this.endpointFor(region), (signal) => run(this.ec2(region), signal));
  }

  private async bounded<T>(operation: string, endpoint: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ms = this.runtime.callTimeoutMs;
    try {
      return await withDeadline(ms, () => deadlineExceeded(endpoint, operation, ms), run);
    } catch (error) {
      throw toProviderError(error, operation, endpoint);
    }
  }

  capabilities(): ProviderCapabilities {
    return {
      actions: ['start', 'stop', 'reboot', 'resize', 'delete'],
      resizeRequiresStop: true,
      idempotency: 'EC2 RunInstances ClientToken (per region): the same token with the same parameters returns the original instance',
    };
  }

  async testConnection(): Promise<ConnectionTestResult> {
    const region = this.settings.defaultRegion;
    this.identityClient ??= this.stsClient(this.credentials);
    const identityClient = this.identityClient;
    const { Arn: arn } = await this.bounded('GetCallerIdentity', this.settings.stsEndpoint ?? this.endpointFor(region), (abortSignal) =>
      identityClient.send(new GetCallerIdentityCommand({}), { abortSignal }),
    );
    const regions = await this.call('DescribeRegions', region, (c, abortSignal) => c.send(new DescribeRegionsCommand({}), { abortSignal }));
    return { detail: `authenticated as ${arn ?? 'unknown principal'}; ${regions.Regions?.length ?? 0} regions enabled` };
  }

  async listRegions(): Promise<ProviderRegion[]> {
    const region = this.settings.defaultRegion;
    const result = await this.call('DescribeRegions', region, (c, abortSignal) => c.send(new DescribeRegionsCommand({ AllRegions: true }), { abortSignal }));
    const regions = (result.Regions ?? []).flatMap((r) => (r.RegionName ? [{ name: r.RegionName, optIn: r.OptInStatus }] : []));
    return Promise.all(
      regions.map(async ({ name, optIn }) => {
        if (optIn === 'not-opted-in') return { id: name, name: `${name} (not enabled for this account)` };
        const zones = await this.call('DescribeAvailabilityZones', name, (c, abortSignal) => c.send(new DescribeAvailabilityZonesCommand({}), { abortSignal }));
        return { id: name, name, zones: (zones.AvailabilityZones ?? []).flatMap((z) => (z.ZoneName ? [z.ZoneName] : [])) };
      }),
    );
  }

  /** Regions enabled for the account (DescribeRegions without AllRegions). */
  async enabledRegions(): Promise<string[]> {
    const result = await this.call('DescribeRegions', this.settings.defaultRegion, (c, abortSignal) => c.send(new DescribeRegionsCommand({}), { abortSignal }));
    return (result.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : []));
  }

  async listSizes(region: string): Promise<ProviderSize[]> {
    const sizes: ProviderSize[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('DescribeInstanceTypes', region, (c, abortSignal) =>
        c.send(new DescribeInstanceTypesCommand({ MaxResults: 100, NextToken: token }), { abortSignal }),
      );
      for (const info of page.InstanceTypes ?? []) {
        if (!info.InstanceType) continue;
        sizes.push({
          id: info.InstanceType,
          name: info.InstanceType,
          vcpus: info.VCpuInfo?.DefaultVCpus ?? 0,
          memoryMiB: Number(info.MemoryInfo?.SizeInMiB ?? 0),
        });
      }
      token = page.NextToken;
    } while (token);
    sizes.sort((a, b) => a.vcpus - b.vcpus || a.memoryMiB - b.memoryMiB || a.id.localeCompare(b.id));
    this.sizesByRegion.set(region, new Map(sizes.map((s) => [s.id, s])));
    return sizes;
  }

  async listImages(region: string): Promise<ProviderImage[]> {
    const filters: Filter[] = [{ Name: 'state', Values: ['available'] }];
    if (this.settings.imageNameFilter) filters.push({ Name: 'name', Values: [this.settings.imageNameFilter] });
    const result = await this.call('DescribeImages', region, (c, abortSignal) =>
      c.send(new DescribeImagesCommand({ Owners: this.settings.imageOwners, Filters: filters }), { abortSignal }),
    );
    return (result.Images ?? [])
      .flatMap((image) =>
        image.ImageId ? [{ id: image.ImageId, name: image.Name ?? image.ImageId, os: image.PlatformDetails ?? image.Platform }] : [],
      )
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private toObserved(instance: Instance, region: string): ObservedVm {
    const tags = tagMapOf(instance.Tags);
    const catalog = this.sizesByRegion.get(region)?.get(instance.InstanceType ?? '');
    const cpu = instance.CpuOptions;
    return {
      providerId: instance.InstanceId ?? '',
      name: tags.Name || instance.InstanceId || '',
      region,
      zone: instance.Placement?.AvailabilityZone,
      size: instance.InstanceType ?? '',
      vcpus: catalog?.vcpus ?? (cpu?.CoreCount && cpu.ThreadsPerCore ? cpu.CoreCount * cpu.ThreadsPerCore : undefined),
      memoryMiB: catalog?.memoryMiB,
      imageId: instance.ImageId,
      state: vmStateOf(instance.State?.Name),
      providerState: instance.State?.Name ?? 'unknown',
      tags,
      skyport: parseSkyportTags(tags),
      privateIp: instance.PrivateIpAddress,
      publicIp: instance.PublicIpAddress,
      createdAt: instance.LaunchTime,
    };
  }

  private async describe(region: string, operationInput: { InstanceIds?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string }) {
    return this.call('DescribeInstances', region, (c, abortSignal) => c.send(new DescribeInstancesCommand(operationInput), { abortSignal }));
  }

  async observe(idempotencyKey: string, region: string): Promise<ObservedVm | null> {
    const result = await this.describe(region, {
      Filters: [
        { Name: 'client-token', Values: [clientTokenFor(idempotencyKey)] },
        { Name: 'instance-state-name', Values: EXISTING_EC2_STATES },
      ],
    });
    const instance = (result.Reservations ?? []).flatMap((r) => r.Instances ?? [])[0];
    return instance ? this.toObserved(instance, region) : null;
  }

  async create(spec: CreateVmSpec): Promise<ObservedVm> {
    const tags = ec2TagList(skyportTagMap(spec.tags, { ...spec.extraTags, Name: spec.name }));
    const subnetId = this.settings.subnetIdsByRegion?.[spec.region];
    const result = await this.call('RunInstances', spec.region, (c, abortSignal) =>
      c.send(
        new RunInstancesCommand({
          ClientToken: clientTokenFor(spec.idempotencyKey),
          ImageId: spec.image,
          // The SDK types InstanceType as a closed union; sizes come from DescribeInstanceTypes.
          InstanceType: spec.size as _InstanceType,
          MinCount: 1,
          MaxCount: 1,
          Placement: spec.zone ? { AvailabilityZone: spec.zone } : undefined,
          SubnetId: subnetId,
          TagSpecifications: [
            { ResourceType: 'instance', Tags: tags },
            { ResourceType: 'volume', Tags: tags },
          ],
        }), { abortSignal }),
    );
    const instance = result.Instances?.[0];
    if (!instance?.InstanceId) {
      throw new ProviderError('unavailable', 'RunInstances returned no instance', { providerCode: 'EmptyReservation' });
    }
    return this.toObserved(instance, spec.region);
  }

  async get(ref: VmRef): Promise<ObservedVm | null> {
    try {
      const result = await this.describe(ref.region, { InstanceIds: [ref.providerId] });
      const instance = (result.Reservations ?? []).flatMap((r) => r.Instances ?? [])[0];
      return instance ? this.toObserved(instance, ref.region) : null;
    } catch (error) {
      if (isProviderError(error) && error.providerCode === 'InvalidInstanceID.NotFound') return null;
      throw error;
    }
  }

  /** Wait until the instance leaves transitional states; fails if it is gone or the deadline passes. */
  private async settled(ref: VmRef, deadline: number): Promise<ObservedVm> {
    const vm = await pollUntil(
      () => this.get(ref),
      (v) => v === null || SETTLED_STATES.includes(v.state) || Date.now() > deadline,
      { intervalMs: this.runtime.pollIntervalMs, timeoutMs: Math.max(0, deadline - Date.now()), what: `${ref.providerId} to settle` },
    ).catch((error: unknown) => {
      throw new ProviderError('unavailable', error instanceof Error ? error.message : String(error), { retryable: true });
    });
    if (vm === null || vm.state === 'deleted') {
      throw new ProviderError('not_found', `Instance ${ref.providerId} no longer exists`, { providerCode: 'InvalidInstanceID.NotFound' });
    }
    if (!SETTLED_STATES.includes(vm.state)) {
      throw new ProviderError('unavailable', `Instance ${ref.providerId} stayed ${vm.providerState} past the operation timeout`, { retryable: true });
    }
    return vm;
  }

  /**
   * Run a power action; when EC2 answers IncorrectInstanceState (e.g. start while stopping), wait
   * for the instance to settle and try again. `refuse` rejects settled states the action cannot fix.
   */
  private async whenSettled(ref: VmRef, act: () => Promise<unknown>, refuse?: (vm: ObservedVm) => ProviderError | undefined) {
    const deadline = Date.now() + this.runtime.operationTimeoutMs;
    for (;;) {
      try {
        await act();
        return;
      } catch (error) {
        if (!isProviderError(error) || error.providerCode !== 'IncorrectInstanceState' || Date.now() > deadline) throw error;
      }
      const vm = await this.settled(ref, deadline);
      const refusal = refuse?.(vm);
      if (refusal) throw refusal;
    }
  }

  async start(ref: VmRef): Promise<void> {
    await this.whenSettled(ref, () =>
      this.call('StartInstances', ref.region, (c, abortSignal) => c.send(new StartInstancesCommand({ InstanceIds: [ref.providerId] }), { abortSignal })),
    );
  }

  async stop(ref: VmRef): Promise<void> {
    // EC2 has no deallocate distinct from stop: a stopped instance bills no compute.
    await this.whenSettled(ref, () =>
      this.call('StopInstances', ref.region, (c, abortSignal) => c.send(new StopInstancesCommand({ InstanceIds: [ref.providerId] }), { abortSignal })),
    );
  }

  async reboot(ref: VmRef): Promise<void> {
    await this.whenSettled(
      ref,
      () => this.call('RebootInstances', ref.region, (c, abortSignal) => c.send(new RebootInstancesCommand({ InstanceIds: [ref.providerId] }), { abortSignal })),
      (vm) =>
        vm.state === 'stopped'
          ? new ProviderError('conflict', `Instance ${ref.providerId} is stopped; start it instead of rebooting`, {
              providerCode: 'IncorrectInstanceState',
              retryable: false,
            })
          : undefined,
    );
  }

  async resize(ref: VmRef, size: string): Promise<void> {
    const vm = await this.get(ref);
    if (!vm || vm.state === 'deleted' || vm.state === 'deleting') {
      throw new ProviderError('not_found', `Instance ${ref.providerId} does not exist`, { providerCode: 'InvalidInstanceID.NotFound' });
    }
    if (vm.size === size) return;
    const wasRunning = vm.state !== 'stopped';
    if (wasRunning) await this.stop(ref);
    // While the instance is still stopping EC2 answers IncorrectInstanceState; whenSettled waits it out.
    await this.whenSettled(ref, () =>
      this.call('ModifyInstanceAttribute', ref.region, (c, abortSignal) =>
        c.send(new ModifyInstanceAttributeCommand({ InstanceId: ref.providerId, InstanceType: { Value: size } }), { abortSignal }),
      ),
    );
    // Bring it back the way it was; the caller polls for running.
    if (wasRunning) await this.start(ref);
  }

  async delete(ref: VmRef): Promise<void> {
    try {
      await this.call('TerminateInstances', ref.region, (c, abortSignal) => c.send(new TerminateInstancesCommand({ InstanceIds: [ref.providerId] }), { abortSignal }));
    } catch (error) {
      if (isProviderError(error) && error.providerCode === 'InvalidInstanceID.NotFound') return;
      throw error;
    }
  }

  /** EC2 CreateTags adds or overwrites the given keys and leaves the others: a merge by design. */
  async setTags(ref: VmRef, tags: Record<string, string>): Promise<void> {
    const list = ec2TagList(tags);
    if (list.length === 0) return;
    await this.call('CreateTags', ref.region, (c, abortSignal) => c.send(new CreateTagsCommand({ Resources: [ref.providerId], Tags: list }), { abortSignal }));
  }

  /** Releases the SDK clients' keep-alive sockets; safe to call twice. */
  async close(): Promise<void> {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    this.identityClient?.destroy();
    this.identityClient = undefined;
    this.assumeRoleClient?.destroy();
  }

  async listVms(region: string, options: ListVmsOptions = {}): Promise<ListVmsPage> {
    const pageSize = pageSizeFor(options.pageSize);
    const result = await this.describe(region, {
      Filters: [{ Name: 'instance-state-name', Values: EXISTING_EC2_STATES }],
      MaxResults: pageSize,
      NextToken: options.pageToken,
    });
    return {
      vms: (result.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => this.toObserved(i, region)),
      nextPageToken: result.NextToken || undefined,
    };
  }

  /** Every existing instance in every enabled region, page by page (inventory sweeps). */
  async *listVmsInEnabledRegions(pageSize = MAX_PAGE_SIZE): AsyncGenerator<ObservedVm> {
    for (const region of await this.enabledRegions()) {
      let pageToken: string | undefined;
      do {
        const page = await this.listVms(region, { pageToken, pageSize });
        yield* page.vms;
        pageToken = page.nextPageToken;
      } while (pageToken);
    }
  }
}

export function createAwsAdapter(input: { settings: AwsSettings; secrets: AwsSecrets; runtime?: AdapterRuntimeOptions }): AwsEc2Adapter {
  return new AwsEc2Adapter(input);
}
