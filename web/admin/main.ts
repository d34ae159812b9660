/// <reference lib="dom" />
/**
 * The admin portal: a login, then pages over the admin API (/admin/api/, smart_rtmpd's envelope):
 * a live dashboard, streams with preview and kick, users, the log tail and files, system info. The
 * token lives in sessionStorage (gone with the tab); a 401 from any call returns to the login.
 */
import { LiveChart } from "./chart.ts";
import { play } from "../app/playback.ts";
import { liveSource } from "../app/protocols.ts";
import { kindOfFile } from "../app/playback.ts";
import { liveStreams, type StreamEntry } from "../app/api.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const PAGES = ["dashboard", "streams", "sessions", "files", "config", "policy", "users", "logs", "system"];
const TOKEN = "estuary.admin.token";

class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

// deno-lint-ignore no-explicit-any
async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const token = sessionStorage.getItem(TOKEN);
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`/admin/api/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = await res.json().catch(() => ({ code: res.status, msg: res.statusText }));
  if (res.status === 401 && path !== "login") {
    sessionStorage.removeItem(TOKEN);
    show("login");
  }
  if (j.code !== 0) throw new ApiError(res.status, j.msg ?? `HTTP ${res.status}`);
  return j.data as T;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = "", attrs: Record<string, string> = {}) {
  const e = document.createElement(tag);
  e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function button(text: string, onclick: () => void, attrs: Record<string, string> = {}) {
  const b = el("button", text, { type: "button", ...attrs });
  b.onclick = onclick;
  return b;
}

let timer: ReturnType<typeof setInterval> | undefined;
let stopPreview: (() => void) | undefined;

function show(page: string): void {
  clearInterval(timer);
  timer = undefined;
  stopPreview?.();
  stopPreview = undefined;
  const loggedIn = !!sessionStorage.getItem(TOKEN);
  $("login").hidden = loggedIn;
  $("nav").hidden = !loggedIn;
  for (const p of PAGES) $(p).hidden = !loggedIn || p !== page;
  if (!loggedIn) return;
  for (const a of $("nav").querySelectorAll("a")) {
    a.classList.toggle("current", a.getAttribute("href") === `#${page}`);
  }
  const run =
    { dashboard, streams, sessions, files, config, policy, users, logs, system }[page as "dashboard"];
  run?.().catch((err) => console.error(err));
}

function route(): void {
  const page = location.hash.slice(1);
  show(PAGES.includes(page) ? page : "dashboard");
}

// --- Dashboard ---------------------------------------------------------------------------------

interface Overview {
  time: number;
  uptime: number;
  version: string;
  cpuSeconds: number;
  memory: { rss: number; heapUsed: number };
  streams: number;
  players: Record<string, number>;
  connections: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
}

const charts = new Map<string, LiveChart>();
const chart = (id: string, unit = "") => {
  let c = charts.get(id);
  if (!c) charts.set(id, c = new LiveChart($(id), { unit }));
  return c;
};
let previous: Overview | undefined;

const fmtUptime = (s: number) => {
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
};

async function dashboard(): Promise<void> {
  const tick = async () => {
    const o = await api<Overview>("GET", "overview");
    const players = Object.values(o.players).reduce((a, b) => a + b, 0);
    $("cards").replaceChildren(
      ...[
        ["Uptime", fmtUptime(o.uptime)],
        ["Version", o.version],
        ["Streams", String(o.streams)],
        ["Players", String(players)],
      ].map(([k, v]) => {
        const card = el("div", "", { class: "card" });
        card.append(el("small", k), el("strong", v));
        return card;
      }),
    );
    if (previous) {
      const dt = (o.time - previous.time) / 1000;
      if (dt > 0) {
        chart("chart-cpu", "%").push({ cpu: (100 * (o.cpuSeconds - previous.cpuSeconds)) / dt });
        chart("chart-bw").push({
          in: ((o.bytesIn - previous.bytesIn) * 8) / dt / 1e6,
          out: ((o.bytesOut - previous.bytesOut) * 8) / dt / 1e6,
        });
      }
    }
    chart("chart-mem").push({ rss: o.memory.rss / 1e6, heap: o.memory.heapUsed / 1e6 });
    chart("chart-conns").push({ ...o.connections, ...prefixed("play ", o.players) });
    previous = o;
  };
  await tick();
  timer = setInterval(() => tick().catch(() => {}), 2000);
}

