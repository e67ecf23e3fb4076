'use client';

import { useActionState, useId, useState, useTransition } from 'react';
import { Field, fieldProps, inputClass } from '@/components/ui/Field';
import { FormMessage } from '@/components/ui/FormMessage';
import { SubmitButton } from '@/components/ui/SubmitButton';
import { PROVIDER_KINDS, PROVIDER_LABELS } from '@/providers/types';
import { GATED_VM_ACTIONS, type ApproverSpec, type PolicyInput, type PolicyScope, type PolicyView, type SimulationResult } from '@/lib/policy/schemas';
import type { FormState } from '@/lib/validation/form-state';
import { runSimulation } from './actions';
import { SimulationTable } from './SimulationTable';

type Action = (previous: FormState, form: FormData) => Promise<FormState>;
type Option = { id: string; label: string };

interface LevelDraft {
  name: string;
  mode: 'any' | 'all';
  approvers: ApproverSpec[];
  timeoutHours: string;
  timeoutAction: '' | 'auto_approve' | 'reject' | 'escalate';
}

interface Draft {
  name: string;
  description: string;
  priority: string;
  enabled: boolean;
  scope: PolicyScope;
  /** vm_action scope: the actions it applies to (none ticked = every action). */
  actions: string[];
  action: PolicyInput['action'];
  num: Record<(typeof NUMBER_FIELDS)[number]['key'], string>;
  providerKinds: string[];
  regions: string;
  projectIds: string[];
  templates: string[];
  parameters: { name: string; values: string }[];
  levels: LevelDraft[];
  rejectReason: string;
  quotaMode: 'hard' | 'soft';
  budgetMode: 'hard' | 'soft';
}

/** Number conditions; memory is edited in GiB and stored in MiB. `label` per scope; a missing label = not in that scope. */
const NUMBER_FIELDS = [
  { key: 'minMonthlyCost', label: { provision: 'Min cost $/month', vm_action: 'Min new cost $/month' }, scale: 1, min: 0 },
  { key: 'maxMonthlyCost', label: { provision: 'Max cost $/month', vm_action: 'Max new cost $/month' }, scale: 1, min: 0 },
  { key: 'minVcpus', label: { provision: 'Min vCPU per VM', vm_action: 'Min target vCPU' }, scale: 1, min: 0 },
  { key: 'maxVcpus', label: { provision: 'Max vCPU per VM', vm_action: 'Max target vCPU' }, scale: 1, min: 0 },
  { key: 'minMemoryMiB', label: { provision: 'Min RAM GiB per VM', vm_action: 'Min target RAM GiB' }, scale: 1024, min: 0 },
  { key: 'maxMemoryMiB', label: { provision: 'Max RAM GiB per VM', vm_action: 'Max target RAM GiB' }, scale: 1024, min: 0 },
  { key: 'minCount', label: { provision: 'Min VM count' }, scale: 1, min: 0 },
  { key: 'maxCount', label: { provision: 'Max VM count' }, scale: 1, min: 0 },
  { key: 'minCostDelta', label: { vm_action: 'Min price change $/month' }, scale: 1, min: -100_000_000 },
  { key: 'maxCostDelta', label: { vm_action: 'Max price change $/month' }, scale: 1, min: -100_000_000 },
  { key: 'minLeaseDays', label: { vm_action: 'Min lease days (extension)' }, scale: 1, min: 0 },
  { key: 'maxLeaseDays', label: { vm_action: 'Max lease days (extension)' }, scale: 1, min: 0 },
] as const satisfies readonly { key: string; label: Partial<Record<PolicyScope, string>>; scale: number; min: number }[];

const fieldLabel = (f: (typeof NUMBER_FIELDS)[number], scope: PolicyScope): string | undefined => (f.label as Partial<Record<PolicyScope, string>>)[scope];

const ACTION_OPTIONS: Option[] = GATED_VM_ACTIONS.map((a) => ({ id: a, label: a === 'extend_lease' ? 'extend lease' : a }));

const PROVIDERS: Option[] = PROVIDER_KINDS.map((kind) => ({ id: kind, label: PROVIDER_LABELS[kind] }));

