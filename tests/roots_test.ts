/**
 * Static files, VOD (files, listings, uploads) and recordings serve only real paths inside their
 * roots: a symlink in a root that points outside it (a folder such as /etc, or a file) is never
 * read, listed or written through.
 */
import assert from "node:assert/strict";
import { startTestServer } from "./support/mod.ts";

const M3U8 = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n0.ts\n#EXT-X-ENDLIST\n";

Deno.test("roots: symlinks out of html/, vod/ and rec/ give 404 (403 for uploads); inside ones still work", async () => {
  const outside = await Deno.makeTempDir({ prefix: "estuary-outside-" });
  const ts = await startTestServer({}, {
    files: {
      "html/index.html": "home",
      "vod/inside/a.flv": "flv",
      "rec/v/cam/2024-05-21/18-22-11.m3u8": M3U8,
    },
  });
  try {
    await Deno.mkdir(`${outside}/2024-05-21`);
    await Deno.writeTextFile(`${outside}/2024-05-21/18-22-11.m3u8`, M3U8);
    await Deno.writeTextFile(`${outside}/secret.m3u8`, M3U8);
    const r = ts.root;
    await Deno.symlink("/etc", `${r}/html/etc`);
    await Deno.symlink("/etc/passwd", `${r}/html/passwd.txt`);
    await Deno.symlink("/etc", `${r}/vod/etc`);
    await Deno.symlink(outside, `${r}/vod/out`);
    await Deno.symlink(`${outside}/victim.flv`, `${r}/vod/victim.flv`);
    await Deno.symlink("inside", `${r}/vod/alias`); // a link that stays inside is fine
    await Deno.symlink(outside, `${r}/rec/v/leak`);
    await Deno.mkdir(`${r}/rec/v/cam2/2024-05-21`, { recursive: true });
    await Deno.symlink(`${outside}/secret.m3u8`, `${r}/rec/v/cam2/2024-05-21/18-22-11.m3u8`);

    const cases: [string, number][] = [
      ["/", 200],
      ["/etc/passwd", 404],
      ["/passwd.txt", 404],
      ["/api/vod", 200],
      ["/api/vod/etc", 404],
      ["/api/vod/out", 404],
      ["/api/vod/alias", 200],
      ["/vod/etc/passwd", 404],
      ["/vod/alias/a.flv", 200],
      ["/rec/cam", 200],
      ["/rec/cam/2024-05-21/18-22-11.m3u8", 200],
      ["/rec/leak", 404],
      ["/rec/leak/2024-05-21", 404],
      ["/rec/leak?day=2024-05-21", 404],
      ["/rec/leak/2024-05-21/18-22-11.m3u8", 404],
      ["/rec/cam2/2024-05-21/18-22-11.m3u8", 404],
    ];
    for (const [path, want] of cases) {
      const res = await fetch(ts.http(path));
      const body = await res.text();
      assert.equal(res.status, want, `${path}: ${body.slice(0, 200)}`);
      assert.ok(!body.includes("root:"), `${path} leaked /etc/passwd`);
    }
    const listing = await (await fetch(ts.http("/api/vod/alias"))).json();
    assert.deepEqual(listing.files, ["a.flv"]);

    // Uploads: never into a folder out of the root, never through a link to a file outside.
    const upload = async (path: string, name: string) => {
      const form = new FormData();
      form.append("file", new File(["x"], name));
      const res = await fetch(ts.http(path), { method: "POST", body: form });
      await res.body?.cancel();
      return res.status;
    };
    assert.equal(await upload("/vod/out", "planted.flv"), 403);
    assert.equal(await upload("/vod", "victim.flv"), 403);
    assert.equal(await upload("/vod/inside", "b.flv"), 200);
    const left = [...Deno.readDirSync(outside)].map((e) => e.name).sort();
    assert.deepEqual(left, ["2024-05-21", "secret.m3u8"], "nothing was written outside the root");
  } finally {
    await ts.close();
    await Deno.remove(outside, { recursive: true });
  }
});