const prefixed = (p: string, r: Record<string, number>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [p + k, v]));

// --- Streams -----------------------------------------------------------------------------------

let previewKey = "";
let rateChart: LiveChart | undefined;

async function streams(): Promise<void> {
  const render = async () => {
    const list = await liveStreams();
    const shown = list.find((s) => `${s.app}/${s.name}` === previewKey);
    if (shown && rateChart) rateChart.push({ [previewKey]: shown.rate });
    $("streams-count").textContent = `(${list.length})`;
    // Rows are kept and updated in place: a button under the pointer must not be replaced.
    const body = $("streams-rows");
    const keep = new Set(list.map((s) => `${s.app}/${s.name}`));
    for (const tr of [...body.querySelectorAll("tr")]) if (!keep.has(tr.dataset.key!)) tr.remove();
    for (const s of list) {
      const tr = body.querySelector<HTMLTableRowElement>(
        `tr[data-key="${CSS.escape(`${s.app}/${s.name}`)}"]`,
      );
      if (tr) fillRow(tr, s);
      else body.append(streamRow(s));
    }
  };
  await render();
  timer = setInterval(() => render().catch(() => {}), 3000);
}

/** Sets the text cells of a stream's row (the first five). */
function fillRow(tr: HTMLTableRowElement, s: StreamEntry): void {
  const v = s.media.video, a = s.media.audio;
  const players = Object.entries(s.players.count).map(([p, n]) => `${p} ${n}`).join(", ") || "0";
  const texts = [
    `${s.app}/${s.name}`,
    [v && `${v.codec} ${v.width}×${v.height}`, a && `${a.codec} ${a.samplerate / 1000} kHz`].filter(Boolean)
      .join(" · "),
    `${Math.round(s.rate)} kbit/s`,
    players,
    s.from,
    s.warnings.join("; "),
  ];
  texts.forEach((t, i) => {
    if (tr.cells[i].textContent !== t) tr.cells[i].textContent = t;
  });
  const rec = tr.querySelector<HTMLButtonElement>('button[data-action="record"]');
  if (rec) setRecording(rec, s.recording);
}

function streamRow(s: StreamEntry): HTMLTableRowElement {
  const tr = el("tr", "", { "data-key": `${s.app}/${s.name}` });
  const actions = el("td");
  const rec = button(s.recording ? "Stop recording" : "Record", async () => {
    const cmd = rec.dataset.recording === "1" ? "stop" : "start";
    try {
      await api(
        "POST",
        `record?cmd=${cmd}&app=${encodeURIComponent(s.app)}&name=${encodeURIComponent(s.name)}`,
      );
      setRecording(rec, cmd === "start");
    } catch (err) {
      $("watch-status").textContent = (err as Error).message;
    }
  }, { "data-action": "record" });
  setRecording(rec, s.recording);
  actions.append(
    button("Preview", () => preview(s)),
    rec,
    button("Kick", async () => {
      if (!confirm(`Disconnect the publisher of ${s.app}/${s.name}?`)) return;
      try {
        const q = `app=${encodeURIComponent(s.app)}&name=${encodeURIComponent(s.name)}`;
        await api("POST", `stream?cmd=kick&${q}`, { app: s.app, name: s.name });
        tr.remove();
      } catch (err) {
        $("watch-status").textContent = (err as Error).message;
      }
    }, { class: "danger", "data-action": "kick" }),
  );
  tr.append(el("td"), el("td"), el("td"), el("td"), el("td"), el("td", "", { class: "warn" }), actions);
  fillRow(tr, s);
  return tr;
}

