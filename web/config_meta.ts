/**
 * The admin's config page describes every element with what docs/config.md says of it (default,
 * allowed values, meaning, origin): the build reads the tables once and writes them as JSON beside the
 * portal, so the executable carries them without the docs. A row is matched to its element by the
 * environment variable column, which names exactly one element.
 */
import { envName, leafPaths } from "../src/config/mod.ts";

export interface ElementMeta {
  path: string;
  variable: string;
  default: string;
  allowed: string;
  meaning: string;
  from: string;
}

const unmark = (s: string) => s.trim().replace(/^`|`$/g, "").replace(/\*\*/g, "");

export function configMeta(markdown: string): ElementMeta[] {
  const byVar = new Map(leafPaths().map((p) => [envName(p), p.join(".")]));
  const out: ElementMeta[] = [];
  for (const line of markdown.split("\n")) {
    if (!line.startsWith("|")) continue;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    if (cells.length < 6) continue;
    const variable = unmark(cells[1]);
    const path = byVar.get(variable);
    if (!path) continue;
    out.push({
      path,
      variable,
      default: unmark(cells[2]),
      allowed: cells[3].replace(/`/g, ""),
      meaning: cells[4].replace(/`/g, ""),
      from: unmark(cells[5]),
    });
  }
  return out;
}
