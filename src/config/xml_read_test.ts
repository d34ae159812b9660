import assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import { decodeEntities, readXml, XmlSyntaxError } from "./xml_read.ts";

// The XML library the reader replaced, with the options config/xml.ts used: the trees must be equal.
const reference = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_n: string, _j: unknown, _l: boolean, isAttribute: boolean) => !isAttribute,
});

const root = new URL("../../", import.meta.url);
const shipped = ["conf/config.xml", "conf/policy.xml"].map((f) =>
  Deno.readTextFileSync(new URL(f, root)).replace(/^\uFEFF/, "")
);

Deno.test("readXml: the same tree as the XML library it replaced, for the shipped files and odd inputs", () => {
  const samples = [
    ...shipped,
    `<?xml version="1.0" encoding="utf-8"?>\r\n<!-- c --><config>\r\n  <rtmp>\r\n    <port> 1935 </port>\r\n  </rtmp>\r\n</config>\r\n`,
    `<config><l>a,\r\n  b</l><a x="1" y='two &amp; three'>text</a><a/><a></a><b><c>1</c><c>2</c></b></config>`,
    `<policy><urls><url name="rtmp://a/live/x"><forward rewrite="">1.2.3.4:1935</forward></url></urls></policy>`,
    `<config><authurl>  127.0.0.1:8080 </authurl><e>&lt;A&quot;&gt;</e><f><![CDATA[<raw>]]></f></config>`,
    `<!DOCTYPE config><config><?pi x?><g attr="v"/><h>   </h></config>`,
  ];
  for (const s of samples) assert.deepEqual(readXml(s), reference.parse(s), s.slice(0, 60));
  // One difference on purpose: numeric character references are decoded (XML says they are characters).
  assert.deepEqual(readXml("<c><e>&#65;&#x42;</e></c>"), { c: [{ e: ["AB"] }] });
});

Deno.test("readXml: malformed documents are refused naming the rule, the line and the column", () => {
  const bad: [string, RegExp][] = [
    [
      `<config><rtmp></config>`,
      /closing tag <\/config> does not match <rtmp> \(opened on line 1\) \(line 1, column 15\)/,
    ],
    [`<config>\n  <rtmp>\n`, /element <rtmp> is not closed \(line 2, column 3\)/],
    [`<config></config><config/>`, /a second root element <config>/],
    [`<config a=1/>`, /value of attribute a of <config> must be quoted/],
    [`<config a/>`, /attribute a of <config> has no value/],
    [`<config a="1" a="2"/>`, /attribute a appears twice/],
    [`<config a="1"b="2"/>`, /must be separated by spaces/],
    [`hello<config/>`, /text "hello" outside the root element/],
    [`<config><!-- open</config>`, /comment is not closed/],
    [`</config>`, /without an opening tag/],
    [`<config><1a/></config>`, /element name is missing or starts with "1"/],
    [`<!-- only a comment -->`, /no root element/],
    [`<config x="<"/>`, /contains "<"/],
  ];
  for (const [src, re] of bad) {
    assert.throws(() => readXml(src), (e: unknown) => e instanceof XmlSyntaxError && re.test(e.message), src);
  }
});

Deno.test("decodeEntities: named and numeric entities; unknown ones are kept as written", () => {
  assert.equal(
    decodeEntities("a &amp; b &lt;c&gt; &quot;&apos; &#233;&#xE9; &nbsp; & x"),
    `a & b <c> "' éé &nbsp; & x`,
  );
});
