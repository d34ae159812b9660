/** The frontier chart: CPU per delivered gigabit (x) against latency p50/p99 (y), as an SVG. */

export interface FrontierPoint {
  peer: string;
  /** The batch setting ("batchms/maxbatchms"), or what the peer does. */
  setting: string;
  players: number;
  cpu_per_gbit: number;
  p50_ms: number;
  p99_ms: number;
  samples: number;
  dropped: number;
  /** Slowest player's bytes over what the source bitrate gives in the window (1 = 100 %). */
  min_share: number;
  rss_kb_per_player: number;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
const W = 760, H = 480, L = 64, R = 180, T = 40, B = 56;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A readable axis step: 1, 2 or 5 times a power of ten, about `count` ticks over `max`. */
function step(max: number, count: number): number {
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

export function frontierSvg(
  points: FrontierPoint[],
  o: { proto: string; goals?: { p50: number; p99: number } },
): string {
  // A run where the slowest player got less than 90 % of the stream measured a saturated machine, not
  // the server: it is left out of the chart and named under it.
  const ok = points.filter((p) =>
    Number.isFinite(p.cpu_per_gbit) && Number.isFinite(p.p99_ms) && !(p.min_share < 0.9)
  );
  const left = points.filter((p) => !ok.includes(p));
  const goals = o.goals ?? { p50: 20, p99: 50 };
  const xMax = Math.max(0.1, ...ok.map((p) => p.cpu_per_gbit)) * 1.1;
  // Latency above 5× the p99 goal is drawn at the top edge with its value.
  const yCap = goals.p99 * 5;
  const yMax = Math.min(yCap, Math.max(goals.p99 * 1.2, ...ok.map((p) => p.p99_ms)) * 1.1);
  const clip = (v: number) => Math.min(v, yMax);
  const x = (v: number) => L + (v / xMax) * (W - L - R);
  const y = (v: number) => H - B - (clip(v) / yMax) * (H - T - B);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(
    `<text x="${L}" y="22" font-size="14" font-weight="bold">Fan-out batch window: CPU against latency (${
      esc(o.proto)
    }, 600 kbit/s)</text>`,
  );
  // Axes and grid.
  const xs = step(xMax, 6), ys = step(yMax, 6);
  for (let v = 0; v <= xMax; v += xs) {
    out.push(`<line x1="${x(v)}" y1="${T}" x2="${x(v)}" y2="${H - B}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${+v.toFixed(3)}</text>`);
  }
  for (let v = 0; v <= yMax; v += ys) {
    out.push(`<line x1="${L}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="#eee"/>`);
    out.push(`<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${+v.toFixed(1)}</text>`);
  }
  out.push(`<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>`);
  out.push(`<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`);
  out.push(
    `<text x="${(L + W - R) / 2}" y="${
      H - 14
    }" text-anchor="middle">server CPU seconds per delivered gigabit (lower is cheaper)</text>`,
  );
  out.push(
    `<text transform="translate(16 ${
      (T + H - B) / 2
    }) rotate(-90)" text-anchor="middle">publisher → player latency, ms (● p50, ○ p99)</text>`,
  );
  for (const [label, v] of [["p50 goal", goals.p50], ["p99 goal", goals.p99]] as const) {
    out.push(
      `<line x1="${L}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="#888" stroke-dasharray="5 4"/>`,
    );
    out.push(`<text x="${W - R - 4}" y="${y(v) - 4}" text-anchor="end" fill="#555">${label} ${v} ms</text>`);
  }
  // One colour per audience; Estuary's settings joined into a curve, peers drawn as squares.
  const audiences = [...new Set(ok.map((p) => p.players))].sort((a, b) => a - b);
  let ly = T + 6;
  audiences.forEach((n, i) => {
    const c = COLORS[i % COLORS.length];
    const mine = ok.filter((p) => p.players === n && p.peer === "estuary").sort((a, b) =>
      a.cpu_per_gbit - b.cpu_per_gbit
    );
    if (mine.length > 1) {
      const line = mine.map((p) => `${x(p.cpu_per_gbit).toFixed(1)},${y(p.p50_ms).toFixed(1)}`).join(" ");
      out.push(`<polyline points="${line}" fill="none" stroke="${c}" stroke-width="1.5"/>`);
    }
    for (const p of ok.filter((p) => p.players === n)) {
      const px = x(p.cpu_per_gbit);
      out.push(
        `<line x1="${px}" y1="${y(p.p50_ms)}" x2="${px}" y2="${
          y(p.p99_ms)
        }" stroke="${c}" stroke-opacity="0.4"/>`,
      );
      if (p.p99_ms > yMax) {
        out.push(
          `<text x="${px + 5}" y="${T + 10}" fill="${c}" font-size="9">p99 ${Math.round(p.p99_ms)}↑</text>`,
        );
      }
      if (p.peer === "estuary") {
        out.push(`<circle cx="${px}" cy="${y(p.p50_ms)}" r="4" fill="${c}"/>`);
        out.push(`<circle cx="${px}" cy="${y(p.p99_ms)}" r="4" fill="white" stroke="${c}"/>`);
        out.push(`<text x="${px + 6}" y="${y(p.p50_ms) - 5}" fill="${c}">${esc(p.setting)}</text>`);
      } else {
        const hollow = p.peer === "estuary-before";
        out.push(
          `<rect x="${px - 4}" y="${y(p.p50_ms) - 4}" width="8" height="8" fill="${
            hollow ? "white" : c
          }" stroke="${c}"/>`,
        );
        out.push(
          `<rect x="${px - 4}" y="${y(p.p99_ms) - 4}" width="8" height="8" fill="white" stroke="${c}"/>`,
        );
        out.push(`<text x="${px + 6}" y="${y(p.p50_ms) + 14}" fill="${c}">${esc(p.peer)}</text>`);
      }
    }
    out.push(`<circle cx="${W - R + 16}" cy="${ly}" r="4" fill="${c}"/>`);
    out.push(`<text x="${W - R + 26}" y="${ly + 4}">${n} players</text>`);
    ly += 18;
  });
  out.push(`<text x="${W - R + 10}" y="${ly + 10}">● estuary (label:</text>`);
  out.push(`<text x="${W - R + 10}" y="${ly + 24}">  batchms/maxbatchms)</text>`);
  out.push(`<text x="${W - R + 10}" y="${ly + 42}">■ peer (per message),</text>`);
  out.push(`<text x="${W - R + 10}" y="${ly + 56}">□ estuary before</text>`);
  if (left.length) {
    const names = left.map((p) => `${p.peer} ${p.setting} ${p.players}`).join(", ");
    out.push(
      `<text x="${L}" y="${
        H - 2
      }" font-size="9" fill="#555">not drawn (slowest player &lt; 90 %: machine saturated): ${
        esc(names)
      }</text>`,
    );
  }
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
