import assert from "node:assert/strict";
import { FileError, listFolder, removePath, segmentsOf } from "./files.ts";

Deno.test("admin files: list with sizes; delete files and folders; refusals for dots, the root, links out and busy paths", async () => {
  const root = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/a/b`, { recursive: true });
    await Deno.writeTextFile(`${root}/a/x.mp4`, "12345");
    await Deno.writeTextFile(`${root}/a/b/y.flv`, "1");
    await Deno.writeTextFile(`${outside}/secret`, "s");
    await Deno.symlink(outside, `${root}/a/out`);
    const l = await listFolder(root, "a");
    assert.deepEqual(
      l.dirs.map((d) => d.name),
      ["b", "out"],
    );
    assert.deepEqual(l.files.map((f) => [f.name, f.size]), [["x.mp4", 5]]);
    await assert.rejects(() => listFolder(root, "a/out"), FileError, "a link out of the root is not listed");
    for (const bad of ["../x", "a/./b", ".git", "a/\0"]) assert.throws(() => segmentsOf(bad), FileError, bad);
    await assert.rejects(() => removePath(root, ""), /root folder itself/);
    await assert.rejects(
      () => removePath(root, "a/b", () => "a recording is being written"),
      /being written/,
    );
    await assert.rejects(() => removePath(root, "a/none"), /no such file/);
    await removePath(root, "a/out"); // the link goes, not what it points at
    assert.equal(await Deno.readTextFile(`${outside}/secret`), "s");
    await removePath(root, "a/x.mp4");
    await removePath(root, "a/b");
    assert.deepEqual(await listFolder(root, "a"), { dirs: [], files: [] });
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
