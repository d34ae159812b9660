import assert from "node:assert/strict";
import type { HttpDeps } from "./deps.ts";
import { Hono } from "hono";
import { AuthError } from "../core/mod.ts";
import { apiAuth } from "./api.ts";
import { absolutise, routes } from "./rec.ts";

const PLAYLIST = [
  "#EXTM3U",
  "#EXT-X-VERSION:7",
  '#EXT-X-MAP:URI="18-22-11/init.mp4"',
  "#EXTINF:2,",
  "18-22-11/0.m4s",
  "#EXT-X-ENDLIST",
  "",
].join("\n");

async function tree(): Promise<string> {
  const root = await Deno.makeTempDir();
  for (
    const [vhost, stream, day, time] of [
      ["127.0.0.1", "music", "2022-05-21", "18-22-11"],
      ["127.0.0.1", "music", "2022-05-22", "09-00-00"],
      ["example.com", "sport", "2022-05-21", "10-00-00"],
    ]
  ) {
    const dir = `${root}/${vhost}/${stream}/${day}`;
    await Deno.mkdir(`${dir}/${time}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${time}.m3u8`, PLAYLIST.replaceAll("18-22-11", time));
    await Deno.writeFile(`${dir}/${time}/0.m4s`, new Uint8Array([1, 2, 3, 4]));
    await Deno.writeFile(`${dir}/${time}/init.mp4`, new Uint8Array([9]));
  }
  await Deno.writeTextFile(`${root}/127.0.0.1/music/2022-05-21/notes.txt`, "not a recording");
  return root;
}

interface Case {
  path: string;
  status: number;
  json?: unknown;
  type?: string;
  body?: (text: string) => void;
}

