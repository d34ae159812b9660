/**
 * The C library through Deno's FFI, for the system calls the runtime does not offer (send(2) on a
 * TCP descriptor, sendmmsg(2)): Linux on x86_64/aarch64 (the struct layouts callers write are LP64
 * little-endian) with FFI permission. Each caller opens it once with its own symbols.
 */
export type LibcOpening<S extends Deno.ForeignLibraryInterface> =
  | { lib: Deno.DynamicLibrary<S>; why?: undefined }
  | { lib?: undefined; why: string };

/** libc.so.6 with `symbols`, or why it cannot be had in this process. */
export function openLibc<S extends Deno.ForeignLibraryInterface>(symbols: S): LibcOpening<S> {
  if (Deno.build.os !== "linux") return { why: `${Deno.build.os} is not Linux` };
  if (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64") {
    return { why: `${Deno.build.arch} is not x86_64 or aarch64` };
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return { why: "no --allow-ffi" };
  try {
    return { lib: Deno.dlopen("libc.so.6", symbols) };
  } catch (err) {
    return { why: `libc.so.6: ${(err as Error).message}` };
  }
}

/** `openLibc(symbols)` on first call, the same opening after: each sender opens its symbols once. */
export function libcOnce<S extends Deno.ForeignLibraryInterface>(symbols: S): () => LibcOpening<S> {
  let opening: LibcOpening<S> | undefined;
  return () => opening ??= openLibc(symbols);
}