/** The record button's state: what a click does next. */
function setRecording(b: HTMLButtonElement, on: boolean): void {
  b.dataset.recording = on ? "1" : "0";
  b.textContent = on ? "Stop recording" : "Record";
}

async function preview(s: StreamEntry): Promise<void> {
  stopPreview?.();
  previewKey = `${s.app}/${s.name}`;
  rateChart = new LiveChart($("chart-rate"));
  rateChart.push({ [previewKey]: s.rate });
  $("preview-box").hidden = false;
  $("preview-title").textContent = `${s.app}/${s.name}`;
  const kind = s.urls.some((u) => u.type === "http-flv") ? "flv" : "hls";
  $("preview-urls").replaceChildren(...s.urls.map((u) => {
    const li = el("li");
    li.append(
      el("strong", u.type),
      el("code", u.url),
      button("Copy", () => navigator.clipboard.writeText(u.url)),
    );
    return li;
  }));
  stopPreview = await play($<HTMLVideoElement>("video"), liveSource(s.app, s.name, kind), (m) => {
    $("watch-status").textContent = m;
  });
}

// --- Sessions ----------------------------------------------------------------------------------

interface Session {
  id: string;
  protocol: string;
  role: string;
  stream?: string;
  remote: string;
  bytesIn: number;
  bytesOut: number;
  duration: number;
}

