/** Command-line values of the bench's child processes: `--name value`, or the default. */
export function arg(name: string, def?: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  if (i >= 0 && Deno.args[i + 1] !== undefined) return Deno.args[i + 1];
  if (def === undefined) throw new Error(`missing --${name}`);
  return def;
}
