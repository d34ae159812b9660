/**
 * Edits values in a config.xml's text and leaves everything else as it was: comments, order,
 * indentation, the BOM and line endings. The admin API saves a changed element this way, so a
 * file edited by hand keeps its notes. Comments, processing instructions and CDATA are skipped
 * when looking for an element (smart_rtmpd's comments contain example elements).
 *
 * A value goes where the file already has it: an attribute of the element (`<rtp min="…">`), a
 * child element (`<rtmp><port>…</port>`), or the element's own text (`<authurl>host</authurl>`).
 * A missing one is added as a child element (or an attribute of a self-closing element), and a
 * missing section is added before `</config>`.
 */
import { ConfigError } from "../core/errors.ts";

interface Node {
  name: string;
  /** Offsets of the start tag: `<name …>` or `<name …/>`. */
  openStart: number;
  openEnd: number;
  /** Offsets of `</name>`; equal to openEnd for a self-closing element. */
  closeStart: number;
  closeEnd: number;
  children: Node[];
  selfClosing: boolean;
}

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>|<!DOCTYPE[^>]*>|<\/?[A-Za-z_][^>]*>/g;

/** The element tree of a document (root element), with source offsets. */
function parseTree(text: string): Node {
  const stack: Node[] = [];
  let root: Node | undefined;
  TOKEN.lastIndex = 0;
  for (let m; (m = TOKEN.exec(text));) {
    const tok = m[0];
    if (tok.startsWith("<!--") || tok.startsWith("<?") || tok.startsWith("<![") || tok.startsWith("<!")) {
      continue;
    }
    const start = m.index, end = m.index + tok.length;
    if (tok.startsWith("</")) {
      const name = tok.slice(2, -1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) {
        throw new ConfigError(`config XML: </${name}> at offset ${start} does not close an open element`);
      }
      open.closeStart = start;
      open.closeEnd = end;
      continue;
    }
    const name = /^<([A-Za-z_][\w.\-]*)/.exec(tok)![1];
    const selfClosing = tok.endsWith("/>");
    const node: Node = {
      name,
      openStart: start,
      openEnd: end,
      closeStart: end,
      closeEnd: end,
      children: [],
      selfClosing,
    };
    if (stack.length) stack.at(-1)!.children.push(node);
    else if (!root) root = node;
    if (!selfClosing) stack.push(node);
  }
  if (!root) throw new ConfigError("config XML: no root element");
  if (stack.length) throw new ConfigError(`config XML: <${stack.at(-1)!.name}> is never closed`);
  return root;
}

const escapeText = (v: string) => v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttr = (v: string) => escapeText(v).replace(/"/g, "&quot;");

/** The indentation of the line an offset is on. */
function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function newline(text: string): string {
  return text.includes("\r\n") ? "\r\n" : "\n";
}

/** Sets an attribute in a start tag's text. */
function withAttr(tag: string, attr: string, value: string): string {
  const re = new RegExp(`(\\s${attr}\\s*=\\s*)("[^"]*"|'[^']*')`);
  if (re.test(tag)) return tag.replace(re, `$1"${escapeAttr(value)}"`);
  const at = tag.endsWith("/>") ? tag.length - 2 : tag.length - 1;
  const before = tag.slice(0, at).replace(/\s+$/, "");
  return `${before} ${attr}="${escapeAttr(value)}"${tag.endsWith("/>") ? " />" : ">"}`;
}

/**
 * Returns `text` with the element at `path` (e.g. ["rtmp", "port"], ["rtc", "codec", "audio"]) set to
 * `value`. `textField` names the leaf that is its parent's text (authurl's host).
 */
export function setXmlValue(text: string, path: string[], value: string, textField?: string): string {
  const root = parseTree(text);
  const nl = newline(text);
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node.children.find((c) => c.name === path[i]);
    if (!next) {
      // Add the missing element (and what it holds) before the parent's closing tag.
      const inner = path.slice(i + 1).reduceRight(
        (acc, name) => `<${name}>${acc}</${name}>`,
        escapeText(value),
      );
      return insertChild(text, node, `<${path[i]}>${inner}</${path[i]}>`, nl);
    }
    node = next;
  }
  const leaf = path.at(-1)!;
  const tag = text.slice(node.openStart, node.openEnd);
  if (leaf === textField) {
    if (node.selfClosing) {
      const open = tag.replace(/\s*\/>$/, ">");
      return text.slice(0, node.openStart) + open + escapeText(value) + `</${node.name}>` +
        text.slice(node.openEnd);
    }
    return text.slice(0, node.openEnd) + escapeText(value) + text.slice(node.closeStart);
  }
  const hasAttr = new RegExp(`\\s${leaf}\\s*=`).test(tag);
  const child = node.children.find((c) => c.name === leaf);
  if (hasAttr || (!child && node.selfClosing)) {
    return text.slice(0, node.openStart) + withAttr(tag, leaf, value) + text.slice(node.openEnd);
  }
  if (child) {
    if (child.selfClosing) {
      return text.slice(0, child.openStart) + `<${leaf}>${escapeText(value)}</${leaf}>` +
        text.slice(child.openEnd);
    }
    return text.slice(0, child.openEnd) + escapeText(value) + text.slice(child.closeStart);
  }
  return insertChild(text, node, `<${leaf}>${escapeText(value)}</${leaf}>`, nl);
}

function insertChild(text: string, parent: Node, xml: string, nl: string): string {
  if (parent.selfClosing) {
    const open = text.slice(parent.openStart, parent.openEnd).replace(/\s*\/>$/, ">");
    const indent = indentAt(text, parent.openStart);
    return text.slice(0, parent.openStart) + open + `${nl}${indent}  ${xml}${nl}${indent}</${parent.name}>` +
      text.slice(parent.openEnd);
  }
  const indent = indentAt(text, parent.openStart);
  // Before the closing tag, on its own line, one step deeper than the parent.
  const lineStart = text.lastIndexOf("\n", parent.closeStart - 1) + 1;
  const onOwnLine = /^[ \t]*$/.test(text.slice(lineStart, parent.closeStart));
  if (onOwnLine) {
    return text.slice(0, lineStart) + `${indent}  ${xml}${nl}` + text.slice(lineStart);
  }
  return text.slice(0, parent.closeStart) + `${nl}${indent}  ${xml}${nl}${indent}` +
    text.slice(parent.closeStart);
}