const fmtBytes = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)} GB`
    : n >= 1e6
    ? `${(n / 1e6).toFixed(1)} MB`
    : `${Math.round(n / 1e3)} KB`;

async function sessions(): Promise<void> {
  const render = async () => {
    const list = await api<Session[]>("GET", "session");
    $("sessions-count").textContent = `(${list.length})`;
    const body = $("sessions-rows");
    const keep = new Set(list.map((s) => s.id));
    for (const tr of [...body.querySelectorAll("tr")]) if (!keep.has(tr.dataset.id!)) tr.remove();
    for (const s of list) {
      let tr = body.querySelector<HTMLTableRowElement>(`tr[data-id="${CSS.escape(s.id)}"]`);
      if (!tr) {
        tr = el("tr", "", { "data-id": s.id });
        const row = tr;
        const td = el("td");
        td.append(button("Kick", async () => {
          try {
            await api("POST", "session?cmd=kick", { id: s.id });
            row.remove();
          } catch (err) {
            $("sessions-msg").textContent = (err as Error).message;
          }
        }, { class: "danger", "data-action": "kick" }));
        tr.append(el("td"), el("td"), el("td"), el("td"), el("td"), el("td"), td);
        body.append(tr);
      }
      const texts = [
        s.protocol,
        s.role,
        s.stream ?? "",
        s.remote,
        `${fmtBytes(s.bytesIn)} / ${fmtBytes(s.bytesOut)}`,
        fmtUptime(s.duration),
      ];
      texts.forEach((t, i) => {
        if (tr!.cells[i].textContent !== t) tr!.cells[i].textContent = t;
      });
    }
  };
  await render();
  timer = setInterval(() => render().catch(() => {}), 2000);
}

// --- Files (VOD and recordings) ---------------------------------------------------------------

interface Entry {
  name: string;
  size: number;
  mtime: number;
}
const where = { root: "vod" as "vod" | "rec", path: [] as string[] };

async function files(): Promise<void> {
  const msg = (t: string) => $("files-msg").textContent = t;
  for (const b of document.querySelectorAll<HTMLButtonElement>("#files button[data-root]")) {
    b.setAttribute("aria-selected", String(b.dataset.root === where.root));
    b.onclick = () => {
      where.root = b.dataset.root as "vod" | "rec";
      where.path = [];
      files();
    };
  }
  $("upload").hidden = where.root !== "vod";
  $("files-path").textContent = `/${where.root}/${where.path.join("/")}`;
  const path = where.path.join("/");
  let list: { dirs: Entry[]; files: Entry[] };
  try {
    list = await api("GET", `files?root=${where.root}&path=${encodeURIComponent(path)}`);
  } catch (err) {
    msg((err as Error).message);
    return;
  }
  const rows: HTMLElement[] = [];
  const urlOf = (name: string) => `/${where.root}/${[...where.path, name].map(encodeURIComponent).join("/")}`;
  const del = (name: string) =>
    button("Delete", async () => {
      if (!confirm(`Delete ${[...where.path, name].join("/")}?`)) return;
      try {
        await api("POST", "files?cmd=del", { root: where.root, path: [...where.path, name].join("/") });
        msg(`deleted ${name}`);
        files();
      } catch (err) {
        msg((err as Error).message);
      }
    }, { class: "danger", "data-action": "delete" });
  if (where.path.length) {
    const tr = el("tr");
    const td = el("td");
    td.append(button("⬑ up", () => {
      where.path.pop();
      files();
    }));
    tr.append(td);
    rows.push(tr);
  }
  for (const d of list.dirs) {
    const tr = el("tr", "", { "data-name": d.name });
    const td = el("td");
    td.append(button(`📁 ${d.name}`, () => {
      where.path.push(d.name);
      files();
    }));
    const act = el("td");
    act.append(del(d.name));
    tr.append(td, el("td", ""), el("td", new Date(d.mtime).toLocaleString()), act);
    rows.push(tr);
  }
  for (const f of list.files) {
    const tr = el("tr", "", { "data-name": f.name });
    const act = el("td");
    const playable = /\.(mp4|m4v|webm|mov|flv|m3u8|mpd|mp3|m4a|ts)$/i.test(f.name);
    if (playable) {
      act.append(button("Play", async () => {
        $("file-box").hidden = false;
        $("file-title").textContent = f.name;
        stopPreview?.();
        stopPreview = await play($<HTMLVideoElement>("file-video"), {
          kind: kindOfFile(f.name),
          url: location.origin + urlOf(f.name),
          live: false,
        }, msg);
      }, { "data-action": "play" }));
    }
    act.append(del(f.name));
    tr.append(
      el("td", f.name),
      el("td", fmtBytes(f.size)),
      el("td", new Date(f.mtime).toLocaleString()),
      act,
    );
    rows.push(tr);
  }
  if (!list.dirs.length && !list.files.length) rows.push(el("tr", "empty"));
  $("files-rows").replaceChildren(...rows);
}

$("upload").addEventListener("submit", (e) => {
  e.preventDefault();
  const form = new FormData(e.target as HTMLFormElement);
  const bar = $<HTMLProgressElement>("upload-progress");
  bar.hidden = false;
  bar.value = 0;
  // XMLHttpRequest: fetch has no upload progress.
  const xhr = new XMLHttpRequest();
  xhr.open("POST", `/vod/${where.path.map(encodeURIComponent).join("/")}`);
  xhr.upload.onprogress = (ev) => {
    if (ev.lengthComputable) bar.value = Math.round((100 * ev.loaded) / ev.total);
  };
  xhr.onload = () => {
    let m = `HTTP ${xhr.status}`;
    try {
      const j = JSON.parse(xhr.responseText);
      m = j.code === 0 ? `uploaded ${j.files.join(", ")}` : j.msg;
    } catch { /* not JSON */ }
    bar.value = 100;
    $("files-msg").textContent = m;
    (e.target as HTMLFormElement).reset();
    files();
  };
  xhr.onerror = () => $("files-msg").textContent = "upload failed: connection error";
  xhr.send(form);
});

// --- Config ------------------------------------------------------------------------------------

interface ElementMeta {
  path: string;
  default: string;
  allowed: string;
  meaning: string;
}
const pending = new Map<string, string>();

async function config(): Promise<void> {
  const [meta, current] = await Promise.all([
    fetch("/admin/config_meta.json").then((r) => r.json() as Promise<ElementMeta[]>),
    api<Record<string, Record<string, unknown>>>("GET", "config"),
  ]);
  pending.clear();
  $<HTMLButtonElement>("config-save").disabled = true;
  $("config-diff").replaceChildren();
  const valueOf = (path: string) => {
    let v: unknown = current;
    for (const k of path.split(".")) v = (v as Record<string, unknown> | undefined)?.[k];
    return v === undefined || v === null ? "" : String(v);
  };
  $("config-rows").replaceChildren(...meta.map((m) => {
    const tr = el("tr", "", { "data-path": m.path });
    const input = el("input", "", { value: valueOf(m.path), "data-path": m.path, "aria-label": m.path });
    input.onchange = () => {
      pending.set(m.path, input.value);
      $<HTMLButtonElement>("config-save").disabled = true;
    };
    const td = el("td");
    td.append(input);
    tr.append(el("td", m.path), td, el("td", m.default), el("td", m.allowed), el("td", m.meaning));
    return tr;
  }));
}

async function reviewConfig(apply: boolean): Promise<void> {
  const msg = (t: string) => $("config-msg").textContent = t;
  if (!pending.size) return void msg("nothing changed");
  try {
    const r = await api<{ diff: { path: string; from: unknown; to: unknown }[]; changed?: string[] }>(
      "POST",
      "config",
      {
        changes: Object.fromEntries(pending),
        apply,
      },
    );
    $("config-diff").replaceChildren(
      ...r.diff.map((d) => el("li", `${d.path}: ${JSON.stringify(d.from)} → ${JSON.stringify(d.to)}`)),
    );
    if (!r.diff.length) msg("these values change nothing in force (the environment may set them)");
    else if (!apply) msg(`${r.diff.length} change(s): review, then save`);
    $<HTMLButtonElement>("config-save").disabled = apply || !r.diff.length;
    if (apply) {
      msg(`saved and applied; sections reloaded: ${(r.changed ?? []).join(", ") || "none"}`);
      pending.clear();
    }
  } catch (err) {
    msg((err as Error).message);
    $<HTMLButtonElement>("config-save").disabled = true;
  }
}

$("config-review").onclick = () => reviewConfig(false);
$("config-save").onclick = () => reviewConfig(true);
$("config-filter").oninput = () => {
  const q = ($("config-filter") as HTMLInputElement).value.toLowerCase();
  for (const tr of $("config-rows").querySelectorAll<HTMLTableRowElement>("tr")) {
    tr.hidden = q !== "" && !tr.textContent!.toLowerCase().includes(q) && !tr.dataset.path!.includes(q);
  }
};

// --- Policy ------------------------------------------------------------------------------------

interface ClusterState {
  forwards: {
    key: string;
    url: string;
    state: string;
    since: string;
    bytes: number;
    reconnects: number;
    error?: string;
  }[];
  pulls: {
    name: string;
    source: string;
    ondemand: boolean;
    state: string;
    since: number;
    restarts: number;
    lastError?: string;
  }[];
  edges: { key: string; origin: string; startedAt: number; frames: number }[];
}

/** Forwards, pulls and edge pulls with their state, refreshed while the page is open. */
async function clusterTable(): Promise<void> {
  const c = await api<ClusterState>("GET", "cluster");
  const ago = (t: number) => fmtUptime(Math.max(0, Math.round((Date.now() - t) / 1000)));
  const rows: string[][] = [
    ...c.forwards.map((f) => [
      "forward",
      f.key,
      f.url,
      f.state,
      ago(Date.parse(f.since)),
      `${fmtBytes(f.bytes)} sent, ${f.reconnects} reconnects`,
      f.error ?? "",
    ]),
    ...c.pulls.map((p) => [
      p.ondemand ? "pull (on demand)" : "pull",
      p.name,
      p.source,
      p.state,
      ago(p.since),
      `${p.restarts} restarts`,
      p.lastError ?? "",
    ]),
    ...c.edges.map((
      e,
    ) => ["edge pull", e.key, e.origin, "pulling", ago(e.startedAt), `${e.frames} frames`, ""]),
  ];
  $("cluster-count").textContent = `(${rows.length})`;
  $("cluster-rows").replaceChildren(...rows.map((r) => {
    const tr = el("tr", "", { "data-kind": r[0], "data-stream": r[1] });
    tr.append(...r.map((t) => el("td", t)));
    return tr;
  }));
}

async function policy(): Promise<void> {
  await clusterTable().catch((e) => $("policy-msg").textContent = (e as Error).message);
  timer = setInterval(() => clusterTable().catch(() => {}), 2000);
  const r = await api<{ file: string; text: string }>("GET", "policy").catch((e) => {
    $("policy-msg").textContent = (e as Error).message;
    return undefined;
  });
  if (!r) return;
  $("policy-file").textContent = r.file;
  ($("policy-text") as HTMLTextAreaElement).value = r.text;
  $("policy-diff").replaceChildren();
  $<HTMLButtonElement>("policy-save").disabled = true;
}

async function reviewPolicy(apply: boolean): Promise<void> {
  const msg = (t: string) => $("policy-msg").textContent = t;
  try {
    const r = await api<{ diff: string[]; changed?: string[] }>("POST", "policy", {
      text: ($("policy-text") as HTMLTextAreaElement).value,
      apply,
    });
    $("policy-diff").replaceChildren(...r.diff.map((l) => el("li", l)));
    $<HTMLButtonElement>("policy-save").disabled = apply || r.diff.length === 0;
    msg(
      apply
        ? `saved and applied; reloaded: ${(r.changed ?? []).join(", ") || "nothing"}`
        : r.diff.length
        ? `${r.diff.length} change(s): review, then save`
        : "no change in what the policy does",
    );
  } catch (err) {
    msg((err as Error).message);
    $<HTMLButtonElement>("policy-save").disabled = true;
  }
}
$("policy-review").onclick = () => reviewPolicy(false);
$("policy-save").onclick = () => reviewPolicy(true);
$("policy-text").oninput = () => $<HTMLButtonElement>("policy-save").disabled = true;

// --- Users -------------------------------------------------------------------------------------

interface User {
  name: string;
  role: string;
  created: number;
}

async function users(): Promise<void> {
  const list = await api<User[]>("GET", "user");
  const msg = (t: string) => $("users-msg").textContent = t;
  $("users-rows").replaceChildren(...list.map((u) => {
    const tr = el("tr", "", { "data-user": u.name });
    const role = el("select");
    for (const r of ["admin", "viewer"]) role.append(el("option", r, r === u.role ? { selected: "" } : {}));
    role.onchange = () =>
      api("POST", "user?cmd=modify", { name: u.name, role: role.value }).then(
        () => msg(`${u.name} is now ${role.value}`),
        (e) => msg(e.message),
      );
    const td = el("td");
    td.append(role);
    const del = el("td");
    del.append(
      button("Password", () => {
        const me = ($("me").textContent ?? "").slice(1).split(",")[0];
        const oldpwd = u.name === me ? prompt(`Current password of ${u.name}`) ?? "" : "";
        const newpwd = prompt(`New password for ${u.name} (8 characters or more)`);
        if (!newpwd) return;
        api("POST", "password", { name: u.name, oldpwd, newpwd }).then(
          () => msg(`password of ${u.name} changed; its other sessions ended`),
          (e) => msg(e.message),
        );
      }, { "data-action": "password" }),
      button(
        "Delete",
        () => api("POST", "user?cmd=del", { name: u.name }).then(() => users(), (e) => msg(e.message)),
        { class: "danger" },
      ),
    );
    tr.append(el("td", u.name), td, el("td", new Date(u.created).toLocaleString()), del);
    return tr;
  }));
}

// --- Logs --------------------------------------------------------------------------------------

async function logs(): Promise<void> {
  const render = async () => {
    const level = ($("log-level") as HTMLSelectElement).value;
    const lines = ($("log-lines") as HTMLSelectElement).value;
    const got = await api<string[]>("GET", `logmsg?line=${lines}${level ? `&level=${level}` : ""}`);
    $("log-lines-box").textContent = got.join("\n");
  };
  const files = await api<string[]>("GET", "logfile");
  $("log-files").replaceChildren(...files.map((f) => {
    const li = el("li");
    li.append(button(f, () => download(f)));
    return li;
  }));
  if (!files.length) {
    $("log-files").append(el("li", "no daily files (log.file is off, or nothing written yet)"));
  }
  await render();
  timer = setInterval(() => render().catch(() => {}), 2000);
}

async function download(name: string): Promise<void> {
  const res = await fetch(`/admin/api/logfile?name=${encodeURIComponent(name)}`, {
    headers: { authorization: `Bearer ${sessionStorage.getItem(TOKEN)}` },
  });
  const url = URL.createObjectURL(await res.blob());
  const a = el("a", "", { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// --- System ------------------------------------------------------------------------------------

async function system(): Promise<void> {
  // deno-lint-ignore no-explicit-any
  const s = await api<any>("GET", "sysinfo");
  const table = (rows: [string, string][]) => {
    const t = el("table");
    for (const [k, v] of rows) {
      const tr = el("tr");
      tr.append(el("th", k), el("td", v));
      t.append(tr);
    }
    return t;
  };
  $("sys").replaceChildren(
    table([
      ["OS", `${s.os_type} ${s.os_release} (${s.os_platform}, ${s.cpu_arch})`],
      ["Host", s.hostname],
      ["Run time", s.run_time],
      ["Memory", `${s.mem_free} free of ${s.mem_size}; Estuary uses ${s.process_rss}`],
      ["Load", s.cpu_average.map((x: number) => x.toFixed(2)).join(" / ")],
    ]),
    el("h3", "CPUs"),
    table(
      s.cpu_info.map((
        c: { type: string; speed: number; used: string },
        i: number,
      ) => [`#${i}`, `${c.type} ${c.speed} MHz, ${c.used} used`]),
    ),
    el("h3", "Network"),
    table(
      s.net_interface.map((
        n: { name: string; ip: string; mask: string; mac: string },
      ) => [n.name, `${n.ip}/${n.mask} ${n.mac}`]),
    ),
    el("h3", "Disks"),
    table(
      s.disk_info.map((
        d: { mounted: string; available: number; total: number; capacity: string },
      ) => [
        d.mounted,
        `${(d.available / 1e9).toFixed(1)} GB free of ${(d.total / 1e9).toFixed(1)} GB (${d.capacity} used)`,
      ]),
    ),
  );
}

