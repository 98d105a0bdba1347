/**
 * Just enough XML for S3's answers: they are flat, machine-written
 * documents, so elements are found by name without a full parser.
 *
 * @module
 */

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/**
 * The raw inner text of every `<tag>…</tag>` element, in order (for
 * repeated elements such as `Contents` or `Part`). Not for nested elements
 * of the same name.
 *
 * @param xml The document or a fragment.
 * @param tag The element name.
 * @returns The inner texts, still escaped.
 */
export function xmlElements(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "g");
  return Array.from(xml.matchAll(pattern), (match) => match[1] ?? "");
}

/**
 * The unescaped text of the first `<tag>…</tag>` element.
 *
 * @param xml The document or a fragment.
 * @param tag The element name.
 * @returns Its text, or `undefined` when there is none.
 */
export function xmlText(xml: string, tag: string): string | undefined {
  const [first] = xmlElements(xml, tag);
  return first === undefined ? undefined : unescapeXml(first);
}

/**
 * Replaces the five named entities and numeric character references.
 *
 * @param text Escaped text.
 * @returns The text.
 */
export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith("#x")) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/**
 * Escapes text for an XML element.
 *
 * @param text The text.
 * @returns The escaped text.
 */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => `&${Object.entries(ENTITIES).find(([, value]) => value === char)?.[0]};`,
  );
}
