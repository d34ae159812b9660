import assert from "node:assert/strict";
import { ProtocolError } from "../../core/errors.ts";
import { decodeAmf0All, encodeAmf0 } from "./amf0.ts";
import { metaDataOf, onMetaDataBody, parseScriptData, setDataFrameBody } from "./script_data.ts";
import { isEcmaArray } from "./types.ts";

Deno.test("onMetaDataBody is 'onMetaData' + ECMA array", () => {
  const b = onMetaDataBody({ width: 640, height: 360 });
  assert.equal(b[0], 0x02);
  const [name, obj] = decodeAmf0All(b);
  assert.equal(name, "onMetaData");
  assert.ok(isEcmaArray(obj));
  assert.deepEqual(obj, { width: 640, height: 360 });
});

const parseCases = [
  { name: "@setDataFrame", body: setDataFrameBody({ w: 1 }), setDataFrame: true },
  { name: "plain onMetaData", body: onMetaDataBody({ w: 1 }), setDataFrame: false },
  {
    name: "AMF3 data message (type 15)",
    body: new Uint8Array([0, ...onMetaDataBody({ w: 1 })]),
    amf3: true,
    setDataFrame: false,
  },
];

for (const c of parseCases) {
  Deno.test(`parseScriptData ${c.name}`, () => {
    const d = parseScriptData(c.body, { amf3: c.amf3 });
    assert.equal(d.name, "onMetaData");
    assert.equal(d.setDataFrame, c.setDataFrame);
    assert.deepEqual(metaDataOf(d), { w: 1 });
  });
}

Deno.test("parseScriptData without a handler name is a ProtocolError", () => {
  assert.throws(() => parseScriptData(encodeAmf0(1)), ProtocolError);
});

Deno.test("metaDataOf ignores other handlers", () => {
  assert.equal(metaDataOf(parseScriptData(encodeAmf0("onTextData", { text: "x" }))), undefined);
});