// --- Start -------------------------------------------------------------------------------------

$("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("login-error").textContent = "";
  try {
    const r = await api<{ token: string; user: string; role: string }>("POST", "login", {
      id: ($("login-user") as HTMLInputElement).value,
      pwd: ($("login-pwd") as HTMLInputElement).value,
    });
    sessionStorage.setItem(TOKEN, r.token);
    $("me").textContent = `(${r.user}, ${r.role})`;
    ($("login-pwd") as HTMLInputElement).value = "";
    route();
  } catch (err) {
    $("login-error").textContent = (err as Error).message;
  }
});
$("logout").onclick = async () => {
  await api("POST", "logout").catch(() => {});
  sessionStorage.removeItem(TOKEN);
  show("login");
};
$("user-add").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = new FormData(e.target as HTMLFormElement);
  try {
    await api("POST", "user?cmd=add", Object.fromEntries(f));
    $("users-msg").textContent = `added ${f.get("name")}`;
    (e.target as HTMLFormElement).reset();
    await users();
  } catch (err) {
    $("users-msg").textContent = (err as Error).message;
  }
});
for (const id of ["log-level", "log-lines"]) $(id).onchange = () => show("logs");
addEventListener("hashchange", route);
if (sessionStorage.getItem(TOKEN)) {
  api<{ name: string; role: string }>("GET", "whoami").then(
    (u) => $("me").textContent = `(${u.name}, ${u.role})`,
    () => {},
  );
}
route();
