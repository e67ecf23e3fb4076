import { describe, expect, it } from 'vitest';
import { provider as aws } from '@/providers/aws';
import { provider as azure } from '@/providers/azure';
import { controlOfIssue, fieldsFromSchema, formValueOf, humanizeFieldName, providerFormSpec, valuesFromForm } from './form-fields';

describe('provider form fields from zod schemas', () => {
  it('humanizes property names with acronyms', () => {
    expect(humanizeFieldName('serviceAccountKeyJson')).toBe('Service account key JSON');
    expect(humanizeFieldName('accessKeyId')).toBe('Access key ID');
    expect(humanizeFieldName('caCertPem')).toBe('CA cert PEM');
    expect(humanizeFieldName('roleArn')).toBe('Role ARN');
  });

  it('describes the AWS settings and secrets', () => {
    const spec = providerFormSpec(aws);
    expect(spec).toMatchObject({ kind: 'aws', label: 'Amazon EC2' });
    const settings = Object.fromEntries(spec.settings.map((f) => [f.name, f]));
    expect(settings.endpoint).toMatchObject({ input: 'url', required: false, secret: false, control: 'settings.endpoint' });
    expect(settings.defaultRegion).toMatchObject({ input: 'text', required: false, placeholder: 'us-east-1' });
    expect(settings.imageOwners).toMatchObject({ input: 'list', placeholder: 'self, amazon' });
    expect(settings.subnetIdsByRegion).toMatchObject({ input: 'json' });
    const secrets = Object.fromEntries(spec.secrets.map((f) => [f.name, f]));
    expect(secrets.accessKeyId).toMatchObject({ input: 'password', required: true, secret: true, label: 'Access key ID' });
    expect(secrets.secretAccessKey).toMatchObject({ input: 'password', required: true });
    expect(secrets.sessionToken).toMatchObject({ input: 'password', required: false });
    for (const field of spec.secrets) expect(field.placeholder).toBeUndefined();
  });

  it('describes Azure (required strings, PEM textarea)', () => {
    const settings = Object.fromEntries(fieldsFromSchema(azure.settingsSchema, 'settings').map((f) => [f.name, f]));
    expect(settings.tenantId).toMatchObject({ input: 'text', required: true, label: 'Tenant ID' });
    expect(settings.caCertPem).toMatchObject({ input: 'textarea', required: false });
  });

  it('turns form values back into objects the schema accepts', () => {
    const spec = providerFormSpec(aws);
    const form: Record<string, string> = {
      'settings.endpoint': ' http://127.0.0.1:4566 ',
      'settings.defaultRegion': '',
      'settings.imageOwners': 'self,\namazon',
      'settings.subnetIdsByRegion': '{"us-east-1":"subnet-0abc"}',
      'secrets.accessKeyId': 'AKIAEXAMPLE000000000',
      'secrets.secretAccessKey': 'secret/secret/secret',
      'secrets.sessionToken': '',
    };
    const settings = valuesFromForm(spec.settings, (c) => form[c] ?? null);
    expect(settings.issues).toEqual([]);
    expect(aws.settingsSchema.parse(settings.values)).toMatchObject({
      endpoint: 'http://127.0.0.1:4566',
      defaultRegion: 'us-east-1',
      imageOwners: ['self', 'amazon'],
      subnetIdsByRegion: { 'us-east-1': 'subnet-0abc' },
    });
    const secrets = valuesFromForm(spec.secrets, (c) => form[c] ?? null);
    expect(secrets.values).toEqual({ accessKeyId: 'AKIAEXAMPLE000000000', secretAccessKey: 'secret/secret/secret' });
    const bad = valuesFromForm(spec.settings, (c) => (c === 'settings.subnetIdsByRegion' ? '{nope' : null));
    expect(bad.issues).toEqual([{ field: 'settings.subnetIdsByRegion', message: 'Enter valid JSON.' }]);
  });

  it('shows stored values and maps service issues to controls', () => {
    const [owners] = fieldsFromSchema(aws.settingsSchema, 'settings').filter((f) => f.name === 'imageOwners');
    expect(formValueOf(owners!, ['self', 'amazon'])).toBe('self, amazon');
    expect(controlOfIssue('settings/endpoint')).toBe('settings.endpoint');
    expect(controlOfIssue('body/name')).toBe('name');
  });
});
