/**
 * The latency-vs-load chart as hand-written SVG: offered rate (log x) against latency (log y),
 * one colour per series, p99 solid and p50 dashed. No dependency.
 */
export interface ChartSeries {
  label: string;
  points: { rate: number; p50: number; p99: number; errors: number }[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function latencyChartSvg(title: string, subtitle: string, series: ChartSeries[]): string {
  const width = 860;
  const height = 520;
  const left = 70;
  const right = 250;
  const top = 60;
  const bottom = 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const all = series.flatMap((s) => s.points);
  const rates = all.map((p) => p.rate);
  const lat = all.flatMap((p) => [p.p50, p.p99]).filter((v) => v > 0 && Number.isFinite(v));
  const xMin = Math.log10(Math.min(...rates) / 1.2);
  const xMax = Math.log10(Math.max(...rates) * 1.2);
  const yMin = Math.floor(Math.log10(Math.max(0.05, Math.min(...lat))));
  const yMax = Math.ceil(Math.log10(Math.max(...lat, 1)));
  const x = (rate: number) => left + ((Math.log10(rate) - xMin) / (xMax - xMin)) * plotW;
  const y = (ms: number) =>
    top + plotH - ((Math.log10(Math.max(ms, 10 ** yMin)) - yMin) / (yMax - yMin)) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${left}" y="44" fill="#555">${escapeXml(subtitle)}</text>`,
  );
  for (let e = yMin; e <= yMax; e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (Math.log10(v) > yMax) break;
      const yy = y(v).toFixed(1);
      out.push(
        `<line x1="${left}" x2="${left + plotW}" y1="${yy}" y2="${yy}" stroke="${m === 1 ? '#ccc' : '#eee'}"/>`,
      );
      if (m === 1 || yMax - yMin <= 3)
        out.push(
          `<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${v >= 1 ? v : v.toPrecision(1)}</text>`,
        );
    }
  }
  for (const rate of [...new Set(rates)].sort((a, b) => a - b)) {
    const xx = x(rate).toFixed(1);
    out.push(`<line x1="${xx}" x2="${xx}" y1="${top}" y2="${top + plotH}" stroke="#eee"/>`);
    out.push(
      `<text x="${xx}" y="${top + plotH + 16}" text-anchor="middle">${rate >= 1000 ? `${rate / 1000}k` : rate}</text>`,
    );
  }
  out.push(
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${left + plotW / 2}" y="${height - 16}" text-anchor="middle">offered load (requests/s, open loop, log scale)</text>`,
    `<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">latency ms (log scale)</text>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = [...s.points].sort((a, b) => a.rate - b.rate);
    for (const [key, dash] of [
      ['p99', ''],
      ['p50', ' stroke-dasharray="5 4"'],
    ] as const) {
      const d = pts
        .map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.rate).toFixed(1)} ${y(p[key]).toFixed(1)}`)
        .join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
      for (const p of pts) {
        out.push(
          `<circle cx="${x(p.rate).toFixed(1)}" cy="${y(p[key]).toFixed(1)}" r="3" fill="${p.errors > 0 ? 'white' : colour}" stroke="${colour}"/>`,
        );
      }
    }
    const ly = top + 10 + i * 20;
    out.push(
      `<line x1="${left + plotW + 15}" x2="${left + plotW + 40}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${left + plotW + 46}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`,
    );
  });
  const ly = top + 20 + series.length * 20;
  out.push(
    `<text x="${left + plotW + 15}" y="${ly}" fill="#555">solid: p99, dashed: p50</text>`,
    `<text x="${left + plotW + 15}" y="${ly + 16}" fill="#555">hollow point: errors</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
