// The documentation site (`npm run docs:site` builds it into site/, `npm run docs:serve` serves it).
// It renders docs/ as it is — the same Markdown files the docs test runs — plus the API reference
// that typedoc writes into docs/api/ from the TSDoc comments (typedoc.site.json).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';

const docs = fileURLToPath(new URL('..', import.meta.url));

/** The guides in reading order; a guide not named here comes after them, by file name. */
const GUIDE_ORDER = ['setup', 'runner', 'space', 'harvest', 'sampler', 'execute', 'dataset', 'crop', 'plot', 'view', 'cli'];

/** A page's title: its first `# ` heading. */
function titleOf(file: string): string {
  const m = /^# (.+)$/m.exec(readFileSync(file, 'utf8'));
  return (m?.[1] ?? file).replace(/`/g, '');
}

function guides(): DefaultTheme.SidebarItem[] {
  const names = readdirSync(`${docs}/guide`)
    .filter((f) => f.endsWith('.md'))
    .map((f) => f.slice(0, -3));
  const rank = (n: string): number => (GUIDE_ORDER.includes(n) ? GUIDE_ORDER.indexOf(n) : GUIDE_ORDER.length);
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names.map((n) => ({ text: titleOf(`${docs}/guide/${n}.md`), link: `/guide/${n}` }));
}

function apiSidebar(): DefaultTheme.SidebarItem[] {
  const file = `${docs}/api/typedoc-sidebar.json`;
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, 'utf8')) as DefaultTheme.SidebarItem[];
}

const reference: DefaultTheme.SidebarItem[] = [
  { text: 'The file format', link: '/format' },
  { text: 'Errors', link: '/errors' },
  { text: 'Architecture', link: '/architecture' },
];

export default defineConfig({
  title: 'harvestry',
  description: 'Run a labelled function over parameter grids and keep every result in one labelled Parquet dataset.',
  outDir: '../site',
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  cleanUrls: false,
  lastUpdated: false,
  // The guides link to each other as files (`../errors.md`); anything else that does not resolve is an error.
  ignoreDeadLinks: false,
  themeConfig: {
    logo: '/favicon.svg',
    nav: [
      { text: 'Guides', link: '/guide/runner' },
      { text: 'Format', link: '/format' },
      { text: 'Errors', link: '/errors' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar() }],
      '/': [
        { text: 'Introduction', link: '/' },
        { text: 'Guides', items: guides() },
        { text: 'Reference', items: [...reference, { text: 'API', link: '/api/' }] },
      ],
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
  },
});
