// PropertyCollector helpers: RetrievePropertiesEx / ContinueRetrievePropertiesEx (server-side
// paging via maxObjects → token), ContainerView traversal, single-object reads, task polling.
import { isProviderError, ProviderError } from '../../errors';
import type { VimClient } from './client';
import { faultToProviderError, parseLocalizedFault } from '../errors';
import { child, childrenNamed, element, moRefElement, type MoRef, textElement, toMoRef, type XmlNode } from './xml';

export interface ObjectContent {
  obj: MoRef;
  /** Property path → `<val>` node (xsi:type on the node). */
  props: Map<string, XmlNode>;
}

export interface RetrievePage {
  objects: ObjectContent[];
  /** Present when the server holds more results for ContinueRetrievePropertiesEx. */
  token?: string;
}

export function propertySpecXml(type: string, paths: readonly string[]): string {
  return element(
    'propSet',
    textElement('type', type) + textElement('all', false) + paths.map((p) => textElement('pathSet', p)).join(''),
  );
}

/** ObjectSpec that starts at a ContainerView and selects everything in its `view`. */
export function containerViewObjectSpecXml(view: MoRef): string {
  const traversal = element(
    'selectSet',
    textElement('name', 'traverseView') + textElement('type', 'ContainerView') + textElement('path', 'view') + textElement('skip', false),
    { 'xsi:type': 'TraversalSpec' },
  );
  return element('objectSet', moRefElement('obj', view) + textElement('skip', true) + traversal);
}

export function objectSpecXml(obj: MoRef): string {
  return element('objectSet', moRefElement('obj', obj) + textElement('skip', false));
}

function parseObjectContent(node: XmlNode): ObjectContent | null {
  const obj = toMoRef(child(node, 'obj'));
  if (!obj) return null;
  const props = new Map<string, XmlNode>();
  for (const prop of childrenNamed(node, 'propSet')) {
    const name = child(prop, 'name')?.text;
    const val = child(prop, 'val');
    if (name && val) props.set(name, val);
  }
  return { obj, props };
}

function parseRetrieveResult(response: XmlNode): RetrievePage {
  const result = child(response, 'returnval');
  if (!result) return { objects: [] };
  const objects = childrenNamed(result, 'objects')
    .map(parseObjectContent)
    .filter((o): o is ObjectContent => o !== null);
  const token = child(result, 'token')?.text;
  return { objects, token: token || undefined };
}

export class PropertyCollector {
  constructor(private readonly client: VimClient) {}

  private async collector(): Promise<MoRef> {
    return (await this.client.serviceContent()).propertyCollector;
  }

  async retrieve(propSetsXml: string, objectSetsXml: string, maxObjects?: number): Promise<RetrievePage> {
    const options = maxObjects ? element('options', textElement('maxObjects', maxObjects)) : element('options', '');
    const response = await this.client.invoke(
      'RetrievePropertiesEx',
      await this.collector(),
      element('specSet', propSetsXml + objectSetsXml) + options,
    );
    return parseRetrieveResult(response);
  }

  async continueRetrieve(token: string): Promise<RetrievePage> {
    const response = await this.client.invoke('ContinueRetrievePropertiesEx', await this.collector(), textElement('token', token));
    return parseRetrieveResult(response);
  }

  /** Every page of a retrieval, concatenated (for small sets: datacenters, templates). */
  async retrieveAll(propSetsXml: string, objectSetsXml: string): Promise<ObjectContent[]> {
    let page = await this.retrieve(propSetsXml, objectSetsXml);
    const all = [...page.objects];
    while (page.token) {
      page = await this.continueRetrieve(page.token);
      all.push(...page.objects);
    }
    return all;
  }

  /** Properties of one object; null when it does not exist (any more). */
  async read(obj: MoRef, paths: readonly string[]): Promise<ObjectContent | null> {
    try {
      const page = await this.retrieve(propertySpecXml(obj.type, paths), objectSpecXml(obj));
      return page.objects[0] ?? null;
    } catch (error) {
      if (isProviderError(error) && error.providerCode === 'ManagedObjectNotFound') return null;
      throw error;
    }
  }

