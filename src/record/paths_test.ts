import assert from "node:assert/strict";
import { checkSegment, isSafeSegment, joinUnder, vhostFolder } from "./paths.ts";

Deno.test("isSafeSegment: names every OS can store, Windows' refusals included", () => {
  const ok = [
    "cam1",
    "Cam_1",
    "a.b",
    "stream-1~x@y",
    "_x",
    "console",
    "conx",
    "com10",
    "lpt",
    "nullable",
    "auxiliary",
  ];
  const refused = [
    "",
    ".hidden",
    "..",
    "a..b",
    "a/b",
    "a\\\\b",
    "a:b", // an NTFS alternate data stream
    "C:",
    "CON",
    "con",
    "Con.m3u8",
    "nul.txt",
    "PRN",
    "aux",
    "COM1",
    "com9.log",
    "LPT1",
    "lpt¹",
    "cam.", // Windows drops the trailing dot
    "a b",
    "a*b",
    "a?b",
    'a"b',
    "a<b",
    "a|b",
    "x".repeat(129),
  ];
  for (const s of ok) assert.equal(isSafeSegment(s), true, s);
  for (const s of refused) assert.equal(isSafeSegment(s), false, s);
});

Deno.test("checkSegment: the error names the value and the rule", () => {
  assert.throws(() => checkSegment("CON", "stream name"), /CON.*Windows reserves/);
  assert.equal(checkSegment("cam", "stream name"), "cam");
});

Deno.test("vhostFolder and joinUnder: reserved names never become folders", () => {
  assert.equal(vhostFolder("CON:1935"), "_default_");
  assert.equal(vhostFolder("Media.Example.com:1935"), "media.example.com");
  assert.throws(() => joinUnder("/rec", "127.0.0.1", "nul"), /nul/);
  assert.equal(joinUnder("/rec/", "h", "cam"), "/rec/h/cam");
});