const emptyLevel = (): LevelDraft => ({ name: 'Project owner', mode: 'any', approvers: [{ type: 'project_owner' }], timeoutHours: '', timeoutAction: '' });

function toDraft(p: PolicyView | null): Draft {
  const c = p?.conditions ?? {};
  const num = Object.fromEntries(
    NUMBER_FIELDS.map((f) => {
      const v = c[f.key];
      return [f.key, v === undefined ? '' : String(v / f.scale)];
    }),
  ) as Draft['num'];
  return {
    name: p?.name ?? '',
    description: p?.description ?? '',
    priority: String(p?.priority ?? 100),
    enabled: p?.enabled ?? true,
    scope: p?.scope ?? 'provision',
    actions: c.actions ?? [],
    action: p?.action ?? 'require_approval',
    num,
    providerKinds: c.providerKinds ?? [],
    regions: (c.regions ?? []).join(', '),
    projectIds: c.projectIds ?? [],
    templates: c.templates ?? [],
    parameters: (c.parameters ?? []).map((x) => ({ name: x.name, values: x.values.join(', ') })),
    levels: p?.levels.length
      ? p.levels.map((l) => ({ name: l.name, mode: l.mode, approvers: l.approvers, timeoutHours: l.timeoutHours ? String(l.timeoutHours) : '', timeoutAction: l.timeoutAction ?? '' }))
      : [emptyLevel()],
    rejectReason: p?.rejectReason ?? '',
    quotaMode: p?.quotaMode ?? 'hard',
    budgetMode: p?.budgetMode ?? 'hard',
  };
}

const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

/** The draft as the API's policy body; empty inputs are left out, numbers that do not parse are sent as typed so validation names them. */
export function toPolicyInput(d: Draft): PolicyInput {
  const conditions: Record<string, unknown> = {};
  for (const f of NUMBER_FIELDS) {
    // Conditions of the other scope are dropped, not sent (the API refuses them).
    if (!fieldLabel(f, d.scope)) continue;
    const text = d.num[f.key].trim();
    if (text !== '') conditions[f.key] = Number.isFinite(Number(text)) ? Math.round(Number(text) * f.scale * 100) / 100 : text;
  }
  if (d.providerKinds.length) conditions.providerKinds = d.providerKinds;
  if (list(d.regions).length) conditions.regions = list(d.regions);
  if (d.projectIds.length) conditions.projectIds = d.projectIds;
  if (d.templates.length) conditions.templates = d.templates;
  if (d.scope === 'vm_action' && d.actions.length) conditions.actions = d.actions;
  const params = d.scope === 'provision' ? d.parameters.filter((x) => x.name.trim() || x.values.trim()) : [];
  if (params.length) conditions.parameters = params.map((x) => ({ name: x.name.trim(), values: list(x.values) }));
  return {
    name: d.name,
    description: d.description,
    priority: Number(d.priority),
    enabled: d.enabled,
    scope: d.scope,
    action: d.action,
    conditions: conditions as PolicyInput['conditions'],
    levels:
      d.action === 'require_approval'
        ? d.levels.map((l) => ({
            name: l.name,
            mode: l.mode,
            approvers: l.approvers,
            timeoutHours: l.timeoutHours.trim() === '' ? null : Number(l.timeoutHours),
            timeoutAction: l.timeoutHours.trim() === '' || l.timeoutAction === '' ? null : l.timeoutAction,
          }))
        : [],
    rejectReason: d.action === 'reject' ? d.rejectReason : '',
    quotaMode: d.quotaMode,
    budgetMode: d.budgetMode,
  };
}

function CheckboxGroup({ legend, options, value, onChange, error }: { legend: string; options: Option[]; value: string[]; onChange: (v: string[]) => void; error?: string }) {
  return (
    <fieldset className="min-w-0">
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <div className="mt-1 flex max-h-40 flex-wrap gap-x-4 gap-y-1 overflow-y-auto">
        {options.length === 0 && <span className="text-xs text-slate-600">None available</span>}
        {options.map((o) => (
          <label key={o.id} className="flex items-center gap-1.5 text-sm">
            <input type="checkbox" checked={value.includes(o.id)} onChange={(e) => onChange(e.target.checked ? [...value, o.id] : value.filter((x) => x !== o.id))} />
            {o.label}
          </label>
        ))}
      </div>
      <p className="text-xs text-slate-600">None ticked = any.</p>
      {error && <p className="text-xs font-medium text-red-700">{error}</p>}
    </fieldset>
  );
}

