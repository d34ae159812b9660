/// <reference lib="dom" />
/**
 * A small live line chart in SVG: a few series over the last N samples, scaled to the largest value
 * shown, with the latest value of each series in its legend. Enough for a dashboard, no library.
 */
const COLORS = ["#1f7a8c", "#e07a1f", "#7a1fe0", "#2a9d2a", "#c0392b", "#555"];
const W = 300, H = 100;

export class LiveChart {
  #el: HTMLElement;
  #max: number;
  #series = new Map<string, number[]>();
  #unit: string;

  constructor(el: HTMLElement, opts: { samples?: number; unit?: string } = {}) {
    this.#el = el;
    this.#max = opts.samples ?? 60;
    this.#unit = opts.unit ?? "";
  }

  push(values: Record<string, number>): void {
    for (const [name, v] of Object.entries(values)) {
      const s = this.#series.get(name) ?? [];
      s.push(Number.isFinite(v) ? v : 0);
      if (s.length > this.#max) s.shift();
      this.#series.set(name, s);
    }
    this.#draw();
  }

  /** Points drawn per series (tests read it). */
  get points(): number {
    return Math.max(0, ...[...this.#series.values()].map((s) => s.length));
  }

  #draw(): void {
    const top = Math.max(1e-9, ...[...this.#series.values()].flat()) * 1.1;
    const fmt = (v: number) => v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
    const lines = [...this.#series.entries()].map(([name, s], i) => {
      const step = W / Math.max(1, this.#max - 1);
      const x0 = W - (s.length - 1) * step;
      const pts = s.map((v, j) => `${(x0 + j * step).toFixed(1)},${(H - (v / top) * H).toFixed(1)}`).join(
        " ",
      );
      return { name, color: COLORS[i % COLORS.length], pts, last: s.at(-1) ?? 0 };
    });
    this.#el.innerHTML = `<svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img">` +
      `<text x="2" y="10" class="axis">${fmt(top)}${this.#unit}</text>` +
      lines.map((l) => `<polyline fill="none" stroke="${l.color}" stroke-width="1.5" points="${l.pts}" />`)
        .join("") +
      `</svg><div class="legend">` +
      lines.map((l) =>
        `<span style="color:${l.color}">■ ${escape(l.name)} ${fmt(l.last)}${this.#unit}</span>`
      ).join(" ") +
      `</div>`;
    this.#el.dataset.points = String(this.points);
  }
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
