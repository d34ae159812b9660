/** The admin's VOD and recordings management routes (files.ts does the work). */
import type { Context, Hono } from "hono";
import type { AdminDeps } from "./routes.ts";
import { body, fail, ok } from "./routes.ts";
import { FileError, listFolder, removePath } from "./files.ts";

const str = (v: unknown) => typeof v === "string" ? v : "";

export function fileRoutes(
  app: Hono,
  files: AdminDeps["files"],
  audit: (c: Context, fields: Record<string, unknown>) => void,
): void {
  const rootOf = (r: unknown) => r === "vod" ? files.vod : r === "rec" ? files.rec : undefined;
  app.get("/admin/api/files", async (c) => {
    const root = rootOf(c.req.query("root"));
    if (!root) return fail(c, "root refused: must be vod or rec");
    try {
      return ok(c, await listFolder(root, c.req.query("path") ?? ""));
    } catch (err) {
      if (err instanceof FileError) return fail(c, err.message);
      throw err;
    }
  });
  app.post("/admin/api/files", async (c) => {
    const b = await body(c);
    const root = rootOf(b.root);
    if (c.req.query("cmd") !== "del") return fail(c, "cmd refused: must be del");
    if (!root) return fail(c, "root refused: must be vod or rec");
    try {
      await removePath(root, str(b.path), b.root === "rec" ? files.busy : undefined);
    } catch (err) {
      if (err instanceof FileError) return fail(c, err.message);
      throw err;
    }
    audit(c, { root: b.root, path: str(b.path) });
    return ok(c);
  });
}