function ApproverRow({ value, users, onChange, onRemove, idBase, error }: { value: ApproverSpec; users: Option[]; onChange: (a: ApproverSpec) => void; onRemove?: () => void; idBase: string; error?: string }) {
  return (
    <div className="flex flex-wrap items-end gap-2">
      <div>
        <label htmlFor={`${idBase}-type`} className="block text-xs font-medium text-slate-700">Approver</label>
        <select
          id={`${idBase}-type`}
          value={value.type}
          className={inputClass}
          onChange={(e) => {
            const t = e.target.value as ApproverSpec['type'];
            onChange(t === 'user' ? { type: 'user', userId: users[0]?.id ?? '' } : t === 'role' ? { type: 'role', role: 'admin' } : { type: t });
          }}
        >
          <option value="project_owner">The project’s owner</option>
          <option value="project_approvers">The project’s approvers</option>
          <option value="role">Everyone with a role</option>
          <option value="user">A named user</option>
        </select>
      </div>
      {value.type === 'user' && (
        <div>
          <label htmlFor={`${idBase}-user`} className="block text-xs font-medium text-slate-700">User</label>
          <select value={value.userId} className={inputClass} onChange={(e) => onChange({ type: 'user', userId: e.target.value })} {...fieldProps(`${idBase}-user`, { error })}>
            {users.map((u) => (
              <option key={u.id} value={u.id}>{u.label}</option>
            ))}
          </select>
        </div>
      )}
      {value.type === 'role' && (
        <div>
          <label htmlFor={`${idBase}-role`} className="block text-xs font-medium text-slate-700">Role</label>
          <select id={`${idBase}-role`} value={value.role} className={inputClass} onChange={(e) => onChange({ type: 'role', role: e.target.value as 'approver' | 'admin' | 'requester' })}>
            <option value="approver">approver</option>
            <option value="admin">admin</option>
          </select>
        </div>
      )}
      {onRemove && (
        <button type="button" onClick={onRemove} className="mb-1 text-xs text-red-700 underline">
          Remove approver
        </button>
      )}
      {error && <p className="w-full text-xs font-medium text-red-700">{error}</p>}
    </div>
  );
}

