import assert from "node:assert/strict";
import { BUILTIN_WEB_ROOT, pathOfFileUrl } from "./web_root.ts";

Deno.test("pathOfFileUrl: POSIX paths stay, Windows drive paths lose the leading slash, escapes decode", () => {
  assert.equal(pathOfFileUrl(new URL("file:///opt/estuary/dist/web")), "/opt/estuary/dist/web");
  assert.equal(
    pathOfFileUrl(new URL("file:///C:/Program%20Files/estuary/dist/web")),
    "C:/Program Files/estuary/dist/web",
  );
  assert.ok(BUILTIN_WEB_ROOT.endsWith("/dist/web"), BUILTIN_WEB_ROOT);
});
