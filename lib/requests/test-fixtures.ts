// Test fixtures for the requests area: users, a project with a quota, provider accounts with
// enabled regions, a price book, a catalog template (through the catalog's own createTemplate)
// and two policies (small → auto-approve, anything else → the project owner approves).
import { randomBytes } from 'node:crypto';
import { createApiToken } from '../auth/api-tokens';
import { auditContext, SYSTEM_ACTOR } from '../audit/record';
import { createTemplate } from '../catalog/templates';
import type { Db } from '../db/client';
import { createPolicy } from '../policy/service';

export interface RequestsFixture {
  tag: string;
  users: { requester: string; owner: string; admin: string; outsider: string; member2: string };
  tokens: { requester: string; owner: string; admin: string; outsider: string; member2: string };
  projectId: string;
  otherProjectId: string;
  awsAccountId: string;
  vsphereAccountId: string;
  templateId: string;
}

export const AUDIT = auditContext(SYSTEM_ACTOR);

export async function createRequestsFixture(db: Db, options: { maxInstances?: number; policies?: boolean } = {}): Promise<RequestsFixture> {
  const tag = randomBytes(3).toString('hex');
  const mk = async (name: string, roles: ('requester' | 'approver' | 'admin')[]) =>
    (await db.user.create({ data: { email: `${name}-${tag}@t.test`, name: `${name} ${tag}`, roles } })).id;
  const users = {
    requester: await mk('requester', ['requester']),
    owner: await mk('owner', ['requester', 'approver']),
    admin: await mk('admin', ['requester', 'approver', 'admin']),
    outsider: await mk('outsider', ['requester']),
    member2: await mk('member2', ['requester']),
  };
  const project = await db.project.create({ data: { key: `shop-${tag}`, name: `Shop ${tag}`, costCentre: 'CC-1', ownerId: users.owner } });
  const other = await db.project.create({ data: { key: `other-${tag}`, name: `Other ${tag}`, costCentre: 'CC-2', ownerId: users.owner } });
  await db.projectMembership.createMany({
    data: [
      { projectId: project.id, userId: users.owner, role: 'owner' },
      { projectId: project.id, userId: users.requester, role: 'member' },
      { projectId: project.id, userId: users.member2, role: 'member' },
      { projectId: other.id, userId: users.outsider, role: 'member' },
    ],
  });
  await db.quota.create({ data: { projectId: project.id, providerKind: null, maxInstances: options.maxInstances ?? 20, maxVcpus: 200 } });
  const aws = await db.providerAccount.create({
    data: {
      kind: 'aws', name: `aws-${tag}`, settings: {}, secretsCiphertext: 'x',
      regions: { create: [{ code: 'eu-west-1', name: 'Ireland', enabled: true }, { code: 'us-east-1', name: 'N. Virginia', enabled: true }, { code: 'ap-south-1', name: 'Mumbai', enabled: false }] },
    },
  });
  const vsphere = await db.providerAccount.create({
    data: { kind: 'vsphere', name: `vc-${tag}`, settings: {}, secretsCiphertext: 'x', regions: { create: [{ code: 'dc1', name: 'Datacenter 1', enabled: true }] } },
  });
  if (!(await db.priceBook.findFirst({ where: { name: 'requests-test' } }))) {
    await db.priceBook.create({
      data: {
        name: 'requests-test', currency: 'USD', effectiveFrom: new Date('2020-01-01'),
        rates: {
          create: [
            { providerKind: 'aws', regionCode: '*', sku: 't3.small', unit: 'hour', unitPrice: '0.02' },
            { providerKind: 'aws', regionCode: 'us-east-1', sku: 't3.small', unit: 'hour', unitPrice: '0.01' },
            { providerKind: 'aws', regionCode: '*', sku: 't3.large', unit: 'hour', unitPrice: '0.10' },
            { providerKind: 'vsphere', regionCode: '*', sku: 'vcpu', unit: 'hour', unitPrice: '0.01' },
            { providerKind: 'vsphere', regionCode: '*', sku: 'memory-gib', unit: 'hour', unitPrice: '0.005' },
            { providerKind: 'vsphere', regionCode: '*', sku: 'disk-gib', unit: 'month', unitPrice: '0.05' },
          ],
        },
      },
    });
  }
  const template = await createTemplate(
    db,
    {
      slug: `linux-${tag}`,
      name: `Linux ${tag}`,
      description: 'Test template',
      category: 'Compute',
      os: 'Ubuntu',
      sizes: [
        { name: 'small', vcpus: 1, memoryMiB: 2048, diskGiB: 20 },
        { name: 'large', vcpus: 4, memoryMiB: 16384, diskGiB: 100 },
      ],
      mappings: [
        { providerKind: 'aws', regionCode: '*', instanceTypes: { small: 't3.small', large: 't3.large' }, image: 'ubuntu-24.04' },
        { providerKind: 'vsphere', regionCode: '*', instanceTypes: { small: 'small', large: 'large' }, image: 'ubuntu-template' },
      ],
      defaultLeaseDays: 30,
      maxLeaseDays: 90,
      parameters: [
        { name: 'environment', label: 'Environment', type: 'enum', required: true, options: ['dev', 'prod'] },
        { name: 'hostname', label: 'Host name', type: 'string', required: false, maxLength: 20, pattern: '[a-z0-9-]+' },
      ],
    },
    AUDIT,
  );
  if (options.policies !== false && !(await db.approvalPolicy.findFirst({ where: { name: 'Small auto' } }))) {
    await createPolicy(db, { name: 'Small auto', priority: 10, action: 'auto_approve', conditions: { maxMonthlyCost: 100, maxVcpus: 2 } }, AUDIT);
    await createPolicy(db, { name: 'Owner approves', priority: 100, action: 'require_approval', levels: [{ name: 'Project owner', approvers: [{ type: 'project_owner' }] }] }, AUDIT);
  }
  const token = async (userId: string) => (await createApiToken(db, userId, { name: 't', scopes: ['read', 'write'] }, AUDIT)).token;
  return {
    tag,
    users,
    tokens: { requester: await token(users.requester), owner: await token(users.owner), admin: await token(users.admin), outsider: await token(users.outsider), member2: await token(users.member2) },
    projectId: project.id,
    otherProjectId: other.id,
    awsAccountId: aws.id,
    vsphereAccountId: vsphere.id,
    templateId: template.id,
  };
}
