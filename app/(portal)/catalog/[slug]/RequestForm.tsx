'use client';
// The request form: size → project → placement (every allowed placement side by side with its
// monthly estimate, cheapest marked) → count → lease → justification → template parameters. As
// fields change it asks POST /api/v1/estimates for prices, quota, budget and the policy that will
// apply; Save draft / Submit go to POST /api/v1/requests, which re-validates everything.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatMemory } from '@/components/portal/format';
import { Badge } from '@/components/ui/Badge';
import { Field, fieldProps, inputClass } from '@/components/ui/Field';
import type { TemplateParameter } from '@/lib/catalog/schemas';
import type { EstimateResponse } from '@/lib/requests/schemas';

export interface RequestFormTemplate {
  id: string;
  name: string;
  sizes: { name: string; label: string; vcpus: number; memoryMiB: number; diskGiB: number }[];
  parameters: TemplateParameter[];
  defaultLeaseDays: number | null;
  maxLeaseDays: number | null;
}

type ParamValue = string | boolean;
type Problem = { status: number; detail?: string; errors?: { field: string; message: string }[] };

const DAY = 86_400_000;
const money = (amount: string | null | undefined, currency: string) =>
  amount === null || amount === undefined ? '—' : new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(Number(amount));
const fieldKey = (field: string) => field.replace(/^body\//, '');

function initialParameters(defs: TemplateParameter[]): Record<string, ParamValue> {
  return Object.fromEntries(defs.map((p) => [p.name, p.type === 'boolean' ? p.default === true : p.default === undefined ? '' : String(p.default)]));
}

function typedParameters(defs: TemplateParameter[], values: Record<string, ParamValue>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const p of defs) {
    const v = values[p.name];
    if (p.type === 'boolean') out[p.name] = v === true;
    else if (typeof v === 'string' && v.trim() !== '') out[p.name] = p.type === 'number' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

export function RequestForm({
  template,
  projects,
  initialEstimate = null,
}: {
  template: RequestFormTemplate;
  projects: { id: string; name: string; key: string }[];
  /** The server's estimate for the initial fields (first project, first size, 1 VM). */
  initialEstimate?: EstimateResponse | null;
}) {
  const router = useRouter();
  const [size, setSize] = useState(template.sizes[0]?.name ?? '');
  const [projectId, setProjectId] = useState(projects[0]?.id ?? '');
  const [placement, setPlacement] = useState<{ providerAccountId: string; region: string } | null>(initialEstimate?.selected ?? null);
  const [count, setCount] = useState('1');
  const [leaseDays, setLeaseDays] = useState(template.defaultLeaseDays ? String(template.defaultLeaseDays) : '');
  const [justification, setJustification] = useState('');
  const [parameters, setParameters] = useState<Record<string, ParamValue>>(() => initialParameters(template.parameters));
  const [estimate, setEstimate] = useState<EstimateResponse | null>(initialEstimate);
  const [estimating, setEstimating] = useState(false);
  const [estimateError, setEstimateError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'submit' | 'draft' | null>(null);
  const requestSeq = useRef(0);
  // The server already estimated the initial fields; the first effect run has nothing new to ask.
  const skipInitial = useRef(initialEstimate !== null);

  const countNumber = Number(count);
  const countValid = Number.isInteger(countNumber) && countNumber >= 1 && countNumber <= 500;
  const typedParams = useMemo(() => typedParameters(template.parameters, parameters), [template.parameters, parameters]);
  const paramsKey = JSON.stringify(typedParams);

  useEffect(() => {
    if (!projectId || !size || !countValid) return;
    if (skipInitial.current) {
      skipInitial.current = false;
      return;
    }
    const seq = ++requestSeq.current;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      setEstimating(true);
      try {
        const response = await fetch('/api/v1/estimates', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ projectId, templateId: template.id, size, count: countNumber, ...(placement ?? {}), parameters: JSON.parse(paramsKey) as Record<string, unknown> }),
          signal: controller.signal,
        });
        const json = (await response.json()) as EstimateResponse & Problem;
        if (seq !== requestSeq.current) return;
        if (!response.ok) {
          setEstimateError(json.detail ?? 'The estimate failed.');
          return;
        }
        setEstimateError(null);
        setEstimate(json);
        if (json.selected && (!placement || placement.providerAccountId !== json.selected.providerAccountId || placement.region !== json.selected.region)) {
          setPlacement(json.selected);
        }
      } catch (error) {
        if ((error as Error).name !== 'AbortError' && seq === requestSeq.current) setEstimateError('The estimate could not be loaded; check your connection.');
      } finally {
        if (seq === requestSeq.current) setEstimating(false);
      }
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [projectId, size, countNumber, countValid, placement, paramsKey, template.id]);

  async function send(submit: boolean) {
    setBusy(submit ? 'submit' : 'draft');
    setErrors({});
    setFormError(null);
    try {
      const response = await fetch('/api/v1/requests', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          projectId,
          templateId: template.id,
          size,
          providerAccountId: placement?.providerAccountId ?? '',
          region: placement?.region ?? '',
          count: countValid ? countNumber : count,
          leaseDays: leaseDays.trim() === '' ? null : Number(leaseDays),
          justification,
          parameters: typedParams,
          submit,
        }),
      });
      const json = (await response.json()) as { id?: string } & Problem;
      if (response.status === 201 && json.id) {
        router.push(`/requests/${json.id}`);
        return;
      }
      const fieldErrors: Record<string, string> = {};
      for (const e of json.errors ?? []) fieldErrors[fieldKey(e.field)] ??= e.message;
      if (fieldErrors.providerAccountId && !fieldErrors.region) fieldErrors.region = fieldErrors.providerAccountId;
      setErrors(fieldErrors);
      setFormError(json.detail ?? 'The request could not be saved.');
    } catch {
      setFormError('The request could not be sent; check your connection and try again.');
    } finally {
      setBusy(null);
    }
  }

  const selectedPlacement = estimate?.placements.find((p) => p.providerAccountId === placement?.providerAccountId && p.region === placement?.region);
  const leaseUntil = leaseDays && Number(leaseDays) > 0 ? new Date(Date.now() + Number(leaseDays) * DAY).toISOString().slice(0, 10) : '';

  return (
    <form
      className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]"
      onSubmit={(e) => {
        e.preventDefault();
        void send(true);
      }}
      noValidate
    >
      <div className="space-y-6">
        {formError && (
          <p role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800">
            {formError}
          </p>
        )}

        <fieldset>
          <legend className="text-sm font-medium text-slate-800">1. Size</legend>
          <div role="radiogroup" aria-label="Size" className="mt-2 grid gap-2 sm:grid-cols-3">
            {template.sizes.map((s) => (
              <label key={s.name} className={`cursor-pointer rounded-lg border p-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-500 ${size === s.name ? 'border-brand-500 ring-2 ring-brand-500' : 'border-slate-300'}`}>
                <input type="radio" name="size" value={s.name} checked={size === s.name} onChange={() => setSize(s.name)} className="sr-only" />
                <span className="block font-medium">{s.label}</span>
                <span className="block text-xs text-slate-600">
                  {s.vcpus} vCPU · {formatMemory(s.memoryMiB)} RAM · {s.diskGiB} GiB disk
                </span>
              </label>
            ))}
          </div>
          {errors.size && <p className="mt-1 text-xs font-medium text-red-700">{errors.size}</p>}
        </fieldset>

        <Field id="projectId" label="2. Project" error={errors.projectId} required>
          <select {...fieldProps('projectId', { error: errors.projectId })} className={inputClass} value={projectId} onChange={(e) => setProjectId(e.target.value)}>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.key})
              </option>
            ))}
          </select>
        </Field>

        <fieldset aria-describedby={errors.region ? 'placement-error' : undefined}>
          <legend className="text-sm font-medium text-slate-800">3. Placement</legend>
          <p className="text-xs text-slate-500">Every provider account and region this template may run in, with its monthly estimate for {countValid ? countNumber : '…'} VM(s).</p>
          {estimateError && <p role="alert" className="mt-2 text-sm text-red-700">{estimateError}</p>}
          {!estimate && !estimateError && <p className="mt-2 text-sm text-slate-500" role="status">Loading placements and prices…</p>}
          {estimate && estimate.placements.length === 0 && (
            <p className="mt-2 text-sm text-amber-800">No enabled provider account and region is available for this template. Ask an administrator.</p>
          )}
          {estimate && estimate.placements.length > 0 && (
            <div role="radiogroup" aria-label="Placement" className="mt-2 grid gap-2 sm:grid-cols-2 xl:grid-cols-3">
              {estimate.placements.map((p) => {
                const checked = placement?.providerAccountId === p.providerAccountId && placement.region === p.region;
                return (
                  <label
                    key={`${p.providerAccountId}:${p.region}`}
                    data-testid="placement"
                    className={`relative cursor-pointer rounded-lg border p-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand-500 ${checked ? 'border-brand-500 ring-2 ring-brand-500' : 'border-slate-300'}`}
                  >
                    <input
                      type="radio"
                      name="placement"
                      className="sr-only"
                      checked={checked}
                      onChange={() => setPlacement({ providerAccountId: p.providerAccountId, region: p.region })}
                      aria-label={`${p.providerLabel} ${p.providerAccountName} ${p.region}, ${money(p.monthlyCost, p.currency)} per month${p.cheapest ? ', cheapest' : ''}`}
                    />
                    <span className="flex items-start justify-between gap-2">
                      <span className="font-medium">{p.providerLabel}</span>
                      {p.cheapest && <Badge tone="success">Cheapest</Badge>}
                    </span>
                    <span className="block text-xs text-slate-600">
                      {p.providerAccountName} · {p.regionName} ({p.region})
                    </span>
                    <span className="block text-xs text-slate-500">{p.instanceType}</span>
                    <span className="mt-1 block text-base font-semibold tabular-nums">
                      {money(p.monthlyCost, p.currency)}
                      <span className="text-xs font-normal text-slate-500"> /month</span>
                    </span>
                    {p.monthlyCost !== null && p.computeMonthly !== null && (
                      <span className="block text-xs text-slate-500">
                        compute {money(p.computeMonthly, p.currency)} · disk {money(p.diskMonthly, p.currency)}
                      </span>
                    )}
                    {p.monthlyCost === null && <span className="block text-xs text-amber-800">No price in the price book</span>}
                    {p.quotaExceeded && <span className="mt-1 block text-xs font-medium text-red-700">Over the project quota</span>}
                  </label>
                );
              })}
            </div>
          )}
          {errors.region && <p id="placement-error" className="mt-1 text-xs font-medium text-red-700">{errors.region}</p>}
        </fieldset>

        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="count" label="4. Number of VMs" error={errors.count} required hint="1 to 500">
            <input {...fieldProps('count', { error: errors.count, hint: '1 to 500' })} className={inputClass} type="number" min={1} max={500} inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} />
          </Field>
          <Field
            id="leaseDays"
            label="5. Lease (days)"
            error={errors.leaseDays}
            hint={template.maxLeaseDays ? `At most ${template.maxLeaseDays} days${leaseUntil ? ` · until ${leaseUntil}` : ''}` : leaseUntil ? `Until ${leaseUntil}` : 'Empty = no lease'}
          >
            <div className="flex gap-2">
              <input {...fieldProps('leaseDays', { error: errors.leaseDays, hint: 'lease' })} className={inputClass} type="number" min={1} max={template.maxLeaseDays ?? 3650} inputMode="numeric" value={leaseDays} onChange={(e) => setLeaseDays(e.target.value)} />
              <input
                aria-label="Lease until (date)"
                className={inputClass}
                type="date"
                value={leaseUntil}
                min={new Date(Date.now() + DAY).toISOString().slice(0, 10)}
                onChange={(e) => {
                  const until = Date.parse(`${e.target.value}T00:00:00Z`);
                  if (Number.isFinite(until)) setLeaseDays(String(Math.max(1, Math.ceil((until - Date.now()) / DAY))));
                }}
              />
            </div>
          </Field>
        </div>

        <Field id="justification" label="6. Justification" error={errors.justification} hint="Why you need these VMs; approvers see this.">
          <textarea {...fieldProps('justification', { error: errors.justification, hint: 'why' })} className={inputClass} rows={3} maxLength={2000} value={justification} onChange={(e) => setJustification(e.target.value)} />
        </Field>

        {template.parameters.length > 0 && (
          <fieldset className="space-y-4">
            <legend className="text-sm font-medium text-slate-800">7. Parameters</legend>
            {template.parameters.map((p) => {
              const id = `param-${p.name}`;
              const error = errors[`parameters/${p.name}`];
              const value = parameters[p.name];
              const set = (v: ParamValue) => setParameters((prev) => ({ ...prev, [p.name]: v }));
              if (p.type === 'boolean') {
                return (
                  <div key={p.name}>
                    <label className="flex items-center gap-2 text-sm">
                      <input id={id} type="checkbox" checked={value === true} onChange={(e) => set(e.target.checked)} aria-invalid={error ? true : undefined} />
                      {p.label}
                    </label>
                    {error && <p className="mt-1 text-xs font-medium text-red-700">{error}</p>}
                  </div>
                );
              }
              const hint = p.type === 'number' ? [p.min !== undefined ? `min ${p.min}` : '', p.max !== undefined ? `max ${p.max}` : ''].filter(Boolean).join(', ') : p.maxLength ? `at most ${p.maxLength} characters` : undefined;
              return (
                <Field key={p.name} id={id} label={p.label} error={error} required={p.required} hint={hint || undefined}>
                  {p.type === 'enum' ? (
                    <select {...fieldProps(id, { error, hint: hint || undefined })} className={inputClass} value={String(value ?? '')} onChange={(e) => set(e.target.value)}>
                      <option value="">Choose…</option>
                      {(p.options ?? []).map((o) => (
                        <option key={o} value={o}>
                          {o}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      {...fieldProps(id, { error, hint: hint || undefined })}
                      className={inputClass}
                      type={p.type === 'number' ? 'number' : 'text'}
                      min={p.min}
                      max={p.max}
                      maxLength={p.maxLength}
                      value={String(value ?? '')}
                      onChange={(e) => set(e.target.value)}
                    />
                  )}
                </Field>
              );
            })}
          </fieldset>
        )}

        <div className="flex flex-wrap gap-3 border-t border-slate-200 pt-4">
          <button type="submit" disabled={busy !== null} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-brand-700 disabled:cursor-wait disabled:bg-brand-500/60">
            {busy === 'submit' ? 'Submitting…' : 'Submit request'}
          </button>
          <button type="button" disabled={busy !== null} onClick={() => void send(false)} className="rounded-md border border-slate-300 bg-surface px-4 py-2 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 disabled:cursor-wait">
            {busy === 'draft' ? 'Saving…' : 'Save draft'}
          </button>
          <Link href="/catalog" className="rounded-md px-4 py-2 text-sm font-medium text-slate-700 hover:underline">
            Cancel
          </Link>
        </div>
      </div>

      <aside aria-label="Estimate, quota, budget and policy" aria-busy={estimating} className="space-y-4 lg:sticky lg:top-4 lg:self-start">
        <section className="rounded-xl border border-slate-200 bg-surface p-4 shadow-sm">
          <h2 className="text-sm font-semibold">Estimate</h2>
          <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid="estimate-total">
            {selectedPlacement ? money(selectedPlacement.monthlyCost, selectedPlacement.currency) : '—'}
            <span className="text-sm font-normal text-slate-500"> /month</span>
          </p>
          {selectedPlacement && (
            <p className="text-xs text-slate-500">
              {countValid ? countNumber : '?'} × {money(selectedPlacement.monthlyCostPerVm, selectedPlacement.currency)} on {selectedPlacement.providerLabel} {selectedPlacement.region}
            </p>
          )}
          {estimating && <p className="mt-1 text-xs text-slate-500" role="status">Updating…</p>}
        </section>

        <section className="rounded-xl border border-slate-200 bg-surface p-4 shadow-sm" aria-labelledby="quota-heading">
          <h2 id="quota-heading" className="text-sm font-semibold">Quota after this request</h2>
          {!estimate || estimate.quota.lines.length === 0 ? (
            <p className="mt-1 text-xs text-slate-500">{estimate ? 'This project has no quota.' : '…'}</p>
          ) : (
            <ul className="mt-2 space-y-2 text-xs" data-testid="quota">
              {estimate.quota.lines.map((l) => (
                <li key={`${l.scope}-${l.resource}`}>
                  <span className="flex justify-between gap-2">
                    <span>{l.name}</span>
                    <span className={`tabular-nums ${l.exceeded ? 'font-semibold text-red-700' : ''}`}>
                      {l.after} / {l.limit}
                    </span>
                  </span>
                  <span className="mt-1 block h-1.5 overflow-hidden rounded bg-slate-200" aria-hidden>
                    <span className={`block h-full ${l.exceeded ? 'bg-red-600' : 'bg-brand-500'}`} style={{ width: `${Math.min(100, (l.after / Math.max(l.limit, 1)) * 100)}%` }} />
                  </span>
                  <span className="text-slate-500">{l.exceeded ? `${-l.remaining} over the limit` : `${l.remaining} left`}</span>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="rounded-xl border border-slate-200 bg-surface p-4 shadow-sm" aria-labelledby="budget-heading">
          <h2 id="budget-heading" className="text-sm font-semibold">Budget this month</h2>
          {estimate ? (
            <dl className="mt-2 grid grid-cols-[1fr_auto] gap-x-2 gap-y-1 text-xs" data-testid="budget">
              <dt title="Monthly run-rate of the project's live VMs plus requests still in flight">Committed (VMs + in flight)</dt>
              <dd className="text-right tabular-nums">{money(estimate.budget.committed, estimate.budget.currency)}</dd>
              <dt>This request</dt>
              <dd className="text-right tabular-nums">{money(estimate.budget.request, estimate.budget.currency)}</dd>
              <dt className="font-medium">After</dt>
              <dd className={`text-right font-medium tabular-nums ${estimate.budget.exceeded ? 'text-red-700' : ''}`}>{money(estimate.budget.after, estimate.budget.currency)}</dd>
              <dt>Budget</dt>
              <dd className="text-right tabular-nums">{estimate.budget.budget === null ? 'none set' : money(estimate.budget.budget, estimate.budget.currency)}</dd>
              {estimate.budget.exceeded && <dd className="col-span-2 font-medium text-red-700">Over budget by {money(String(-Number(estimate.budget.remaining)), estimate.budget.currency)}</dd>}
              {estimate.budget.forecastMonthEnd !== null && Number(estimate.budget.forecastMonthEnd) > 0 && (
                <dd className="col-span-2 mt-1 text-slate-500">
                  Billing (all services): {money(estimate.budget.actualMonthToDate, estimate.budget.currency)} so far, forecast {money(estimate.budget.forecastMonthEnd, estimate.budget.currency)}
                </dd>
              )}
            </dl>
          ) : (
            <p className="mt-1 text-xs text-slate-500">…</p>
          )}
        </section>

        <section className="rounded-xl border border-slate-200 bg-surface p-4 shadow-sm" aria-labelledby="policy-heading" aria-live="polite">
          <h2 id="policy-heading" className="text-sm font-semibold">What happens on submit</h2>
          {estimate?.policy ? (
            <div className="mt-2 text-sm" data-testid="policy">
              <Badge tone={estimate.policy.outcome === 'auto_approve' ? 'success' : estimate.policy.outcome === 'reject' ? 'danger' : 'warning'}>
                {estimate.policy.outcome === 'auto_approve' ? 'Auto-approved' : estimate.policy.outcome === 'reject' ? 'Will be rejected' : 'Needs approval'}
              </Badge>
              <p className="mt-2">{estimate.policy.summary.charAt(0).toUpperCase() + estimate.policy.summary.slice(1)}</p>
              <p className="mt-1 text-xs text-slate-500">{estimate.policy.reason}</p>
            </div>
          ) : (
            <p className="mt-1 text-xs text-slate-500">…</p>
          )}
        </section>
      </aside>
    </form>
  );
}
