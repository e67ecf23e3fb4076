// Form fields for a provider's settings and secrets, generated from its zod schemas (through
// z.toJSONSchema), and the reverse: form values back into the objects the schemas validate.
// Framework-free so the admin UI and tests share it.
import { z } from 'zod';
import type { ProviderModule } from '@/providers/module';
import type { FieldIssue } from '../errors';

export type FieldInput = 'text' | 'url' | 'password' | 'textarea' | 'number' | 'checkbox' | 'select' | 'list' | 'json';

export interface FormField {
  /** Property name in the settings/secrets object. */
  name: string;
  /** Form control name: "settings.<name>" or "secrets.<name>". */
  control: string;
  label: string;
  input: FieldInput;
  required: boolean;
  secret: boolean;
  description?: string;
  /** Schema default, shown as the placeholder (never for secrets). */
  placeholder?: string;
  options?: string[];
  defaultChecked?: boolean;
}

export interface ProviderFormSpec {
  kind: string;
  label: string;
  settings: FormField[];
  secrets: FormField[];
}

type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  const?: unknown;
};

const ACRONYMS: Record<string, string> = {
  id: 'ID', ids: 'IDs', url: 'URL', arn: 'ARN', pem: 'PEM', json: 'JSON', sts: 'STS', api: 'API', ca: 'CA', arm: 'ARM', vm: 'VM', sdk: 'SDK',
};

/** "serviceAccountKeyJson" → "Service account key JSON". */
export function humanizeFieldName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .split(/\s+/)
    .map((w) => w.toLowerCase());
  return words
    .map((word, i) => ACRONYMS[word] ?? (i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : word))
    .join(' ');
}

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** The first non-null branch of an optional/nullable union. */
function unwrap(schema: JsonSchema): JsonSchema {
  if (schema.anyOf) {
    const branch = schema.anyOf.find((s) => s.type !== 'null');
    if (branch) return { ...branch, default: schema.default ?? branch.default, description: schema.description ?? branch.description };
  }
  return schema;
}

function inputFor(name: string, schema: JsonSchema, secret: boolean): Pick<FormField, 'input' | 'options'> {
  if (secret) return { input: 'password' };
  if (schema.enum && schema.enum.every((v) => typeof v === 'string')) return { input: 'select', options: schema.enum as string[] };
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'boolean') return { input: 'checkbox' };
  if (type === 'number' || type === 'integer') return { input: 'number' };
  if (type === 'array' && (schema.items?.type === 'string' || !schema.items)) return { input: 'list' };
  if (type === 'array' || type === 'object') return { input: 'json' };
  if (schema.format === 'uri') return { input: 'url' };
  if (/(pem|json|certificate)$/i.test(name)) return { input: 'textarea' };
  return { input: 'text' };
}

function placeholderOf(value: unknown): string | undefined {
  if (value === undefined || value === null || typeof value === 'boolean') return undefined;
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function fieldsFromSchema(schema: z.ZodType, group: 'settings' | 'secrets'): FormField[] {
  const json = jsonSchemaOf(schema);
  const required = new Set(json.required ?? []);
  const secret = group === 'secrets';
  return Object.entries(json.properties ?? {}).map(([name, raw]) => {
    const property = unwrap(raw);
    const hasDefault = property.default !== undefined;
    return {
      name,
      control: `${group}.${name}`,
      label: humanizeFieldName(name),
      ...inputFor(name, property, secret),
      required: required.has(name) && !hasDefault,
      secret,
      ...(property.description ? { description: property.description } : {}),
      ...(!secret && placeholderOf(property.default) ? { placeholder: placeholderOf(property.default) } : {}),
      ...(typeof property.default === 'boolean' ? { defaultChecked: property.default } : {}),
    };
  });
}

export function providerFormSpec(module: Pick<ProviderModule, 'kind' | 'label' | 'settingsSchema' | 'secretsSchema'>): ProviderFormSpec {
  return {
    kind: module.kind,
    label: module.label,
    settings: fieldsFromSchema(module.settingsSchema, 'settings'),
    secrets: fieldsFromSchema(module.secretsSchema, 'secrets'),
  };
}

/**
 * Form values → the object a schema validates. Blank fields are left out (schema defaults apply;
 * for secrets on edit, "keep the stored value"). Unparseable JSON/number fields become issues
 * named after the form control.
 */
export function valuesFromForm(fields: FormField[], get: (control: string) => string | null): { values: Record<string, unknown>; issues: FieldIssue[] } {
  const values: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  for (const field of fields) {
    const raw = get(field.control);
    if (field.input === 'checkbox') {
      values[field.name] = raw !== null && raw !== '' && raw !== 'false';
      continue;
    }
    if (raw === null) continue;
    const text = field.input === 'password' || field.input === 'textarea' ? raw : raw.trim();
    if (text.trim() === '') continue;
    switch (field.input) {
      case 'number': {
        const n = Number(text);
        if (Number.isFinite(n)) values[field.name] = n;
        else issues.push({ field: field.control, message: 'Enter a number.' });
        break;
      }
      case 'list':
        values[field.name] = text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
        break;
      case 'json':
        try {
          values[field.name] = JSON.parse(text);
        } catch {
          issues.push({ field: field.control, message: 'Enter valid JSON.' });
        }
        break;
      default:
        values[field.name] = field.input === 'textarea' ? text.trim() : text;
    }
  }
  return { values, issues };
}

/** A stored settings value as the form shows it. */
export function formValueOf(field: FormField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.input === 'list' && Array.isArray(value)) return value.join(', ');
  if (field.input === 'json' || (typeof value === 'object')) return JSON.stringify(value, null, 2);
  return String(value);
}

/** "settings/endpoint" (service issue) → "settings.endpoint" (form control). */
export function controlOfIssue(field: string): string {
  return field.replace(/^body\//, '').split('/').slice(0, 2).join('.');
}
