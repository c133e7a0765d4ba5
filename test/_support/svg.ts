/**
 * Reading what vega drew from its SVG: mark groups (by mark type and role) with the number of
 * items in each, and the texts of axis titles, legend titles, labels and chart titles.
 */

/** A leaf mark group: its mark type (line, symbol, rect, area, ...), its role, and its items. */
export interface SvgMark {
  type: string;
  role: string;
  items: number;
  body: string;
}

/** The leaf mark groups of an SVG, in document order. */
export function svgMarks(svg: string): SvgMark[] {
  const out: SvgMark[] = [];
  const re = /<g class="mark-(\w+) role-([\w-]+)[^"]*"[^>]*>((?:(?!<g[ >]).)*?)<\/g>/gs;
  for (const m of svg.matchAll(re)) {
    const body = m[3]!;
    out.push({ type: m[1]!, role: m[2]!, items: (body.match(/<(path|text|rect|line|circle|image)[ >]/g) ?? []).length, body });
  }
  return out;
}

/** The texts drawn in groups of one role (axis-title, legend-title, axis-label, title-text, ...). */
export function svgTexts(svg: string, role: string): string[] {
  return svgMarks(svg)
    .filter((m) => m.role === role)
    .flatMap((m) => [...m.body.matchAll(/<text[^>]*>(.*?)<\/text>/gs)].map((t) => decode(t[1]!.replace(/<[^>]+>/g, ''))));
}

function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