  async createContainerView(container: MoRef, types: readonly string[], recursive = true): Promise<MoRef> {
    const { viewManager } = await this.client.serviceContent();
    const response = await this.client.invoke(
      'CreateContainerView',
      viewManager,
      moRefElement('container', container) + types.map((t) => textElement('type', t)).join('') + textElement('recursive', recursive),
    );
    const view = toMoRef(child(response, 'returnval'));
    if (!view) throw new ProviderError('invalid_request', 'CreateContainerView returned no view');
    return view;
  }

  async destroyView(view: MoRef): Promise<void> {
    try {
      await this.client.invoke('DestroyView', view);
    } catch (error) {
      // A view dies with its session; a vanished view is what we wanted anyway.
      if (!(isProviderError(error) && error.code === 'not_found')) throw error;
    }
  }

  /** All objects of the given type under `container`, with `paths`, through a temporary view. */
  async listUnder(container: MoRef, type: string, paths: readonly string[]): Promise<ObjectContent[]> {
    const view = await this.createContainerView(container, [type]);
    try {
      return await this.retrieveAll(propertySpecXml(type, paths), containerViewObjectSpecXml(view));
    } finally {
      await this.destroyView(view).catch(() => undefined);
    }
  }

  /**
   * Poll a Task's `info` until success or error (queued → running → success|error). Returns the
   * `info.result` node on success; throws the task's fault as a ProviderError on error.
   */
  async waitForTask(task: MoRef, options: { pollIntervalMs: number; timeoutMs: number }): Promise<XmlNode | undefined> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const content = await this.read(task, ['info']);
      if (!content) throw new ProviderError('not_found', `task ${task.value} disappeared before it finished`);
      const info = content.props.get('info');
      const state = child(info, 'state')?.text;
      if (state === 'success') return child(info, 'result');
      if (state === 'error') {
        const error = child(info, 'error');
        throw faultToProviderError(error ? parseLocalizedFault(error) : { type: 'SystemError', message: 'task failed' });
      }
      if (Date.now() > deadline) {
        throw new ProviderError('unavailable', `task ${task.value} still ${state ?? 'unknown'} after ${options.timeoutMs} ms`, {
          providerCode: 'TaskTimeout',
          providerMessage: `task ${task.value} in state ${state ?? 'unknown'}`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs));
    }
  }
}

// ---- value decoding (xsi:type aware) ----

export function textOf(val: XmlNode | undefined): string | undefined {
  return val?.text;
}

export function intOf(val: XmlNode | undefined): number | undefined {
  if (!val) return undefined;
  const parsed = Number.parseInt(val.text, 10);
  return Number.isFinite(parsed) ? parsed : undefined;
}

export function boolOf(val: XmlNode | undefined): boolean | undefined {
  if (!val) return undefined;
  return val.text.trim() === 'true';
}

/** Items of an ArrayOfManagedObjectReference (or a single MoRef value). */
export function moRefsOf(val: XmlNode | undefined): MoRef[] {
  if (!val) return [];
  const single = toMoRef(val);
  if (single && val.children.length === 0) return [single];
  return val.children.map(toMoRef).filter((r): r is MoRef => r !== undefined);
}

/** customValue: ArrayOfCustomFieldValue with CustomFieldStringValue items (key, value). */
export function customValuesOf(val: XmlNode | undefined): Map<number, string> {
  const values = new Map<number, string>();
  for (const item of val?.children ?? []) {
    if (item.xsiType && item.xsiType !== 'CustomFieldStringValue') continue;
    const key = Number.parseInt(child(item, 'key')?.text ?? '', 10);
    const value = child(item, 'value')?.text;
    if (Number.isFinite(key) && value !== undefined) values.set(key, value);
  }
  return values;
}

/** CustomFieldsManager.field: ArrayOfCustomFieldDef. */
export function customFieldDefsOf(val: XmlNode | undefined): { key: number; name: string; moType?: string }[] {
  return (val?.children ?? []).flatMap((def) => {
    const key = Number.parseInt(child(def, 'key')?.text ?? '', 10);
    const name = child(def, 'name')?.text;
    if (!Number.isFinite(key) || !name) return [];
    return [{ key, name, moType: child(def, 'managedObjectType')?.text || undefined }];
  });
}

export function taskRefOf(response: XmlNode): MoRef {
  const task = toMoRef(child(response, 'returnval'));
  if (!task) throw new ProviderError('invalid_request', `${response.name} returned no Task`);
  return task;
}

