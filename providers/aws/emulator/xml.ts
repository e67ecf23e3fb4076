// Minimal XML writer for EC2/STS responses. EC2 renders lists as repeated <item> children of a
// `…Set` element; structures as child elements in model order; absent members are omitted.

export type XmlValue = string | number | boolean | null | undefined | XmlValue[] | XmlElements;
export interface XmlElements {
  [element: string]: XmlValue;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function renderValue(value: XmlValue, listItemName: string): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => renderElement(listItemName, item, listItemName)).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([name, child]) => renderElement(name, child, listItemName))
      .join('');
  }
  return escapeXml(String(value));
}

function renderElement(name: string, value: XmlValue, listItemName: string): string {
  if (value === undefined) return '';
  const inner = renderValue(value, listItemName);
  return inner === '' ? `<${name}/>` : `<${name}>${inner}</${name}>`;
}

/** A full document: `<Root xmlns="…">…</Root>`. Lists render as `<item>` unless told otherwise. */
export function renderDocument(root: string, namespace: string | undefined, body: XmlElements, listItemName = 'item'): string {
  const ns = namespace ? ` xmlns="${escapeXml(namespace)}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${renderValue(body, listItemName)}</${root}>`;
}