export function PolicyForm({
  action,
  policy,
  users,
  projects,
  templates,
  otherPolicies,
}: {
  action: Action;
  policy: PolicyView | null;
  users: Option[];
  projects: Option[];
  templates: Option[];
  /** The other stored policies, so "simulate" replays the whole set with this one changed. */
  otherPolicies: PolicyInput[];
}) {
  const [state, formAction] = useActionState(action, null);
  const [d, setD] = useState<Draft>(() => toDraft(policy));
  const [sim, setSim] = useState<SimulationResult | null>(null);
  const [simError, setSimError] = useState<string | null>(null);
  const [simPending, startSim] = useTransition();
  const id = useId();
  const e = state && !state.ok ? state.errors : {};
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setD((x) => ({ ...x, [key]: value }));
  const setLevel = (i: number, patch: Partial<LevelDraft>) => setD((x) => ({ ...x, levels: x.levels.map((l, j) => (j === i ? { ...l, ...patch } : l)) }));
  const payload = JSON.stringify(toPolicyInput(d));

  function simulate() {
    startSim(async () => {
      const r = await runSimulation(JSON.stringify([...otherPolicies, toPolicyInput(d)]), 100);
      if (r.ok) {
        setSim(r.result);
        setSimError(null);
      } else {
        setSim(null);
        setSimError([r.message, ...Object.entries(r.errors).map(([f, m]) => `${f}: ${m}`)].join(' '));
      }
    });
  }

  return (
    <form action={formAction} noValidate className="space-y-6" aria-label={policy ? `Edit policy ${policy.name}` : 'New policy'}>
      <input type="hidden" name="policy" value={payload} />
      <section className="grid gap-4 sm:grid-cols-2">
        <Field id={`${id}-name`} label="Name" required error={e.name}>
          <input value={d.name} onChange={(ev) => set('name', ev.target.value)} maxLength={100} className={inputClass} {...fieldProps(`${id}-name`, { error: e.name })} />
        </Field>
        <Field id={`${id}-priority`} label="Priority" error={e.priority} hint="Lower runs first; the first matching enabled policy decides.">
          <input type="number" min={0} max={100000} value={d.priority} onChange={(ev) => set('priority', ev.target.value)} className={inputClass} {...fieldProps(`${id}-priority`, { error: e.priority, hint: true })} />
        </Field>
        <Field id={`${id}-desc`} label="Description" error={e.description} className="sm:col-span-2">
          <textarea rows={2} value={d.description} onChange={(ev) => set('description', ev.target.value)} maxLength={1000} className={inputClass} {...fieldProps(`${id}-desc`, { error: e.description })} />
        </Field>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={d.enabled} onChange={(ev) => set('enabled', ev.target.checked)} /> Enabled
        </label>
        <fieldset className="sm:col-span-2">
          <legend className="text-sm font-medium text-slate-800">Applies to</legend>
          <div className="mt-1 flex flex-wrap gap-4">
            {(
              [
                ['provision', 'New requests'],
                ['vm_action', 'Day-2 actions on VMs (start, stop, reboot, resize, delete, lease extension)'],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className="flex items-center gap-2 text-sm">
                <input type="radio" name="scope" checked={d.scope === value} onChange={() => set('scope', value)} /> {label}
              </label>
            ))}
          </div>
          {e.scope && <p className="text-xs font-medium text-red-700">{e.scope}</p>}
        </fieldset>
      </section>

      <fieldset className="rounded-lg border border-slate-200 p-4">
        <legend className="px-1 text-sm font-semibold">Conditions (all must hold; empty = {d.scope === 'vm_action' ? 'any day-2 action' : 'any request'})</legend>
        {e.conditions && <p className="text-xs font-medium text-red-700">{e.conditions}</p>}
        {d.scope === 'vm_action' && (
          <div className="mb-4">
            <CheckboxGroup legend="Actions" options={ACTION_OPTIONS} value={d.actions} onChange={(v) => set('actions', v)} error={e['conditions/actions']} />
            <p className="mt-1 text-xs text-slate-600">
              vCPU and RAM are the VM’s after the action (the new size for a resize); the price change is new − old monthly price. A lease extension beyond the maximum lease always needs approval.
            </p>
          </div>
        )}
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {NUMBER_FIELDS.filter((f) => fieldLabel(f, d.scope)).map((f) => (
            <Field key={f.key} id={`${id}-${f.key}`} label={fieldLabel(f, d.scope)!} error={e[`conditions/${f.key}`]}>
              <input
                type="number"
                min={f.min}
                step="any"
                value={d.num[f.key]}
                onChange={(ev) => set('num', { ...d.num, [f.key]: ev.target.value })}
                className={inputClass}
                {...fieldProps(`${id}-${f.key}`, { error: e[`conditions/${f.key}`] })}
              />
            </Field>
          ))}
        </div>
        <div className="mt-4 grid gap-4 lg:grid-cols-2">
          <CheckboxGroup legend="Providers" options={PROVIDERS} value={d.providerKinds} onChange={(v) => set('providerKinds', v)} error={e['conditions/providerKinds']} />
          <Field id={`${id}-regions`} label="Regions" hint="Region codes, comma-separated (e.g. eu-west-1, westeurope). Empty = any." error={e['conditions/regions']}>
            <input value={d.regions} onChange={(ev) => set('regions', ev.target.value)} className={inputClass} {...fieldProps(`${id}-regions`, { error: e['conditions/regions'], hint: true })} />
          </Field>
          <CheckboxGroup legend="Projects" options={projects} value={d.projectIds} onChange={(v) => set('projectIds', v)} error={e['conditions/projectIds'] ?? e['conditions/projectIds/0']} />
          <CheckboxGroup legend="Templates" options={templates} value={d.templates} onChange={(v) => set('templates', v)} error={e['conditions/templates']} />
        </div>
        <div className={d.scope === 'provision' ? 'mt-4 space-y-2' : 'hidden'}>
          <p className="text-sm font-medium">Template parameters (e.g. environment is prod)</p>
          {d.parameters.map((p, i) => (
            <div key={i} className="flex flex-wrap items-end gap-2">
              <Field id={`${id}-pn-${i}`} label="Parameter" error={e[`conditions/parameters/${i}/name`]}>
                <input value={p.name} onChange={(ev) => set('parameters', d.parameters.map((x, j) => (j === i ? { ...x, name: ev.target.value } : x)))} className={inputClass} {...fieldProps(`${id}-pn-${i}`, { error: e[`conditions/parameters/${i}/name`] })} />
              </Field>
              <Field id={`${id}-pv-${i}`} label="is one of (comma-separated)" error={e[`conditions/parameters/${i}/values`]}>
                <input value={p.values} onChange={(ev) => set('parameters', d.parameters.map((x, j) => (j === i ? { ...x, values: ev.target.value } : x)))} className={inputClass} {...fieldProps(`${id}-pv-${i}`, { error: e[`conditions/parameters/${i}/values`] })} />
              </Field>
              <button type="button" className="mb-1 text-xs text-red-700 underline" onClick={() => set('parameters', d.parameters.filter((_, j) => j !== i))}>
                Remove
              </button>
            </div>
          ))}
          {d.parameters.length < 10 && (
            <button type="button" className="text-sm text-link dark:text-brand-100 underline" onClick={() => set('parameters', [...d.parameters, { name: 'environment', values: '' }])}>
              Add a parameter condition
            </button>
          )}
        </div>
      </fieldset>

      <fieldset className="rounded-lg border border-slate-200 p-4">
        <legend className="px-1 text-sm font-semibold">Outcome</legend>
        <div className="flex flex-wrap gap-4">
          {(
            [
              ['auto_approve', 'Auto-approve'],
              ['require_approval', 'Approval chain'],
              ['reject', 'Reject'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="flex items-center gap-2 text-sm">
              <input type="radio" name="outcome" checked={d.action === value} onChange={() => set('action', value)} /> {label}
            </label>
          ))}
        </div>
        {d.action === 'reject' && (
          <Field id={`${id}-reason`} label="Reason shown to the requester" required error={e.rejectReason} className="mt-3">
            <input value={d.rejectReason} onChange={(ev) => set('rejectReason', ev.target.value)} maxLength={500} className={inputClass} {...fieldProps(`${id}-reason`, { error: e.rejectReason })} />
          </Field>
        )}
        {d.action === 'require_approval' && (
          <ol className="mt-3 space-y-3" aria-label="Approval levels in order">
            {e.levels && <p className="text-xs font-medium text-red-700">{e.levels}</p>}
            {d.levels.map((l, i) => (
              <li key={i} className="rounded-md border border-slate-200 p-3">
                <div className="flex flex-wrap items-end gap-3">
                  <span className="mb-1.5 text-sm font-semibold">Level {i + 1}</span>
                  <Field id={`${id}-l${i}-name`} label="Name" error={e[`levels/${i}/name`]}>
                    <input value={l.name} onChange={(ev) => setLevel(i, { name: ev.target.value })} maxLength={100} className={inputClass} {...fieldProps(`${id}-l${i}-name`, { error: e[`levels/${i}/name`] })} />
                  </Field>
                  <Field id={`${id}-l${i}-mode`} label="Decided by">
                    <select value={l.mode} onChange={(ev) => setLevel(i, { mode: ev.target.value as 'any' | 'all' })} className={inputClass} id={`${id}-l${i}-mode`}>
                      <option value="any">any one approver</option>
                      <option value="all">all approvers</option>
                    </select>
                  </Field>
                  <Field id={`${id}-l${i}-th`} label="Timeout (hours)" error={e[`levels/${i}/timeoutHours`]}>
                    <input type="number" min={1} max={8760} value={l.timeoutHours} onChange={(ev) => setLevel(i, { timeoutHours: ev.target.value })} className={`${inputClass} w-28`} {...fieldProps(`${id}-l${i}-th`, { error: e[`levels/${i}/timeoutHours`] })} />
                  </Field>
                  {l.timeoutHours.trim() !== '' && (
                    <Field id={`${id}-l${i}-ta`} label="Then" error={e[`levels/${i}/timeoutAction`]}>
                      <select value={l.timeoutAction} onChange={(ev) => setLevel(i, { timeoutAction: ev.target.value as LevelDraft['timeoutAction'] })} className={inputClass} {...fieldProps(`${id}-l${i}-ta`, { error: e[`levels/${i}/timeoutAction`] })}>
                        <option value="">choose…</option>
                        <option value="auto_approve">auto-approve</option>
                        <option value="reject">reject</option>
                        <option value="escalate">escalate to the next level</option>
                      </select>
                    </Field>
                  )}
                </div>
                <div className="mt-2 space-y-2">
                  {l.approvers.map((a, ai) => (
                    <ApproverRow
                      key={ai}
                      idBase={`${id}-l${i}-a${ai}`}
                      value={a}
                      users={users}
                      error={e[`levels/${i}/approvers/${ai}/userId`]}
                      onChange={(next) => setLevel(i, { approvers: l.approvers.map((x, j) => (j === ai ? next : x)) })}
                      onRemove={l.approvers.length > 1 ? () => setLevel(i, { approvers: l.approvers.filter((_, j) => j !== ai) }) : undefined}
                    />
                  ))}
                  {e[`levels/${i}/approvers`] && <p className="text-xs font-medium text-red-700">{e[`levels/${i}/approvers`]}</p>}
                  <div className="flex flex-wrap gap-4">
                    <button type="button" className="text-sm text-link dark:text-brand-100 underline" onClick={() => setLevel(i, { approvers: [...l.approvers, { type: 'role', role: 'approver' }] })}>
                      Add approver
                    </button>
                    {i > 0 && (
                      <button type="button" className="text-sm underline" onClick={() => setD((x) => ({ ...x, levels: [...x.levels.slice(0, i - 1), x.levels[i]!, x.levels[i - 1]!, ...x.levels.slice(i + 1)] }))}>
                        Move up
                      </button>
                    )}
                    {d.levels.length > 1 && (
                      <button type="button" className="text-sm text-red-700 underline" onClick={() => setD((x) => ({ ...x, levels: x.levels.filter((_, j) => j !== i) }))}>
                        Remove level
                      </button>
                    )}
                  </div>
                </div>
              </li>
            ))}
            {d.levels.length < 10 && (
              <li>
                <button type="button" className="text-sm text-link dark:text-brand-100 underline" onClick={() => setD((x) => ({ ...x, levels: [...x.levels, { ...emptyLevel(), name: 'Cloud governance', approvers: [{ type: 'role', role: 'admin' }] }] }))}>
                  Add level
                </button>
              </li>
            )}
          </ol>
        )}
      </fieldset>

      <fieldset className="grid gap-4 rounded-lg border border-slate-200 p-4 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">Quota and budget overruns</legend>
        {(
          [
            ['quotaMode', d.scope === 'vm_action' ? 'When a resize exceeds the project quota' : 'When the request exceeds the project quota'],
            ['budgetMode', "When it takes the project over this month's budget"],
          ] as const
        )
          // Day-2 actions are checked against the quota only.
          .filter(([key]) => d.scope === 'provision' || key === 'quotaMode')
          .map(([key, label]) => (
          <Field key={key} id={`${id}-${key}`} label={label}>
            <select id={`${id}-${key}`} value={d[key]} onChange={(ev) => set(key, ev.target.value as 'hard' | 'soft')} className={inputClass}>
              <option value="hard">hard: reject</option>
              <option value="soft">soft: route to approval</option>
            </select>
          </Field>
        ))}
      </fieldset>

      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingLabel="Saving…">{policy ? 'Save policy' : 'Create policy'}</SubmitButton>
        <button type="button" onClick={simulate} disabled={simPending} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-60">
          {simPending ? 'Simulating…' : 'Simulate against the last 100 requests'}
        </button>
        <FormMessage state={state} />
      </div>
      {simError && <p className="text-sm text-red-700" role="alert">{simError}</p>}
      {sim && <SimulationTable result={sim} />}
    </form>
  );
}
