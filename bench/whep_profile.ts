/**
 * Where a WHEP server's CPU goes: Estuary (a child process, with the V8 inspector on) serves N werift
 * viewers (whep_load.ts, another process) of the 1 Mbit/s bench stream; V8's sampling profiler runs
 * over the load's measuring window, and the self time is printed per function and grouped by where
 * the code lives (SRTP, werift's RTP sender, werift's transport, our session, ...).
 *   deno run -A bench/whep_profile.ts [--n 50] [--seconds 10] [--root DIR]   (DIR: another checkout's Estuary)
 */
import { publish, source } from "./media.ts";
import { startEstuary } from "./peers.ts";

const argNum = (name: string, def: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : def;
};
const n = argNum("n", 50);
const seconds = argNum("seconds", 10);
const INSPECT = 19229;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

/** A tiny Chrome DevTools Protocol client over the inspector's WebSocket. */
async function inspector(port: number) {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((r, f) => {
    ws.onopen = r;
    ws.onerror = f;
  });
  let id = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    waiting.get(msg.id)?.(msg.result);
    waiting.delete(msg.id);
  };
  return {
    send: (method: string, params: Record<string, unknown> = {}) =>
      new Promise<unknown>((resolve) => {
        waiting.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

function group(url: string, fn: string): string {
  if (/webrtc\/srtp\.ts/.test(url)) return "SRTP (srtp.ts)";
  if (/webrtc\/udp_(fd|send)\.ts/.test(url)) return "UDP send (udp_fd.ts / udp_send.ts)";
  if (/werift.*srtp|rtp\/src\/srtp/.test(url)) return "SRTP (werift)";
  if (/werift.*rtpSender/.test(url)) return "werift RTP sender";
  if (/werift.*(transport|ice|stun|dtls)/.test(url)) return "werift transport (ICE/DTLS/UDP)";
  if (/werift/.test(url)) return "werift other";
  if (/protocols\/webrtc/.test(url)) return "Estuary WebRTC session";
  if (/formats\/rtp/.test(url)) return "RTP packetizer";
  if (/ext:|node:|deno/.test(url) || url === "") {
    return fn.startsWith("(") ? fn : "Deno runtime / node compat";
  }
  return "Estuary other";
}

const src = await source("1m");
const rootAt = Deno.args.indexOf("--root");
const peer = await startEstuary({ rtmp: 19700, http: 19701 }, {
  denoArgs: [`--inspect=127.0.0.1:${INSPECT}`],
  root: rootAt >= 0 ? Deno.args[rootAt + 1] : undefined,
});
const pub = publish(src, peer.rtmpUrl("bench"));
try {
  await new Promise((r) => setTimeout(r, 4000));
  const cdp = await inspector(INSPECT);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
  const load = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./whep_load.ts", import.meta.url).pathname,
      "--url",
      peer.whepUrl("bench"),
      "--n",
      String(n),
      "--warmup",
      "3",
      "--seconds",
      String(seconds),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let done: Record<string, unknown> | undefined;
  let buf = "";
  for await (const text of load.stdout.pipeThrough(new TextDecoderStream())) {
    buf += text;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (msg.phase === "measuring") await cdp.send("Profiler.start");
      if (msg.phase === "done") done = msg;
    }
  }
  await load.status;
  const { profile } = await cdp.send("Profiler.stop") as { profile: Profile };
  cdp.close();
  const self = new Map<number, number>();
  for (const s of profile.samples) self.set(s, (self.get(s) ?? 0) + 1);
  const total = profile.samples.length;
  const byFn = new Map<string, number>(), byGroup = new Map<string, number>();
  for (const node of profile.nodes) {
    const c = self.get(node.id) ?? 0;
    if (!c) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(werift\/[^/]+\/)?/, "")}:${
      lineNumber + 1
    }`;
    byFn.set(name, (byFn.get(name) ?? 0) + c);
    const g = group(url, functionName);
    byGroup.set(g, (byGroup.get(g) ?? 0) + c);
  }
  const pct = (c: number) => `${(c * 100 / total).toFixed(1)} %`.padStart(7);
  console.log(
    `WHEP server profile: ${n} werift viewers, ${seconds} s, ${total} samples; viewers connected ${done?.connected}, ` +
      `min packet share ${((done?.share_min as number) * 100).toFixed(2)} %`,
  );
  // The main thread's busy time per packet handed to the sockets (retransmissions included).
  const idle = byGroup.get("(idle)") ?? 0;
  const stages = done?.stages as Record<string, number | null> | undefined;
  const packets = (stages?.server_sent ?? 0) + (stages?.server_retransmits ?? 0);
  const busyS = (total - idle) / total * ((done?.window_s as number) ?? seconds);
  if (packets > 0) {
    console.log(
      `main thread busy ${(busyS * 100 / ((done?.window_s as number) ?? seconds)).toFixed(1)} %, ` +
        `${packets} packets sent (${stages?.server_retransmits} resent): ` +
        `${(busyS * 1e6 / packets).toFixed(1)} µs of the main thread per packet per viewer; ` +
        `viewers ≥ 99 %: ${done?.viewers_99} of ${n}`,
    );
  }
  console.log("\nBy area (self time):");
  for (const [g, c] of [...byGroup].sort((a, b) => b[1] - a[1])) console.log(`${pct(c)}  ${g}`);
  console.log("\nTop functions (self time):");
  for (const [f, c] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(c)}  ${f}`);
} finally {
  try {
    pub.kill("SIGKILL");
  } catch { /* gone */ }
  await pub.status;
  await peer.stop();
}
