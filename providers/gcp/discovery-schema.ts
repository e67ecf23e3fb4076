// A small validator for Google discovery-document schemas (field names, JSON types, enums,
// `$ref`, maps via additionalProperties), used by the fixture tests to check emulator output.

export interface DiscoverySchema {
  id?: string;
  type?: string;
  $ref?: string;
  format?: string;
  enum?: string[];
  properties?: Record<string, DiscoverySchema>;
  additionalProperties?: DiscoverySchema;
  items?: DiscoverySchema;
}

export interface DiscoveryMethod {
  id: string;
  path: string;
  httpMethod: string;
  parameters?: Record<string, { location?: string; type?: string }>;
}

export interface DiscoveryDocument {
  schemas: Record<string, DiscoverySchema>;
  resources: Record<string, { methods: Record<string, DiscoveryMethod> }>;
}

/** Every mismatch between `value` and `schema`, as "path: problem" lines (empty when it fits). */
export function schemaProblems(doc: DiscoveryDocument, schema: DiscoverySchema, value: unknown, path = '$'): string[] {
  if (schema.$ref) {
    const target = doc.schemas[schema.$ref];
    return target ? schemaProblems(doc, target, value, path) : [`${path}: unknown $ref ${schema.$ref}`];
  }
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return [`${path}: expected string, got ${typeof value}`];
      if (schema.enum && !schema.enum.includes(value)) return [`${path}: ${value} not in enum`];
      return [];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${path}: expected integer, got ${JSON.stringify(value)}`];
    case 'number':
      return typeof value === 'number' ? [] : [`${path}: expected number, got ${typeof value}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected boolean, got ${typeof value}`];
    case 'array':
      if (!Array.isArray(value)) return [`${path}: expected array`];
      return value.flatMap((item, index) => (schema.items ? schemaProblems(doc, schema.items, item, `${path}[${index}]`) : []));
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected object`];
      const problems: string[] = [];
      for (const [key, child] of Object.entries(value)) {
        const declared = schema.properties?.[key] ?? schema.additionalProperties;
        if (!declared) problems.push(`${path}.${key}: not a field of this schema`);
        else problems.push(...schemaProblems(doc, declared, child, `${path}.${key}`));
      }
      return problems;
    }
    case 'any':
    case undefined:
      return [];
    default:
      return [`${path}: unsupported schema type ${schema.type}`];
  }
}
