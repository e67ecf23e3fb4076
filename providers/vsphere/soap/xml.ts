// Minimal XML layer for vim25 SOAP: escaping, element builders, and a namespace-aware node tree
// parsed with fast-xml-parser. vim25 needs element order and repeated elements preserved (arrays
// are repeated elements) and must tell a MoRef's `type` attribute apart from `xsi:type`, so the
// parser runs in preserveOrder mode and we keep attribute prefixes.
import { XMLParser } from 'fast-xml-parser';

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const SOAPENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const VIM25_NS = 'urn:vim25';

export interface XmlNode {
  /** Local name, namespace prefix removed. */
  name: string;
  /** Unprefixed attributes (e.g. a MoRef's `type`). */
  attrs: Record<string, string>;
  /** Local part of `xsi:type` when present (`xsd:int` → `int`, `VirtualMachine` stays). */
  xsiType?: string;
  children: XmlNode[];
  /** Concatenated text content (entities decoded). */
  text: string;
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name attrs>content</name>`; `content` is already-serialized XML. */
export function element(name: string, content: string, attrs: Record<string, string> = {}): string {
  let open = name;
  for (const [key, value] of Object.entries(attrs)) open += ` ${key}="${escapeXml(value)}"`;
  return `<${open}>${content}</${name}>`;
}

/** An element holding escaped text. */
export function textElement(name: string, value: string | number | boolean, attrs: Record<string, string> = {}) {
  return element(name, escapeXml(String(value)), attrs);
}

export interface MoRef {
  type: string;
  value: string;
}

export function moRefElement(name: string, ref: MoRef, withXsiType = false): string {
  const attrs: Record<string, string> = { type: ref.type };
  if (withXsiType) attrs['xsi:type'] = 'ManagedObjectReference';
  return textElement(name, ref.value, attrs);
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  processEntities: true,
});

type OrderedEntry = Record<string, unknown>;

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

function toNode(entry: OrderedEntry): XmlNode | string | null {
  for (const [key, value] of Object.entries(entry)) {
    if (key === ':@') continue;
    if (key === '#text') return String(value);
    if (key.startsWith('?') || key === '#comment') return null;
    const rawAttrs = (entry[':@'] ?? {}) as Record<string, unknown>;
    const node: XmlNode = { name: localName(key), attrs: {}, children: [], text: '' };
    for (const [attrName, attrValue] of Object.entries(rawAttrs)) {
      const text = String(attrValue);
      if (attrName.startsWith('xmlns')) continue;
      if (attrName.includes(':')) {
        // vim25 only uses prefixed attributes for xsi:type (and xsi:nil).
        if (localName(attrName) === 'type') node.xsiType = localName(text);
      } else {
        node.attrs[attrName] = text;
      }
    }
    for (const child of (value as OrderedEntry[]) ?? []) {
      const converted = toNode(child);
      if (converted === null) continue;
      if (typeof converted === 'string') node.text += converted;
      else node.children.push(converted);
    }
    return node;
  }
  return null;
}

/** Parse a document into its root element. Throws on malformed XML. */
export function parseXml(xml: string): XmlNode {
  const entries = parser.parse(xml) as OrderedEntry[];
  for (const entry of entries) {
    const node = toNode(entry);
    if (node !== null && typeof node !== 'string') return node;
  }
  throw new Error('XML document has no root element');
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function childrenNamed(node: XmlNode | undefined, name: string): XmlNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

export function childText(node: XmlNode | undefined, name: string): string | undefined {
  return child(node, name)?.text;
}

export function toMoRef(node: XmlNode | undefined): MoRef | undefined {
  if (!node || !node.attrs.type) return undefined;
  return { type: node.attrs.type, value: node.text.trim() };
}

/** Walk a dotted child path, e.g. `Body.Fault.detail`. */
export function descend(node: XmlNode | undefined, ...names: string[]): XmlNode | undefined {
  let current = node;
  for (const name of names) current = child(current, name);
  return current;
}
