'use client';

// The template editor: basics, sizes, per-provider mappings (size → instance type, image,
// optionally per region), where it may run, leases and typed parameters. Rows are dynamic, so
// the form keeps the definition in state and submits it as one JSON field; the server validates
// it with the same schema as the API and returns field errors by path (e.g. "sizes/0/name").
import { useActionState, useId, useState, type ReactNode } from 'react';
import { fieldProps, inputClass } from '@/components/ui/Field';
import { FormMessage } from '@/components/ui/FormMessage';
import { SubmitButton } from '@/components/ui/SubmitButton';
import type { FormState } from '@/lib/validation/form-state';

type Action = (previous: FormState, form: FormData) => Promise<FormState>;
type Kind = 'vsphere' | 'aws' | 'azure' | 'gcp';
type ParamType = 'string' | 'number' | 'enum' | 'boolean';

export interface FormDefinition {
  slug: string;
  name: string;
  description: string;
  category: string;
  os: string;
  sizes: { name: string; label?: string; vcpus: number; memoryMiB: number; diskGiB: number }[];
  mappings: { providerKind: Kind; regionCode: string; instanceTypes: Record<string, string>; image: string }[];
  allowedProviderKinds: Kind[];
  allowedRegions: string[];
  allowedProjectIds: string[];
  defaultLeaseDays: number | null;
  maxLeaseDays: number | null;
  parameters: {
    name: string;
    label: string;
    type: ParamType;
    required: boolean;
    default?: string | number | boolean;
    min?: number;
    max?: number;
    maxLength?: number;
    pattern?: string;
    options?: string[];
  }[];
}

export interface InstanceTypeOption {
  providerKind: Kind;
  name: string;
  vcpus: number;
  memoryMiB: number;
}

interface Props {
  action: Action;
  initial: FormDefinition | null;
  currentVersion: number | null;
  providers: { kind: Kind; label: string }[];
  instanceTypes: InstanceTypeOption[];
  regions: { value: string; label: string }[];
  projects: { id: string; name: string }[];
}

// Text state for every input, so half-typed numbers survive re-renders; converted on submit.
interface SizeRow { name: string; label: string; vcpus: string; memoryMiB: string; diskGiB: string }
interface MappingRow { providerKind: Kind; regionCode: string; image: string; instanceTypes: Record<string, string> }
interface ParamRow { name: string; label: string; type: ParamType; required: boolean; default: string; min: string; max: string; maxLength: string; pattern: string; options: string }

const str = (v: number | string | boolean | null | undefined) => (v === null || v === undefined ? '' : String(v));
const num = (v: string): number | undefined => (v.trim() === '' ? undefined : Number(v));

function toRows(d: FormDefinition | null) {
  return {
    basics: { slug: d?.slug ?? '', name: d?.name ?? '', description: d?.description ?? '', category: d?.category ?? 'Compute', os: d?.os ?? '' },
    sizes: (d?.sizes ?? [{ name: 'small', label: 'Small', vcpus: 2, memoryMiB: 4096, diskGiB: 40 }]).map((s) => ({ name: s.name, label: s.label ?? '', vcpus: str(s.vcpus), memoryMiB: str(s.memoryMiB), diskGiB: str(s.diskGiB) })),
    mappings: (d?.mappings ?? []).map((m) => ({ ...m, instanceTypes: { ...m.instanceTypes } })),
    parameters: (d?.parameters ?? []).map((p) => ({
      name: p.name, label: p.label, type: p.type, required: p.required, default: str(p.default), min: str(p.min), max: str(p.max),
      maxLength: str(p.maxLength), pattern: p.pattern ?? '', options: (p.options ?? []).join(', '),
    })),
    allowedProviderKinds: d?.allowedProviderKinds ?? [],
    allowedRegions: d?.allowedRegions ?? [],
    allowedProjectIds: d?.allowedProjectIds ?? [],
    defaultLeaseDays: str(d?.defaultLeaseDays),
    maxLeaseDays: str(d?.maxLeaseDays),
  };
}

