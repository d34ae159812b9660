/**
 * XML is only a carrier: parse it with every value kept as text, then reshape the element tree
 * into the plain object the schema validates. Attributes become fields of their element,
 * repeated elements become arrays where the schema has an array, and anything the schema does not
 * know becomes a warning that names it (never fatal, so smart_rtmpd files with extras still load).
 */
import { ConfigError } from "../core/errors.ts";
import type { Spec } from "./_spec.ts";
import { type Item, readXml, XmlSyntaxError } from "./xml_read.ts";

/** Parses a document and returns its root element. `name` (a file path) appears in messages. */
export function parseXmlRoot(text: string, name: string, root: string): { item: Item; warnings: string[] } {
  const src = text.replace(/^\uFEFF/, ""); // smart_rtmpd's files start with a UTF-8 BOM
  let doc: Record<string, Item[]>;
  try {
    doc = readXml(src);
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    throw new ConfigError(`${name} is not well-formed XML: ${e.message}`, { cause: e });
  }
  const items = doc[root];
  if (!Array.isArray(items) || items.length === 0) {
    throw new ConfigError(`${name} has no <${root}> root element`);
  }
  const warnings = Object.keys(doc).filter((k) => k !== root).map((k) =>
    `unknown element ${k} in ${name} (ignored)`
  );
  return { item: items[items.length - 1], warnings };
}

export interface MapOptions {
  /** The file name, for warnings. */
  name: string;
  /** Elements whose text is a value: element path ("authurl") → field name ("host"). */
  textFields?: Readonly<Record<string, string>>;
  warnings: string[];
}

/** Reshapes a parsed element into the object the schema expects, collecting warnings. */
export function mapItem(item: Item, spec: Spec, path: string[], opts: MapOptions): unknown {
  const where = path.join("/");
  const tag = where === "" ? "the root element" : `<${where}>`;
  if (spec.kind === "array") return mapItem(item, spec.element, path, opts);
  if (spec.kind === "leaf") {
    if (typeof item === "string") return item;
    for (const k of Object.keys(item)) {
      if (k === "#text") continue;
      opts.warnings.push(`unknown ${describe(k, where)} in ${opts.name} (ignored)`);
    }
    return typeof item["#text"] === "string" ? item["#text"] : "";
  }
  const out: Record<string, unknown> = {};
  if (typeof item === "string") {
    if (item !== "") opts.warnings.push(`text "${item}" inside ${tag} in ${opts.name} is ignored`);
    return out;
  }
  const textField = opts.textFields?.[where];
  for (const [k, v] of Object.entries(item)) {
    if (k === "#text") {
      if (textField) out[textField] = v;
      else opts.warnings.push(`text "${v}" inside ${tag} in ${opts.name} is ignored`);
      continue;
    }
    const key = k.startsWith("@_") ? k.slice(2) : k;
    const sub = spec.fields[key];
    if (!sub || (k.startsWith("@_") && sub.kind !== "leaf")) {
      opts.warnings.push(`unknown ${describe(k, where)} in ${opts.name} (ignored)`);
      continue;
    }
    if (typeof v === "string") {
      out[key] = v; // an attribute
    } else if (sub.kind === "array") {
      out[key] = v.map((x) => mapItem(x, sub, [...path, key], opts));
    } else {
      if (v.length > 1) {
        opts.warnings.push(
          `element ${[...path, key].join("/")} appears ${v.length} times in ${opts.name}: the last wins`,
        );
      }
      out[key] = mapItem(v[v.length - 1], sub, [...path, key], opts);
    }
  }
  return out;
}

function describe(key: string, where: string): string {
  const at = where === "" ? "" : `${where}/`;
  return key.startsWith("@_") ? `attribute ${where}@${key.slice(2)}` : `element ${at}${key}`;
}