const CASES: Case[] = [
  { path: "/api/rec", status: 200, json: { dirs: ["music", "sport"] } },
  { path: "/api/rec?vhost=example.com", status: 200, json: { dirs: ["sport"] } },
  { path: "/api/rec?vhost=nowhere", status: 200, json: { dirs: [] } },
  { path: "/api/rec?vhost=..", status: 400 },
  { path: "/rec/music", status: 200, json: { dirs: ["2022-05-21", "2022-05-22"] } },
  { path: "/rec/nobody", status: 200, json: { dirs: [] } },
  { path: "/rec/music/2022-05-21", status: 200, json: { files: ["18-22-11.m3u8"] } },
  { path: "/rec/music?day=2022-05-21", status: 200, json: { files: ["18-22-11.m3u8"] } },
  { path: "/rec/music?day=yesterday", status: 400 },
  {
    path: "/rec/music/2022-05-21/18-22-11.m3u8",
    status: 200,
    type: "application/vnd.apple.mpegurl",
    body: (t) => assert.equal(t, PLAYLIST),
  },
  {
    path: "/rec/music?day=2022-05-21&time=18-22-11",
    status: 200,
    type: "application/vnd.apple.mpegurl",
    body: (t) => {
      assert.match(t, /#EXT-X-MAP:URI="\/rec\/music\/2022-05-21\/18-22-11\/init.mp4"/);
      assert.match(t, /\n\/rec\/music\/2022-05-21\/18-22-11\/0.m4s\n/);
    },
  },
  { path: "/rec/music?day=2022-05-21&time=18-22-11.m3u8", status: 200 },
  // smart_rtmpd's player: /rec/<s>.<ext>?day=&time=
  {
    path: "/rec/music.m3u8?day=2022-05-21&time=18-22-11",
    status: 200,
    type: "application/vnd.apple.mpegurl",
    body: (t) => assert.match(t, /\n\/rec\/music\/2022-05-21\/18-22-11\/0.m4s\n/),
  },
  { path: "/rec/music.mpd?day=2022-05-21&time=18-22-11", status: 404 },
  { path: "/rec/music.m3u8?day=today&time=18-22-11", status: 400 },
  { path: "/rec/music?day=2022-05-21&time=23-59-59", status: 404 },
  { path: "/rec/music?day=2022-05-21&time=..%2F..%2Fx", status: 400 },
  { path: "/rec/music/2022-05-21/18-22-11/0.m4s", status: 200, type: "video/iso.segment" },
  { path: "/rec/music/2022-05-21/18-22-11/9.m4s", status: 404 },
  { path: "/rec/music/2022-05-21/18-22-11/..%2F..%2F..%2Fsport", status: 400 },
  { path: "/rec/..%2F..%2Fetc/2022-05-21", status: 400 },
  { path: "/rec/%2E%2E", status: 404 }, // the URL parser already resolved it to "/"
  { path: "/rec/music/2022-05-21/notes.txt", status: 400 },
];

Deno.test("rec routes: the query API per the contract, and refusals", async () => {
  const root = await tree();
  const app = routes({} as HttpDeps, { root });
  try {
    for (const c of CASES) {
      const res = await app.request(c.path);
      assert.equal(res.status, c.status, c.path);
      if (c.type) assert.equal(res.headers.get("content-type"), c.type, c.path);
      const text = await res.text();
      if (c.json !== undefined) assert.deepEqual(JSON.parse(text), c.json, c.path);
      c.body?.(text);
    }
    // Live URLs of the rec app pass through to the HLS/FLV routes.
    const live = await app.request("/rec/cam.m3u8");
    assert.equal(live.status, 404);
    await live.body?.cancel();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("absolutise: m3u8 URIs and MPD BaseURL", () => {
  const m = absolutise(
    '#EXT-X-MAP:URI="a/init.mp4"\n#EXTINF:2,\na/0.ts\nhttp://x/y.ts\n',
    "m3u8",
    "/rec/s/d/",
  );
  assert.equal(m, '#EXT-X-MAP:URI="/rec/s/d/a/init.mp4"\n#EXTINF:2,\n/rec/s/d/a/0.ts\nhttp://x/y.ts\n');
  const d = absolutise(
    '<?xml version="1.0"?>\n<MPD type="static">\n <Period/>\n</MPD>\n',
    "mpd",
    "/rec/s/d/",
  );
  assert.equal(
    d,
    '<?xml version="1.0"?>\n<MPD type="static">\n <BaseURL>/rec/s/d/</BaseURL>\n <Period/>\n</MPD>\n',
  );
});

Deno.test("rec routes: the auth callback guards listings (role api) and manifests (role download), once per request", async () => {
  const root = await tree();
  const asked: string[] = [];
  const deps = {
    authorizeHttp(r: { role: string; path: string; query: string }) {
      asked.push(`${r.role} ${r.path}?${r.query}`);
      return r.query.includes("token=good") ? Promise.resolve() : Promise.reject(new AuthError("no token"));
    },
  } as unknown as HttpDeps;
  const app = new Hono();
  app.use("/api/*", apiAuth(deps)); // as the API feature mounts it: /api/rec passes both guards
  app.route("/", routes(deps, { root }));
  try {
    const expect: [string, number, string[]][] = [
      ["/api/rec?token=good", 200, ["api api/rec?token=good"]],
      ["/rec/music?token=good", 200, ["api rec/music?token=good"]],
      ["/rec/music/2022-05-21?token=bad", 403, ["api rec/music/2022-05-21?token=bad"]],
      ["/rec/music/2022-05-21/18-22-11.m3u8?token=bad", 403, [
        "download rec/music/2022-05-21/18-22-11.m3u8?token=bad",
      ]],
      [
        "/rec/music?day=2022-05-21&time=18-22-11&token=good",
        200,
        ["download rec/music?day=2022-05-21&time=18-22-11&token=good"],
      ],
      [
        "/rec/music.m3u8?day=2022-05-21&time=18-22-11&token=bad",
        403,
        ["download rec/music.m3u8?day=2022-05-21&time=18-22-11&token=bad"],
      ],
      // Segments are not asked about, as a live HLS stream's are not: players do not carry the
      // playlist's query to them.
      ["/rec/music/2022-05-21/18-22-11/0.m4s", 200, []],
    ];
    for (const [path, status, calls] of expect) {
      asked.length = 0;
      const res = await app.request(path);
      await res.body?.cancel();
      assert.equal(res.status, status, path);
      assert.deepEqual(asked, calls, path);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