function parameterDefault(p: ParamRow): string | number | boolean | undefined {
  if (p.default.trim() === '') return undefined;
  if (p.type === 'number') return Number(p.default);
  if (p.type === 'boolean') return p.default === 'true';
  return p.default;
}

function ErrorText({ id, error }: { id: string; error?: string }) {
  return error ? <p id={`${id}-error`} className="mt-1 text-xs font-medium text-red-700">{error}</p> : null;
}

/** A form section. `min-w-0`: a fieldset is min-content wide by default, so a wide table inside would widen the page. */
function Section({ title, hint, children }: { title: string; hint?: string; children: ReactNode }) {
  return (
    <fieldset className="min-w-0 rounded-xl border border-slate-200 bg-surface p-4 shadow-sm sm:p-5">
      <legend className="px-1 text-sm font-semibold text-slate-900">{title}</legend>
      {hint && <p className="mb-3 text-xs text-slate-500">{hint}</p>}
      {children}
    </fieldset>
  );
}

const smallButton = 'rounded-md border border-slate-300 bg-surface px-2.5 py-1 text-xs font-medium text-slate-800 shadow-sm hover:bg-slate-50';
const removeButton = 'rounded-md px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-50';

export function TemplateForm({ action, initial, currentVersion, providers, instanceTypes, regions, projects }: Props) {
  const [state, formAction] = useActionState(action, null);
  const uid = useId();
  const start = toRows(initial);
  const [basics, setBasics] = useState(start.basics);
  const [sizes, setSizes] = useState<SizeRow[]>(start.sizes);
  const [mappings, setMappings] = useState<MappingRow[]>(start.mappings);
  const [parameters, setParameters] = useState<ParamRow[]>(start.parameters);
  const [allowedKinds, setAllowedKinds] = useState<Kind[]>(start.allowedProviderKinds);
  const [allowedRegions, setAllowedRegions] = useState<string[]>(start.allowedRegions);
  const [allowedProjects, setAllowedProjects] = useState<string[]>(start.allowedProjectIds);
  const [leases, setLeases] = useState({ defaultLeaseDays: start.defaultLeaseDays, maxLeaseDays: start.maxLeaseDays });
  const e = state && !state.ok ? state.errors : {};
  const editing = initial !== null;

  const definition = {
    ...basics,
    sizes: sizes.map((s) => ({ name: s.name.trim(), ...(s.label.trim() ? { label: s.label.trim() } : {}), vcpus: num(s.vcpus), memoryMiB: num(s.memoryMiB), diskGiB: num(s.diskGiB) })),
    mappings: mappings.map((m) => ({
      providerKind: m.providerKind,
      regionCode: m.regionCode.trim() || '*',
      image: m.image,
      instanceTypes: Object.fromEntries(Object.entries(m.instanceTypes).filter(([size, type]) => type.trim() !== '' && sizes.some((s) => s.name.trim() === size))),
    })),
    allowedProviderKinds: allowedKinds,
    allowedRegions,
    allowedProjectIds: allowedProjects,
    defaultLeaseDays: num(leases.defaultLeaseDays) ?? null,
    maxLeaseDays: num(leases.maxLeaseDays) ?? null,
    parameters: parameters.map((p) => ({
      name: p.name.trim(),
      label: p.label,
      type: p.type,
      required: p.required,
      ...(parameterDefault(p) !== undefined ? { default: parameterDefault(p) } : {}),
      ...(p.type === 'number' ? { min: num(p.min), max: num(p.max) } : {}),
      ...(p.type === 'string' ? { maxLength: num(p.maxLength), ...(p.pattern.trim() ? { pattern: p.pattern.trim() } : {}) } : {}),
      ...(p.type === 'enum' ? { options: p.options.split(',').map((o) => o.trim()).filter(Boolean) } : {}),
    })),
  };

  const update = <T,>(rows: T[], set: (rows: T[]) => void, index: number, patch: Partial<T>) => set(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  const toggle = <T,>(values: T[], set: (v: T[]) => void, value: T) => set(values.includes(value) ? values.filter((v) => v !== value) : [...values, value]);
  const input = (id: string, error: string | undefined, extra = '') => ({ className: `${inputClass} ${extra}`, ...fieldProps(id, { error }) });

  return (
    <form action={formAction} noValidate className="space-y-5" aria-label={editing ? 'Edit template' : 'New template'}>
      <input type="hidden" name="definition" value={JSON.stringify(definition)} />
      {currentVersion !== null && <input type="hidden" name="expectedVersion" value={currentVersion} />}
      {e.definition && <p className="text-sm text-red-700">{e.definition}</p>}

      <Section title="Basics">
        <div className="grid gap-4 sm:grid-cols-2">
          {(
            [
              ['slug', 'Slug', editing ? 'Permanent; used in URLs.' : 'Lower-case letters, digits and "-", e.g. "linux-web".'],
              ['name', 'Name', ''],
              ['category', 'Category', 'Groups cards in the catalog, e.g. Web, Data.'],
              ['os', 'Operating system', ''],
            ] as const
          ).map(([key, label, hint]) => (
            <div key={key}>
              <label htmlFor={`${uid}-${key}`} className="block text-sm font-medium text-slate-800">{label}</label>
              <input
                {...input(`${uid}-${key}`, e[key])}
                value={basics[key]}
                disabled={key === 'slug' && editing}
                onChange={(ev) => setBasics({ ...basics, [key]: ev.target.value })}
                autoComplete="off"
              />
              {hint && <p className="mt-1 text-xs text-slate-500">{hint}</p>}
              <ErrorText id={`${uid}-${key}`} error={e[key]} />
            </div>
          ))}
          <div className="sm:col-span-2">
            <label htmlFor={`${uid}-description`} className="block text-sm font-medium text-slate-800">Description</label>
            <textarea {...input(`${uid}-description`, e.description)} rows={2} value={basics.description} onChange={(ev) => setBasics({ ...basics, description: ev.target.value })} />
            <ErrorText id={`${uid}-description`} error={e.description} />
          </div>
        </div>
      </Section>

      <Section title="Sizes" hint="What a requester picks. Each size is realised by an instance type per provider below.">
        {e.sizes && <p className="mb-2 text-xs font-medium text-red-700">{e.sizes}</p>}
        {/* relative: the sr-only header is absolutely positioned; only a positioned scroll box contains it. */}
        <div className="relative overflow-x-auto">
          <table className="min-w-full text-sm">
            <caption className="sr-only">Sizes</caption>
            <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="py-1 pr-2">Name</th>
                <th scope="col" className="py-1 pr-2">Label</th>
                <th scope="col" className="py-1 pr-2">vCPU</th>
                <th scope="col" className="py-1 pr-2">RAM (MiB)</th>
                <th scope="col" className="py-1 pr-2">Disk (GiB)</th>
                <th scope="col" className="py-1"><span className="sr-only">Remove</span></th>
              </tr>
            </thead>
            <tbody>
              {sizes.map((s, i) => (
                <tr key={i} className="align-top">
                  {(['name', 'label', 'vcpus', 'memoryMiB', 'diskGiB'] as const).map((key) => {
                    const id = `${uid}-size-${i}-${key}`;
                    const error = e[`sizes/${i}/${key}`];
                    return (
                      <td key={key} className="py-1 pr-2">
                        <input
                          {...input(id, error, key === 'name' || key === 'label' ? 'min-w-24' : 'w-24')}
                          aria-label={`Size ${i + 1} ${key}`}
                          inputMode={key === 'name' || key === 'label' ? undefined : 'numeric'}
                          value={s[key]}
                          onChange={(ev) => update(sizes, setSizes, i, { [key]: ev.target.value })}
                        />
                        <ErrorText id={id} error={error} />
                      </td>
                    );
                  })}
                  <td className="py-1">
                    <button type="button" className={removeButton} disabled={sizes.length === 1} onClick={() => setSizes(sizes.filter((_, j) => j !== i))} aria-label={`Remove size ${s.name || i + 1}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <button type="button" className={`${smallButton} mt-2`} onClick={() => setSizes([...sizes, { name: '', label: '', vcpus: '2', memoryMiB: '4096', diskGiB: '40' }])}>
          Add size
        </button>
      </Section>

      <Section title="Provider mappings" hint='How each size runs on a provider. Region "*" = every region; a mapping for one region wins over "*". Leave a size empty where the provider has no fitting shape.'>
        {e.mappings && <p className="mb-2 text-xs font-medium text-red-700">{e.mappings}</p>}
        <div className="space-y-4">
          {mappings.map((m, i) => {
            const listId = `${uid}-types-${m.providerKind}`;
            return (
              <div key={i} className="rounded-lg border border-slate-200 p-3">
                <div className="grid gap-3 sm:grid-cols-[10rem_10rem_1fr_auto]">
                  <div>
                    <label htmlFor={`${uid}-map-${i}-kind`} className="block text-xs font-medium text-slate-700">Provider</label>
                    <select {...input(`${uid}-map-${i}-kind`, e[`mappings/${i}/providerKind`])} value={m.providerKind} onChange={(ev) => update(mappings, setMappings, i, { providerKind: ev.target.value as Kind })}>
                      {providers.map((p) => <option key={p.kind} value={p.kind}>{p.label}</option>)}
                    </select>
                  </div>
                  <div>
                    <label htmlFor={`${uid}-map-${i}-region`} className="block text-xs font-medium text-slate-700">Region</label>
                    <input {...input(`${uid}-map-${i}-region`, e[`mappings/${i}/regionCode`])} value={m.regionCode} onChange={(ev) => update(mappings, setMappings, i, { regionCode: ev.target.value })} />
                    <ErrorText id={`${uid}-map-${i}-region`} error={e[`mappings/${i}/regionCode`]} />
                  </div>
                  <div>
                    <label htmlFor={`${uid}-map-${i}-image`} className="block text-xs font-medium text-slate-700">Image</label>
                    <input {...input(`${uid}-map-${i}-image`, e[`mappings/${i}/image`])} value={m.image} placeholder="AMI name, publisher:offer:sku:version, image family or vSphere template" onChange={(ev) => update(mappings, setMappings, i, { image: ev.target.value })} />
                    <ErrorText id={`${uid}-map-${i}-image`} error={e[`mappings/${i}/image`]} />
                  </div>
                  <div className="self-end">
                    <button type="button" className={removeButton} onClick={() => setMappings(mappings.filter((_, j) => j !== i))} aria-label={`Remove mapping ${i + 1}`}>Remove</button>
                  </div>
                </div>
                <datalist id={listId}>
                  {instanceTypes.filter((t) => t.providerKind === m.providerKind).map((t) => (
                    <option key={t.name} value={t.name}>{`${t.vcpus} vCPU · ${t.memoryMiB} MiB`}</option>
                  ))}
                </datalist>
                <ErrorText id={`${uid}-map-${i}-types`} error={e[`mappings/${i}/instanceTypes`]} />
                <div className="mt-3 grid gap-2 sm:grid-cols-3">
                  {sizes.map((s) => {
                    const id = `${uid}-map-${i}-size-${s.name}`;
                    const error = e[`mappings/${i}/instanceTypes/${s.name.trim()}`];
                    const chosen = instanceTypes.find((t) => t.providerKind === m.providerKind && t.name === m.instanceTypes[s.name]);
                    const mismatch = chosen && (String(chosen.vcpus) !== s.vcpus || String(chosen.memoryMiB) !== s.memoryMiB);
                    return (
                      <div key={s.name || id}>
                        <label htmlFor={id} className="block text-xs font-medium text-slate-700">{s.label || s.name || 'unnamed size'}</label>
                        <input
                          {...input(id, error)}
                          list={listId}
                          value={m.instanceTypes[s.name] ?? ''}
                          placeholder="not offered"
                          onChange={(ev) => update(mappings, setMappings, i, { instanceTypes: { ...m.instanceTypes, [s.name]: ev.target.value } })}
                        />
                        {chosen && (
                          <p className={`mt-1 text-xs ${mismatch ? 'text-amber-700' : 'text-slate-500'}`}>
                            {chosen.vcpus} vCPU · {chosen.memoryMiB} MiB{mismatch ? ' — differs from the size' : ''}
                          </p>
                        )}
                        <ErrorText id={id} error={error} />
                      </div>
                    );
                  })}
                </div>
              </div>
            );
          })}
        </div>
        <button type="button" className={`${smallButton} mt-3`} onClick={() => setMappings([...mappings, { providerKind: providers[0]?.kind ?? 'aws', regionCode: '*', image: '', instanceTypes: {} }])}>
          Add mapping
        </button>
      </Section>

      <Section title="Where it may run" hint="Nothing ticked = no restriction (every mapped provider, every enabled region, every project).">
        <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
          <div role="group" aria-labelledby={`${uid}-kinds`}>
            <p id={`${uid}-kinds`} className="text-sm font-medium text-slate-800">Providers</p>
            {providers.map((p, i) => (
              <label key={p.kind} className="mt-1 flex items-center gap-2 text-sm">
                <input type="checkbox" checked={allowedKinds.includes(p.kind)} onChange={() => toggle(allowedKinds, setAllowedKinds, p.kind)} /> {p.label}
                {e[`allowedProviderKinds/${i}`] && <span className="text-xs text-red-700">{e[`allowedProviderKinds/${i}`]}</span>}
              </label>
            ))}
          </div>
          <div role="group" aria-labelledby={`${uid}-regions`}>
            <p id={`${uid}-regions`} className="text-sm font-medium text-slate-800">Regions</p>
            <div className="max-h-48 overflow-y-auto">
              {[...new Set([...regions.map((r) => r.value), ...allowedRegions])].map((value) => (
                <label key={value} className="mt-1 flex items-center gap-2 text-sm">
                  <input type="checkbox" checked={allowedRegions.includes(value)} onChange={() => toggle(allowedRegions, setAllowedRegions, value)} />
                  {regions.find((r) => r.value === value)?.label ?? value}
                </label>
              ))}
            </div>
            {Object.entries(e).filter(([k]) => k.startsWith('allowedRegions')).map(([k, msg]) => <p key={k} className="text-xs text-red-700">{msg}</p>)}
          </div>
          <div role="group" aria-labelledby={`${uid}-projects`}>
            <p id={`${uid}-projects`} className="text-sm font-medium text-slate-800">Projects</p>
            <div className="max-h-48 overflow-y-auto">
              {projects.map((p) => (
                <label key={p.id} className="mt-1 flex items-center gap-2 text-sm">
                  <input type="checkbox" checked={allowedProjects.includes(p.id)} onChange={() => toggle(allowedProjects, setAllowedProjects, p.id)} /> {p.name}
                </label>
              ))}
            </div>
            {Object.entries(e).filter(([k]) => k.startsWith('allowedProjectIds')).map(([k, msg]) => <p key={k} className="text-xs text-red-700">{msg}</p>)}
          </div>
        </div>
      </Section>

      <Section title="Lease">
        <div className="grid gap-4 sm:grid-cols-2">
          {(
            [
              ['defaultLeaseDays', 'Default lease (days)', 'Empty = no lease by default.'],
              ['maxLeaseDays', 'Maximum lease (days)', 'Empty = no template maximum (the project’s may still apply).'],
            ] as const
          ).map(([key, label, hint]) => (
            <div key={key}>
              <label htmlFor={`${uid}-${key}`} className="block text-sm font-medium text-slate-800">{label}</label>
              <input {...input(`${uid}-${key}`, e[key])} inputMode="numeric" value={leases[key]} onChange={(ev) => setLeases({ ...leases, [key]: ev.target.value })} />
              <p className="mt-1 text-xs text-slate-500">{hint}</p>
              <ErrorText id={`${uid}-${key}`} error={e[key]} />
            </div>
          ))}
        </div>
      </Section>

      <Section title="Parameters" hint="Extra fields on the request form, validated against these limits.">
        <div className="space-y-3">
          {parameters.map((p, i) => {
            const err = (field: string) => e[`parameters/${i}/${field}`];
            const field = (key: keyof ParamRow, label: string, extra: { inputMode?: 'decimal' | 'numeric' } = {}) => {
              const id = `${uid}-param-${i}-${key}`;
              return (
                <div>
                  <label htmlFor={id} className="block text-xs font-medium text-slate-700">{label}</label>
                  <input {...input(id, err(key))} {...extra} value={String(p[key])} onChange={(ev) => update(parameters, setParameters, i, { [key]: ev.target.value })} />
                  <ErrorText id={id} error={err(key)} />
                </div>
              );
            };
            return (
              <div key={i} className="rounded-lg border border-slate-200 p-3">
                <div className="grid gap-3 sm:grid-cols-4">
                  {field('name', 'Name')}
                  {field('label', 'Label')}
                  <div>
                    <label htmlFor={`${uid}-param-${i}-type`} className="block text-xs font-medium text-slate-700">Type</label>
                    <select {...input(`${uid}-param-${i}-type`, err('type'))} value={p.type} onChange={(ev) => update(parameters, setParameters, i, { type: ev.target.value as ParamType })}>
                      <option value="string">Text</option>
                      <option value="number">Number</option>
                      <option value="enum">Choice</option>
                      <option value="boolean">Yes/no</option>
                    </select>
                  </div>
                  <div className="flex items-end justify-between gap-2">
                    <label className="flex items-center gap-2 pb-2 text-sm">
                      <input type="checkbox" checked={p.required} onChange={(ev) => update(parameters, setParameters, i, { required: ev.target.checked })} /> Required
                    </label>
                    <button type="button" className={removeButton} onClick={() => setParameters(parameters.filter((_, j) => j !== i))} aria-label={`Remove parameter ${p.name || i + 1}`}>Remove</button>
                  </div>
                  {p.type === 'boolean' ? (
                    <div>
                      <label htmlFor={`${uid}-param-${i}-default`} className="block text-xs font-medium text-slate-700">Default</label>
                      <select {...input(`${uid}-param-${i}-default`, err('default'))} value={p.default} onChange={(ev) => update(parameters, setParameters, i, { default: ev.target.value })}>
                        <option value="">none</option>
                        <option value="true">yes</option>
                        <option value="false">no</option>
                      </select>
                      <ErrorText id={`${uid}-param-${i}-default`} error={err('default')} />
                    </div>
                  ) : (
                    field('default', 'Default')
                  )}
                  {p.type === 'number' && field('min', 'Minimum', { inputMode: 'decimal' })}
                  {p.type === 'number' && field('max', 'Maximum', { inputMode: 'decimal' })}
                  {p.type === 'string' && field('maxLength', 'Max length', { inputMode: 'numeric' })}
                  {p.type === 'string' && field('pattern', 'Pattern (regex)')}
                  {p.type === 'enum' && <div className="sm:col-span-2">{field('options', 'Options (comma-separated)')}</div>}
                </div>
              </div>
            );
          })}
        </div>
        <button
          type="button"
          className={`${smallButton} mt-3`}
          onClick={() => setParameters([...parameters, { name: '', label: '', type: 'string', required: false, default: '', min: '', max: '', maxLength: '', pattern: '', options: '' }])}
        >
          Add parameter
        </button>
      </Section>

      {editing && (
        <div>
          <label htmlFor={`${uid}-changelog`} className="block text-sm font-medium text-slate-800">What changed</label>
          <input id={`${uid}-changelog`} name="changelog" className={inputClass} placeholder="Shown in the version history" maxLength={500} />
        </div>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingLabel="Saving…">{editing ? `Save as version ${(currentVersion ?? 0) + 1}` : 'Create template'}</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
