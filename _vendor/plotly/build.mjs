// Builds _vendor/plotly/esm/: plotly.js with only the trace types the book draws, split so that a
// page fetches the shared core once for the whole site and then only the traces it draws.
//
//     npm ci && npm run build:plotly        (from the top of the repository)
//
// The sources are the npm package plotly.js at the version pinned in package.json, which must be the
// version bundled with the installed plotly Python package (the build extension checks this against
// manifest.json and fails the book build otherwise). The output is reproducible: same sources, same
// bytes. ES modules with esbuild's code splitting: core.js (the plotly.js core, which draws scatter
// traces), trace-<type>.js per trace type, and chunk-<hash>.js for code they share. World calendars
// (non-Gregorian axis dates) are left out: the book's dates are Gregorian.
// To add a trace type, add it to TRACES, run this script and commit _vendor/plotly/esm/.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TRACES = ['bar', 'scatter', 'scattergeo', 'choropleth', 'heatmap', 'sankey', 'table'];

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('plotly.js/package.json'));
const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
const outdir = join(here, 'esm');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

// One small entry module per file: the core, and each trace type.
const entries = { core: "export { default } from 'plotly.js/lib/core';" };
for (const t of TRACES) entries[`trace-${t}`] = `export { default } from 'plotly.js/lib/${t}';`;
const virtual = {
  name: 'entries',
  setup(b) {
    b.onResolve({ filter: /^entry:/ }, (a) => ({ path: a.path.slice(6), namespace: 'entry' }));
    b.onLoad({ filter: /.*/, namespace: 'entry' }, (a) => ({ contents: entries[a.path], resolveDir: here, loader: 'js' }));
    // Only the map traces (not bundled) import a stylesheet; resolve such imports to nothing.
    b.onLoad({ filter: /\.css$/ }, () => ({ contents: '', loader: 'js' }));
  },
};

await build({
  entryPoints: Object.keys(entries).map((name) => ({ in: `entry:${name}`, out: name })),
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  chunkNames: 'chunk-[hash]',
  legalComments: 'linked',
  plugins: [virtual],
  alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
  define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
  logLevel: 'warning',
});

const banner = `/*! plotly.js v${version}, split for the OTS course book | MIT licence: see LICENSE */\n`;
for (const name of readdirSync(outdir).filter((n) => n.endsWith('.js'))) {
  const path = join(outdir, name);
  writeFileSync(path, banner + readFileSync(path, 'utf8').replace(/\n\/\*! For license information please see [^\n]*\*\/\n?$/, '\n'));
}
copyFileSync(join(pkgDir, 'LICENSE'), join(outdir, 'LICENSE'));
const manifest = { 'plotly.js': version, core: 'core.js', traces: Object.fromEntries(TRACES.map((t) => [t, `trace-${t}.js`])) };
writeFileSync(join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
const files = readdirSync(outdir);
const kb = files.reduce((n, f) => n + readFileSync(join(outdir, f)).length, 0) / 1024;
console.log(`wrote ${files.length} files (${kb.toFixed(0)} KB) to ${outdir} from plotly.js ${version}`);
