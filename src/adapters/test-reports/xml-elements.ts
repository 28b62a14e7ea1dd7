import { XMLParser } from 'fast-xml-parser';

/**
 * XML as fast-xml-parser gives it with `preserveOrder` (the fastest of its shapes, and the one
 * that keeps elements in document order): each node an object whose one key is its tag,
 * holding its children, with its attributes under `:@`; text under `#text`, CDATA sections
 * under `#cdata`.
 */
export type XmlNode = Record<string, unknown>;

const TEXT = '#text';
const CDATA = '#cdata';
const ATTRIBUTES = ':@';
const ATTRIBUTE_PREFIX = '@_';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  textNodeName: TEXT,
  cdataPropName: CDATA,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Entities are decoded only in the values read (see `decoded`): a third faster on large reports.
  processEntities: false,
});

/** The document's top-level nodes; null when the parser gives up on it. */
export function parseXml(text: string): XmlNode[] | null {
  try {
    const nodes: unknown = parser.parse(text);
    return Array.isArray(nodes) ? (nodes as XmlNode[]) : null;
  } catch {
    return null;
  }
}

/** The element's tag; null for text. */
export function tagOf(node: XmlNode): string | null {
  for (const key in node) if (key !== ATTRIBUTES) return key === TEXT || key === CDATA ? null : key;
  return null;
}

/** The element's child elements, those with `tag` only when it is given. */
export function childElements(node: XmlNode, tag?: string): XmlNode[] {
  const name = tagOf(node);
  const children = name === null ? undefined : node[name];
  if (!Array.isArray(children)) return [];
  return (children as XmlNode[]).filter((child) => (tag === undefined ? tagOf(child) !== null : tagOf(child) === tag));
}

export function attribute(node: XmlNode, name: string): string | undefined {
  const attributes = node[ATTRIBUTES] as Record<string, unknown> | undefined;
  const value = attributes?.[`${ATTRIBUTE_PREFIX}${name}`];
  return typeof value === 'string' ? decoded(value) : undefined;
}

/** The element's own text, entities decoded, with its CDATA sections as written. */
export function textOf(node: XmlNode): string {
  const name = tagOf(node);
  const children = name === null ? undefined : node[name];
  if (!Array.isArray(children)) return '';
  let text = '';
  for (const child of children as XmlNode[]) {
    const value = child[TEXT];
    if (typeof value === 'string') text += decoded(value);
    const sections = child[CDATA];
    if (Array.isArray(sections)) for (const section of sections as XmlNode[]) if (typeof section[TEXT] === 'string') text += section[TEXT];
  }
  return text;
}

const ENTITY = /&(?:#(\d+)|#x([0-9a-f]+)|(lt|gt|amp|quot|apos));/gi;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML's own entities and numeric references (pytest writes line breaks in attributes as `&#10;`). */
export function decoded(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(ENTITY, (entity: string, decimal?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED[name.toLowerCase()] ?? entity;
    const code = decimal !== undefined ? Number(decimal) : Number.parseInt(hex ?? '', 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}
