/**
 * A small XML reader for config.xml and policy.xml: elements, attributes, text, CDATA, comments,
 * the declaration and processing instructions (skipped), a DOCTYPE (skipped), and the five named
 * entities plus numeric ones; CRLF line ends read as LF. Every value stays text, trimmed. It checks what a hand-edited file gets
 * wrong (unclosed or mismatched elements, broken attributes, text or a second element outside the
 * root) and names the line and column. In place of an XML library, whose code cost ~3 MB of idle memory.
 *
 * The tree: an element with neither attributes nor child elements is its text ("" when empty); any
 * other is an object of `@_name` attributes, child element arrays (every element is a list, so a
 * repeated element is never merged or lost) and `#text` when it has text.
 */

export type Item = string | { [k: string]: Item[] | string };

export class XmlSyntaxError extends Error {
  constructor(readonly msg: string, readonly line: number, readonly col: number) {
    super(`${msg} (line ${line}, column ${col})`);
    this.name = "XmlSyntaxError";
  }
}

interface Open {
  name: string;
  at: number;
  attrs: [string, string][];
  children: Map<string, Item[]>;
  text: string[];
}

const NAME = /[A-Za-z_:][\w:.\-]*/y;
const SPACE = /\s*/y;
const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes &lt; &gt; &amp; &quot; &apos; &#n; &#xh;; anything else after & is kept as written. */
export function decodeEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9A-Fa-f]+|#\d+|[A-Za-z]+);/g, (all, e: string) => {
    if (e[0] !== "#") return ENTITIES[e] ?? all;
    const code = e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });
}

/** Parses a document into { rootName: [rootItem] }; throws XmlSyntaxError naming the line and column. */
export function readXml(input: string): Record<string, Item[]> {
  const src = input.replace(/\r\n?/g, "\n"); // XML reads CRLF and CR line ends as LF
  const lineOf = (at: number) => src.slice(0, at).split("\n").length;
  const fail = (msg: string, at: number): never => {
    throw new XmlSyntaxError(msg, lineOf(at), at - src.lastIndexOf("\n", at - 1));
  };
  const doc: Record<string, Item[]> = {};
  const stack: Open[] = [];
  let roots = 0;
  let i = 0;
  const skipTo = (end: string, what: string, from: number) => {
    const j = src.indexOf(end, i);
    if (j < 0) fail(`${what} is not closed`, from);
    i = j + end.length;
  };
  const name = (what: string): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(src);
    if (!m) fail(`${what} is missing or starts with "${src[i] ?? "end of file"}"`, i);
    i += m![0].length;
    return m![0];
  };
  const space = () => {
    SPACE.lastIndex = i;
    i += SPACE.exec(src)![0].length;
  };
  const text = (t: string, at: number) => {
    if (stack.length > 0) stack[stack.length - 1].text.push(t);
    else if (t.trim() !== "") fail(`text "${t.trim().slice(0, 20)}" outside the root element`, at);
  };

  while (i < src.length) {
    const lt = src.indexOf("<", i);
    if (lt < 0) {
      text(decodeEntities(src.slice(i)), i);
      break;
    }
    if (lt > i) text(decodeEntities(src.slice(i, lt)), i);
    i = lt;
    if (src.startsWith("<!--", i)) {
      skipTo("-->", "comment", lt);
    } else if (src.startsWith("<![CDATA[", i)) {
      const j = src.indexOf("]]>", i);
      if (j < 0) fail("CDATA section is not closed", lt);
      if (stack.length === 0) fail("CDATA outside the root element", lt);
      stack[stack.length - 1].text.push(src.slice(i + 9, j));
      i = j + 3;
    } else if (src.startsWith("<?", i)) {
      skipTo("?>", "processing instruction", lt);
    } else if (src.startsWith("<!DOCTYPE", i)) {
      if (roots > 0 || stack.length > 0) fail("DOCTYPE after the root element began", lt);
      const sub = src.indexOf("[", i), close = src.indexOf(">", i);
      if (sub >= 0 && sub < close) skipTo("]", "DOCTYPE", lt);
      skipTo(">", "DOCTYPE", lt);
    } else if (src[i + 1] === "/") {
      i += 2;
      const n = name("closing tag name");
      space();
      if (src[i] !== ">") fail(`closing tag </${n}> has no ">"`, lt);
      i++;
      const open = stack.pop();
      if (!open) fail(`closing tag </${n}> without an opening tag`, lt);
      if (open!.name !== n) {
        fail(`closing tag </${n}> does not match <${open!.name}> (opened on line ${lineOf(open!.at)})`, lt);
      }
      close(open!);
    } else {
      i++;
      const n = name("element name");
      const el: Open = { name: n, at: lt, attrs: [], children: new Map(), text: [] };
      for (;;) {
        const before = i;
        space();
        if (src.startsWith("/>", i) || src[i] === ">") break;
        if (i >= src.length) fail(`tag <${n}> is not closed`, lt);
        if (i === before) fail(`attributes of <${n}> must be separated by spaces`, i);
        const at = i;
        const a = name(`attribute name in <${n}>`);
        space();
        if (src[i] !== "=") fail(`attribute ${a} of <${n}> has no value (write ${a}="…")`, at);
        i++;
        space();
        const q = src[i];
        if (q !== '"' && q !== "'") fail(`value of attribute ${a} of <${n}> must be quoted`, i);
        const end = src.indexOf(q, i + 1);
        if (end < 0) fail(`value of attribute ${a} of <${n}> is not closed`, i);
        const v = src.slice(i + 1, end);
        if (v.includes("<")) fail(`value of attribute ${a} of <${n}> contains "<"`, i);
        if (el.attrs.some(([k]) => k === a)) fail(`attribute ${a} appears twice in <${n}>`, at);
        el.attrs.push([a, decodeEntities(v).trim()]);
        i = end + 1;
      }
      if (stack.length === 0) {
        if (roots > 0) fail(`a second root element <${n}> (a document has one)`, lt);
        roots++;
      }
      if (src[i] === "/") {
        i += 2;
        stack.push(el);
        close(stack.pop()!);
      } else {
        i++;
        stack.push(el);
      }
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    fail(`element <${open.name}> is not closed`, open.at);
  }
  if (roots === 0) fail("no root element", src.length);
  return doc;

  function close(el: Open) {
    const t = el.text.map((x) => x.trim()).filter((x) => x !== "").join("");
    let item: Item;
    if (el.attrs.length === 0 && el.children.size === 0) item = t;
    else {
      const o: { [k: string]: Item[] | string } = {};
      for (const [k, v] of el.attrs) o[`@_${k}`] = v;
      for (const [k, v] of el.children) o[k] = v;
      if (t !== "") o["#text"] = t;
      item = o;
    }
    const parent = stack[stack.length - 1];
    if (parent) {
      const list = parent.children.get(el.name);
      if (list) list.push(item);
      else parent.children.set(el.name, [item]);
    } else (doc[el.name] ??= []).push(item);
  }
}
