// Builds _vendor/plotly/plotly-ots.min.js: plotly.js with only the trace types the book draws.
//
//     npm ci && npm run build:plotly        (from the top of the repository)
//
// The sources are the npm package plotly.js at the version pinned in package.json, which must be the
// version bundled with the installed plotly Python package (the build extension checks this and
// fails the book build otherwise). The output is reproducible: same sources, same bytes.
// World calendars (non-Gregorian axis dates) are left out: the book's dates are Gregorian.
// To add a trace type, add it to TRACES, run this script and commit the three files it writes.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TRACES = ['bar', 'scatter', 'scattergeo', 'choropleth', 'heatmap', 'sankey', 'table'];

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('plotly.js/package.json'));
const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
const out = join(here, 'plotly-ots.min.js');

const entry = [
  "'use strict';",
  "var Plotly = require('plotly.js/lib/core');",
  `Plotly.register([${TRACES.map((t) => `require('plotly.js/lib/${t}')`).join(', ')}]);`,
  'module.exports = Plotly;',
].join('\n');

// Only the map traces (not bundled) import a stylesheet; resolve such imports to nothing.
const noCss = { name: 'no-css', setup(b) { b.onLoad({ filter: /\.css$/ }, () => ({ contents: '', loader: 'js' })); } };

await build({
  stdin: { contents: entry, resolveDir: here, sourcefile: 'plotly-ots-entry.js' },
  outfile: out,
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: 'Plotly',
  target: 'es2016',
  legalComments: 'linked',
  plugins: [noCss],
  alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
  define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
  logLevel: 'warning',
});

const banner = `/*! plotly.js v${version} (partial bundle for the OTS course book: traces=${TRACES.join(',')}) | MIT licence: see LICENSE and plotly-ots.min.js.LEGAL.txt */\n`;
const body = readFileSync(out, 'utf8').replace(/\n\/\*! For license information please see [^\n]*\*\/\n?$/, '\n');
writeFileSync(out, banner + body + 'window.Plotly = Plotly;\n');
copyFileSync(join(pkgDir, 'LICENSE'), join(here, 'LICENSE'));
console.log(`wrote ${out} (${(readFileSync(out).length / 1024).toFixed(0)} KB) from plotly.js ${version}`);
