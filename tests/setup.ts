/**
 * `deno task test` runs this first: it checks every tool the end-to-end tests drive (ffmpeg,
 * GStreamer and the plugins the tests use, Chromium, srt-tools, rtmpdump, nginx with the RTMP module,
 * promtool, python3 with GStreamer's RTSP server bindings, prlimit, openssl) and installs the missing
 * ones with apt when it can (as root, or with passwordless sudo), once, with a progress line. Where
 * it cannot, it stops at once and prints the exact command to run. Nothing is skipped silently.
 *
 *   deno run -A tests/setup.ts           check, install what is missing
 *   deno run -A tests/setup.ts --check   check only; exit 1 with the command when something is missing
 */

export interface Requirement {
  /** What the tests need, as shown to the user. */
  what: string;
  /** The Debian/Ubuntu packages that provide it. */
  packages: string[];
  /** Present when this shell command succeeds. */
  probe: string;
}

const gst = (element: string, pkg: string): Requirement => ({
  what: `GStreamer element ${element}`,
  packages: [pkg],
  // Not --exists: it also demands the plugin's version be GStreamer's, which libnice's (0.1.x) is not.
  probe: `gst-inspect-1.0 ${element}`,
});

export const REQUIREMENTS: Requirement[] = [
  { what: "ffmpeg", packages: ["ffmpeg"], probe: "command -v ffmpeg && command -v ffprobe" },
  { what: "gst-launch-1.0", packages: ["gstreamer1.0-tools"], probe: "command -v gst-launch-1.0" },
  gst("videotestsrc", "gstreamer1.0-plugins-base"),
  gst("rtspsrc", "gstreamer1.0-plugins-good"),
  gst("srtsrc", "gstreamer1.0-plugins-bad"),
  gst("x264enc", "gstreamer1.0-plugins-ugly"),
  gst("avdec_h264", "gstreamer1.0-libav"),
  gst("rtspclientsink", "gstreamer1.0-rtsp"),
  gst("nicesrc", "gstreamer1.0-nice"),
  {
    what: "python3 with GStreamer's RTSP server and WebRTC bindings",
    packages: [
      "python3-gi",
      "python3-gst-1.0",
      "gir1.2-gst-rtsp-server-1.0",
      "gir1.2-gst-plugins-bad-1.0",
      "gir1.2-nice-0.1",
    ],
    probe:
      `/usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer', '1.0'); gi.require_version('GstWebRTC', '1.0'); gi.require_version('Nice', '0.1'); gi.require_version('Gst', '1.0'); from gi.repository import Gst; import gi.overrides.Gst"`,
  },
  { what: "chromium", packages: ["chromium"], probe: "test -x /usr/bin/chromium" },
  { what: "srt-live-transmit", packages: ["srt-tools"], probe: "command -v srt-live-transmit" },
  { what: "rtmpdump", packages: ["rtmpdump"], probe: "command -v rtmpdump" },
  {
    what: "nginx with the RTMP module",
    packages: ["nginx", "libnginx-mod-rtmp"],
    probe: "command -v nginx && ls /usr/lib/nginx/modules/ngx_rtmp_module.so",
  },
  { what: "promtool", packages: ["prometheus"], probe: "command -v promtool" },
  { what: "prlimit", packages: ["util-linux"], probe: "command -v prlimit" },
  { what: "openssl", packages: ["openssl", "ca-certificates"], probe: "command -v openssl" },
];

function sh(cmd: string, opts: { quiet?: boolean } = {}): boolean {
  try {
    const r = new Deno.Command("sh", {
      args: ["-c", cmd],
      stdout: opts.quiet === false ? "inherit" : "null",
      stderr: opts.quiet === false ? "inherit" : "null",
      env: { DEBIAN_FRONTEND: "noninteractive" },
    }).outputSync();
    return r.success;
  } catch {
    return false;
  }
}

export function missing(reqs: Requirement[] = REQUIREMENTS, probe = (c: string) => sh(c)): Requirement[] {
  return reqs.filter((r) => !probe(r.probe));
}

/** The packages to install for what is missing, each once, in order. */
export function packagesFor(reqs: Requirement[]): string[] {
  return [...new Set(reqs.flatMap((r) => r.packages))];
}

function installCommand(pkgs: string[], sudo: string): string {
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${pkgs.join(" ")}`;
}

function main(): number {
  const lacking = missing();
  if (lacking.length === 0) return 0;
  const pkgs = packagesFor(lacking);
  const list = lacking.map((r) => r.what).join(", ");
  const root = Deno.uid?.() === 0;
  const sudo = root ? "" : sh("command -v sudo && sudo -n true") ? "sudo " : undefined;
  if (Deno.args.includes("--check") || sudo === undefined || !sh("command -v apt-get")) {
    console.error(
      `test setup: missing ${list}.\nInstall them with:\n  ${installCommand(pkgs, root ? "" : "sudo ")}\n` +
        "(the end-to-end tests drive these real clients; see TESTING.md)",
    );
    return 1;
  }
  console.error(`test setup: installing ${pkgs.length} package(s) with apt-get (once): ${pkgs.join(" ")}`);
  const t0 = performance.now();
  if (!sh(`${sudo}apt-get update -qq`, { quiet: true })) {
    console.error("test setup: apt-get update failed; trying the install anyway");
  }
  if (!sh(`${sudo}apt-get install -y -qq ${pkgs.join(" ")}`, { quiet: false })) {
    console.error(`test setup: apt-get install failed. Run:\n  ${installCommand(pkgs, sudo)}`);
    return 1;
  }
  const still = missing();
  if (still.length > 0) {
    console.error(`test setup: still missing after the install: ${still.map((r) => r.what).join(", ")}`);
    return 1;
  }
  console.error(`test setup: done in ${Math.round((performance.now() - t0) / 1000)} s`);
  return 0;
}

if (import.meta.main) Deno.exit(main());
