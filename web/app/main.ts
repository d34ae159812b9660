/// <reference lib="dom" />
/**
 * The public H5 player: `/` lists live streams, VOD files and recordings and plays any of them;
 * `/player?app=&name=&proto=` is the same player alone, for share links and embedding.
 */
import { getJson, joinPath, type Listing, liveStreams, type StreamEntry } from "./api.ts";
import { kindOfFile, play, type Source } from "./playback.ts";
import { publishWhip } from "./webrtc.ts";
import { type Choice, choicesFor, isKind, liveSource } from "./protocols.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T | null;
const video = $("video") as HTMLVideoElement;
const status = $("watch-status")!;
let stop: (() => void) | undefined;

async function start(src: Source): Promise<void> {
  stop?.();
  stop = undefined;
  status.textContent = `Loading ${src.url}`;
  try {
    stop = await play(video, src, (msg) => status.textContent = `Error: ${msg}`);
    video.addEventListener("playing", () => status.textContent = "", { once: true });
  } catch (err) {
    status.textContent = `Error: ${(err as Error).message}`;
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = "", attrs: Record<string, string> = {}) {
  const e = document.createElement(tag);
  e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function copyButton(value: () => string): HTMLButtonElement {
  const b = el("button", "Copy");
  b.onclick = async () => {
    try {
      await navigator.clipboard.writeText(value());
      b.textContent = "Copied";
    } catch {
      b.textContent = "Select and copy";
    }
    setTimeout(() => b.textContent = "Copy", 1500);
  };
  return b;
}

const fmtUptime = (s: number) => {
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
};
const fmtRate = (kbps: number) =>
  kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;

/** The player page: everything comes from the query. */
function playerPage(): void {
  const q = new URLSearchParams(location.search);
  const app = q.get("app") ?? "", name = q.get("name") ?? "";
  if (!app || !name) {
    status.textContent = "Add ?app=<app>&name=<stream>&proto=flv|ws-flv|hls|ll-hls|dash to the address.";
    return;
  }
  const proto = q.get("proto");
  start(liveSource(app, name, isKind(proto) ? proto : "flv"));
}

let watching: { app: string; name: string; kind: string } | undefined;

function watchLive(s: StreamEntry, choice?: Choice): void {
  const choices = choicesFor(s.urls);
  const pick = choice ?? choices[0];
  $("watch")!.hidden = false;
  $("watch-title")!.textContent = `${s.app}/${s.name}`;
  const protos = $("protos")!;
  protos.replaceChildren(...choices.map((c) => {
    const b = el("button", c.label, {
      role: "tab",
      "aria-selected": String(c.kind === pick?.kind),
      "data-kind": c.kind,
    });
    b.onclick = () => watchLive(s, c);
    return b;
  }));
  $("urls")!.replaceChildren(...s.urls.map((u) => {
    const li = el("li");
    li.append(el("strong", u.type), el("code", u.url), copyButton(() => u.url));
    return li;
  }));
  if (!pick) {
    status.textContent = "This stream has no output a browser can play here.";
    return;
  }
  const share = `${location.origin}/player?app=${encodeURIComponent(s.app)}&name=${
    encodeURIComponent(s.name)
  }&proto=${pick.kind}`;
  ($("share") as HTMLInputElement).value = share;
  ($("embed") as HTMLInputElement).value =
    `<iframe src="${share}" width="640" height="360" allow="autoplay; fullscreen" frameborder="0"></iframe>`;
  watching = { app: s.app, name: s.name, kind: pick.kind };
  history.replaceState(
    null,
    "",
    `#watch=${encodeURIComponent(s.app)}/${encodeURIComponent(s.name)}/${pick.kind}`,
  );
  start(liveSource(s.app, s.name, pick.kind));
  $("watch")!.scrollIntoView({ behavior: "smooth" });
}

function watchFile(title: string, url: string): void {
  $("watch")!.hidden = false;
  $("watch-title")!.textContent = title;
  $("protos")!.replaceChildren();
  $("urls")!.replaceChildren(el("li"));
  $("urls")!.firstElementChild!.append(el("strong", "file"), el("code", url), copyButton(() => url));
  watching = undefined;
  start({ kind: kindOfFile(url.split("?")[0]), url, live: false });
  $("watch")!.scrollIntoView({ behavior: "smooth" });
}

async function refreshLive(): Promise<void> {
  let streams: StreamEntry[];
  try {
    streams = await liveStreams();
  } catch (err) {
    $("live-count")!.textContent = `(${(err as Error).message})`;
    return;
  }
  $("live-count")!.textContent = `(${streams.length})`;
  $("live-empty")!.hidden = streams.length > 0;
  $("live-rows")!.replaceChildren(...streams.map((s) => {
    const v = s.media.video, a = s.media.audio;
    const tr = el("tr", "", { "data-key": `${s.app}/${s.name}` });
    tr.append(
      el("td", `${s.app}/${s.name}`),
      el("td", v ? `${v.codec} ${v.width}×${v.height} ${Math.round(v.fps)} fps` : "—"),
      el("td", a ? `${a.codec} ${a.samplerate / 1000} kHz` : "—"),
      el("td", fmtRate(s.rate)),
      el("td", String(s.players.total)),
      el("td", fmtUptime(s.uptime)),
    );
    tr.onclick = () => watchLive(s);
    return tr;
  }));
  // A share link of the index (#watch=app/name/kind) opens that stream once it is listed.
  const m = /^#watch=([^/]+)\/([^/]+)\/([\w-]+)$/.exec(location.hash);
  if (m && !watching) {
    const s = streams.find((x) => x.app === decodeURIComponent(m[1]) && x.name === decodeURIComponent(m[2]));
    if (s) watchLive(s, choicesFor(s.urls).find((c) => c.kind === m[3]));
  }
}

/** A folder listing (VOD or recordings) that opens folders in place and plays files. */
async function browse(
  listId: string,
  pathId: string,
  api: (segs: string[]) => string,
  fileUrl: (segs: string[], f: string) => string,
  segs: string[] = [],
): Promise<void> {
  const list = $(listId)!;
  $(pathId)!.textContent = segs.length ? `/${segs.join("/")}` : "";
  let r: Listing;
  try {
    r = await getJson<Listing>(api(segs));
  } catch (err) {
    list.replaceChildren(el("li", (err as Error).message));
    return;
  }
  const items: HTMLElement[] = [];
  const go = (next: string[]) => () => browse(listId, pathId, api, fileUrl, next);
  if (segs.length) {
    const up = el("a", "⬑ up");
    up.onclick = go(segs.slice(0, -1));
    items.push(el("li"));
    items.at(-1)!.append(up);
  }
  for (const d of r.dirs ?? []) {
    const a = el("a", `📁 ${d}`);
    a.onclick = go([...segs, d]);
    items.push(el("li"));
    items.at(-1)!.append(a);
  }
  for (const f of r.files ?? []) {
    const a = el("a", `▶ ${f}`, { "data-file": f });
    a.onclick = () => watchFile([...segs, f].join("/"), fileUrl(segs, f));
    items.push(el("li"));
    items.at(-1)!.append(a);
  }
  if (!items.length) items.push(el("li", "empty"));
  list.replaceChildren(...items);
}

function indexPage(): void {
  for (const h of document.querySelectorAll(".host")) h.textContent = location.hostname;
  for (const b of document.querySelectorAll<HTMLButtonElement>("button[data-copy]")) {
    const input = $(b.dataset.copy!) as HTMLInputElement;
    b.replaceWith(copyButton(() => input.value));
  }
  refreshLive();
  setInterval(refreshLive, 3000);
  browse(
    "vod-list",
    "vod-path",
    (s) => `/api/vod${s.length ? "/" + joinPath(...s) : ""}`,
    (s, f) => `${location.origin}/vod/${joinPath(...s, f)}`,
  );
  // Recordings: streams, then days, then the recordings of a day (smart_rtmpd's /rec API).
  browse(
    "rec-list",
    "rec-path",
    (s) => s.length ? `/rec/${joinPath(...s)}` : "/api/rec",
    (s, f) => `${location.origin}/rec/${joinPath(...s, f)}`,
  );
}

/** The WHIP page: the browser's camera and microphone, or a screen, published under app/name. */
function publishPage(): void {
  const name = $<HTMLInputElement>("publish-name")!;
  name.value ||= `web${Math.floor(Math.random() * 1e6)}`;
  let stopPublish: (() => void) | undefined;
  const setRunning = (on: boolean) => {
    $<HTMLButtonElement>("publish-start")!.disabled = on;
    $<HTMLButtonElement>("publish-stop")!.disabled = !on;
  };
  $("publish-form")!.addEventListener("submit", async (e) => {
    e.preventDefault();
    const app = $<HTMLInputElement>("publish-app")!.value.trim();
    const stream = name.value.trim();
    try {
      status.textContent = "Asking for the camera…";
      const media = $<HTMLSelectElement>("publish-source")!.value === "screen"
        ? await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true })
        : await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      video.srcObject = media;
      status.textContent = "Offering to the server (WHIP)…";
      const url = `${location.origin}/${encodeURIComponent(app)}/${encodeURIComponent(stream)}/whip`;
      const session = await publishWhip(media, url, $<HTMLInputElement>("publish-token")!.value.trim());
      stopPublish = session.stop;
      session.pc.onconnectionstatechange = () => status.textContent = `WebRTC: ${session.pc.connectionState}`;
      status.textContent = "Publishing";
      const watch = `${location.origin}/player?app=${encodeURIComponent(app)}&name=${
        encodeURIComponent(stream)
      }&proto=webrtc`;
      const link = $<HTMLAnchorElement>("publish-link")!;
      link.href = link.textContent = watch;
      $("publish-watch")!.hidden = false;
      setRunning(true);
    } catch (err) {
      status.textContent = `Error: ${(err as Error).message}`;
    }
  });
  $("publish-stop")!.onclick = () => {
    stopPublish?.();
    stopPublish = undefined;
    video.srcObject = null;
    status.textContent = "Stopped";
    setRunning(false);
  };
}

if ($("live-rows")) indexPage();
else if ($("publish-form")) publishPage();
else playerPage();
