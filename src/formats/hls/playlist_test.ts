import assert from "node:assert/strict";
import { type MediaPlaylist, playlistVersion, writeMediaPlaylist } from "./playlist.ts";
import { parseAttributes, parseMediaPlaylist } from "./parse.ts";

interface Case {
  name: string;
  playlist: MediaPlaylist;
  text: string;
}

const CASES: Case[] = [
  {
    name: "TS live, sliding",
    playlist: {
      targetDuration: 5,
      mediaSequence: 7,
      segments: [
        { uri: "cam/7.ts", duration: 5.005 },
        { uri: "cam/8.ts", duration: 4.96 },
      ],
    },
    text: [
      "#EXTM3U",
      "#EXT-X-VERSION:3",
      "#EXT-X-TARGETDURATION:5",
      "#EXT-X-MEDIA-SEQUENCE:7",
      "#EXT-X-INDEPENDENT-SEGMENTS",
      "#EXTINF:5.005,",
      "cam/7.ts",
      "#EXTINF:4.96,",
      "cam/8.ts",
      "",
    ].join("\n"),
  },
  {
    name: "fMP4 recording, ended, with discontinuity and date",
    playlist: {
      targetDuration: 2,
      mediaSequence: 0,
      playlistType: "EVENT",
      map: "10-00-00/init.mp4",
      segments: [
        { uri: "10-00-00/0.m4s", duration: 2, programDateTime: Date.UTC(2024, 0, 2, 10, 0, 0) },
        { uri: "10-00-00/1.m4s", duration: 1.5, discontinuity: true },
      ],
      endList: true,
    },
    text: [
      "#EXTM3U",
      "#EXT-X-VERSION:7",
      "#EXT-X-TARGETDURATION:2",
      "#EXT-X-MEDIA-SEQUENCE:0",
      "#EXT-X-PLAYLIST-TYPE:EVENT",
      "#EXT-X-INDEPENDENT-SEGMENTS",
      '#EXT-X-MAP:URI="10-00-00/init.mp4"',
      "#EXT-X-PROGRAM-DATE-TIME:2024-01-02T10:00:00.000Z",
      "#EXTINF:2,",
      "10-00-00/0.m4s",
      "#EXT-X-DISCONTINUITY",
      "#EXTINF:1.5,",
      "10-00-00/1.m4s",
      "#EXT-X-ENDLIST",
      "",
    ].join("\n"),
  },
  {
    name: "LL-HLS with parts, pending parts and preload hint",
    playlist: {
      targetDuration: 2,
      mediaSequence: 3,
      map: "s/init.mp4",
      segments: [
        {
          uri: "s/3.m4s",
          duration: 1,
          parts: [
            { uri: "s/3.0.m4s", duration: 0.5, independent: true },
            { uri: "s/3.1.m4s", duration: 0.5, independent: false },
          ],
        },
      ],
      lowLatency: {
        partTarget: 0.5,
        partHoldBack: 1.5,
        canBlockReload: true,
        pendingParts: [{ uri: "s/4.0.m4s", duration: 0.5, independent: true }],
        preloadHint: "s/4.1.m4s",
      },
    },
    text: [
      "#EXTM3U",
      "#EXT-X-VERSION:9",
      "#EXT-X-TARGETDURATION:2",
      "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5",
      "#EXT-X-PART-INF:PART-TARGET=0.5",
      "#EXT-X-MEDIA-SEQUENCE:3",
      "#EXT-X-INDEPENDENT-SEGMENTS",
      '#EXT-X-MAP:URI="s/init.mp4"',
      '#EXT-X-PART:DURATION=0.5,URI="s/3.0.m4s",INDEPENDENT=YES',
      '#EXT-X-PART:DURATION=0.5,URI="s/3.1.m4s"',
      "#EXTINF:1,",
      "s/3.m4s",
      '#EXT-X-PART:DURATION=0.5,URI="s/4.0.m4s",INDEPENDENT=YES',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="s/4.1.m4s"',
      "",
    ].join("\n"),
  },
];

for (const c of CASES) {
  Deno.test(`writeMediaPlaylist: ${c.name}`, () => {
    assert.equal(writeMediaPlaylist(c.playlist), c.text);
  });

  Deno.test(`parseMediaPlaylist: ${c.name}`, () => {
    const p = parseMediaPlaylist(c.text);
    assert.equal(p.version, playlistVersion(c.playlist));
    assert.equal(p.targetDuration, c.playlist.targetDuration);
    assert.equal(p.mediaSequence, c.playlist.mediaSequence);
    assert.equal(p.map, c.playlist.map);
    assert.equal(p.endList ?? false, c.playlist.endList ?? false);
    assert.deepEqual(p.segments, c.playlist.segments);
    assert.deepEqual(p.lowLatency, c.playlist.lowLatency);
    // Round trip: what we read writes back identically.
    assert.equal(writeMediaPlaylist(p), c.text);
  });
}

Deno.test("writeMediaPlaylist: target duration is an integer of at least 1", () => {
  const t = writeMediaPlaylist({ targetDuration: 0.4, mediaSequence: 0, segments: [] });
  assert.match(t, /#EXT-X-TARGETDURATION:1\n/);
  const u = writeMediaPlaylist({ targetDuration: 5.2, mediaSequence: 0, segments: [] });
  assert.match(u, /#EXT-X-TARGETDURATION:6\n/);
});

Deno.test("parseAttributes: quoted values keep their commas", () => {
  const a = parseAttributes('DURATION=0.5,URI="a,b.m4s",INDEPENDENT=YES');
  assert.deepEqual([...a], [["DURATION", "0.5"], ["URI", "a,b.m4s"], ["INDEPENDENT", "YES"]]);
});

Deno.test("parseMediaPlaylist: rejects what is not a playlist", () => {
  assert.throws(() => parseMediaPlaylist("<html>"), /must be #EXTM3U/);
  assert.throws(() => parseMediaPlaylist("#EXTM3U\n#EXTINF:abc,\nx.ts"), /EXTINF duration "abc"/);
});
