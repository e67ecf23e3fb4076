// The emulator's PropertyCollector: ObjectSpec + TraversalSpec selection (incl. named
// SelectionSpec references), PropertySpec filtering by type, paging by maxObjects with a token.
import { randomUUID } from 'node:crypto';
import { child, childrenNamed, childText, toMoRef, type MoRef, type XmlNode } from '../soap/xml';
import { isA } from './state';
import { faults, moRef, text, valElement, type WireValue } from './wire';

export interface ObjectSource {
  /** Type of an existing object, undefined when it does not exist. */
  typeOf(id: string): string | undefined;
  /** Value of a property path; undefined = unset; throws VimFault InvalidProperty. */
  property(ref: MoRef, path: string): WireValue | undefined;
  /** Default property list for `all: true`. */
  allPaths(type: string): string[];
}

interface PropertySpec {
  type: string;
  all: boolean;
  paths: string[];
}

interface TraversalSpec {
  name?: string;
  type?: string;
  path?: string;
  skip: boolean;
  selectSet: XmlNode[];
}

interface Cursor {
  sessionKey: string;
  refs: MoRef[];
  specs: PropertySpec[];
  offset: number;
  pageSize: number;
}

function parseTraversal(node: XmlNode): TraversalSpec {
  return {
    name: childText(node, 'name'),
    type: childText(node, 'type'),
    path: childText(node, 'path'),
    skip: childText(node, 'skip') === 'true',
    selectSet: childrenNamed(node, 'selectSet'),
  };
}

function moRefsIn(value: WireValue | undefined): MoRef[] {
  if (!value) return [];
  if (value.xsiType === 'ManagedObjectReference' && value.attrs?.type) return [{ type: value.attrs.type, value: value.inner }];
  if (value.xsiType !== 'ArrayOfManagedObjectReference') return [];
  const refs: MoRef[] = [];
  for (const match of value.inner.matchAll(/<ManagedObjectReference type="([^"]+)"[^>]*>([^<]*)<\/ManagedObjectReference>/g)) {
    refs.push({ type: match[1]!, value: match[2]! });
  }
  return refs;
}

export class EmulatedPropertyCollector {
  private readonly cursors = new Map<string, Cursor>();

  constructor(
    private readonly source: ObjectSource,
    private readonly maxPageSize: number,
  ) {}

  /** Select objects per the specSet; throws ManagedObjectNotFound for a missing ObjectSpec.obj. */
  private select(specSets: XmlNode[]): { refs: MoRef[]; specs: PropertySpec[] } {
    const specs: PropertySpec[] = [];
    const seen = new Set<string>();
    const refs: MoRef[] = [];
    const add = (ref: MoRef) => {
      const key = `${ref.type}:${ref.value}`;
      if (!seen.has(key)) {
        seen.add(key);
        refs.push(ref);
      }
    };
    for (const specSet of specSets) {
      for (const propSet of childrenNamed(specSet, 'propSet')) {
        specs.push({
          type: childText(propSet, 'type') ?? '',
          all: childText(propSet, 'all') === 'true',
          paths: childrenNamed(propSet, 'pathSet').map((p) => p.text),
        });
      }
      for (const objectSet of childrenNamed(specSet, 'objectSet')) {
        const start = toMoRef(child(objectSet, 'obj'));
        if (!start) throw faults.invalidArgument('specSet.objectSet.obj');
        const type = this.source.typeOf(start.value);
        if (!type) throw faults.notFound(start);
        const startRef = { type, value: start.value };
        const named = new Map<string, TraversalSpec>();
        const collectNamed = (nodes: XmlNode[]) => {
          for (const node of nodes) {
            const spec = parseTraversal(node);
            if (spec.name && spec.path && !named.has(spec.name)) {
              named.set(spec.name, spec);
              collectNamed(spec.selectSet);
            }
          }
        };
        const topSelect = childrenNamed(objectSet, 'selectSet');
        collectNamed(topSelect);
        if (childText(objectSet, 'skip') !== 'true') add(startRef);
        const visited = new Set<string>();
        const traverse = (ref: MoRef, selectSet: XmlNode[]) => {
          for (const node of selectSet) {
            let spec = parseTraversal(node);
            if (!spec.path && spec.name) spec = named.get(spec.name) ?? spec;
            if (!spec.path || !spec.type || !isA(ref.type, spec.type)) continue;
            const visitKey = `${ref.value}/${spec.name ?? spec.path}`;
            if (visited.has(visitKey)) continue;
            visited.add(visitKey);
            for (const target of moRefsIn(this.source.property(ref, spec.path))) {
              if (!spec.skip) add(target);
              traverse(target, spec.selectSet);
            }
          }
        };
        traverse(startRef, topSelect);
      }
    }
    return { refs, specs };
  }

  private objectContent(ref: MoRef, specs: PropertySpec[]): string | null {
    const matching = specs.filter((s) => isA(ref.type, s.type));
    if (matching.length === 0) return null;
    if (!this.source.typeOf(ref.value)) return null; // deleted between pages
    const paths = new Set<string>();
    for (const spec of matching) for (const p of spec.all ? this.source.allPaths(ref.type) : spec.paths) paths.add(p);
    let props = '';
    for (const path of paths) {
      const value = this.source.property(ref, path);
      if (value !== undefined) props += `<propSet>${text('name', path)}${valElement(value)}</propSet>`;
    }
    return `<objects>${moRef('obj', ref)}${props}</objects>`;
  }

  private page(cursor: Cursor, token: string): string {
    const slice = cursor.refs.slice(cursor.offset, cursor.offset + cursor.pageSize);
    cursor.offset += slice.length;
    const done = cursor.offset >= cursor.refs.length;
    if (done) this.cursors.delete(token);
    else this.cursors.set(token, cursor);
    const objects = slice
      .map((ref) => this.objectContent(ref, cursor.specs))
      .filter((o): o is string => o !== null)
      .join('');
    if (!objects && done) return '';
    return `<returnval>${done ? '' : text('token', token)}${objects}</returnval>`;
  }

  retrievePropertiesEx(args: XmlNode, sessionKey: string): string {
    const { refs, specs } = this.select(childrenNamed(args, 'specSet'));
    const requested = Number.parseInt(childText(child(args, 'options'), 'maxObjects') ?? '', 10);
    const pageSize = Math.max(1, Math.min(Number.isFinite(requested) && requested > 0 ? requested : this.maxPageSize, this.maxPageSize));
    // Only objects some PropertySpec asks about are results (vCenter drops the rest).
    const wanted = refs.filter((ref) => specs.some((s) => isA(ref.type, s.type)));
    return this.page({ sessionKey, refs: wanted, specs, offset: 0, pageSize }, randomUUID());
  }

  continueRetrievePropertiesEx(args: XmlNode, sessionKey: string): string {
    const token = childText(args, 'token') ?? '';
    const cursor = this.cursors.get(token);
    if (!cursor || cursor.sessionKey !== sessionKey) throw faults.invalidArgument('token');
    return this.page(cursor, token);
  }

  cancelRetrievePropertiesEx(args: XmlNode, sessionKey: string): void {
    const token = childText(args, 'token') ?? '';
    const cursor = this.cursors.get(token);
    if (!cursor || cursor.sessionKey !== sessionKey) throw faults.invalidArgument('token');
    this.cursors.delete(token);
  }

  dropSession(sessionKey: string): void {
    for (const [token, cursor] of this.cursors) if (cursor.sessionKey === sessionKey) this.cursors.delete(token);
  }
}
