// esbuild options shared by the product build and the bench bundle, so both run the same code the same way.

export function commonOptions(production) {
  return {
    bundle: true,
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    logLevel: 'warning',
    legalComments: 'none',
    // jsonc-parser's UMD entry requires its modules at run time, which a bundle cannot follow; its ESM build bundles.
    alias: {
      'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js',
      // yaml's Node build reads process.env on every token; its browser build is the same parser without that.
      yaml: './node_modules/yaml/browser/index.js',
    },
  };
}

// web-tree-sitter is an ES module that locates itself through import.meta.url, which a CommonJS bundle lacks.
export const nodeCjs = {
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
};

/**
 * `plens` as it ships: dist/cli.js, the bundle it runs (dist/plens.js) and, beside them, the search's worker
 * threads (dist/searchWorker.js, which `plens search` and the extension both start). Tests build these into a
 * scratch folder to run the real bundle.
 */
export function cliTargets(production, outdir, version) {
  const common = commonOptions(production);
  return [
    // The executable: the command's V8 flags, then plens.js from the code cache the build leaves beside it.
    { ...common, ...nodeCjs, entryPoints: ['src/cli/launch.ts'], outfile: `${outdir}/cli.js`, banner: { js: '#!/usr/bin/env node' } },
    // No dynamic import in it: a function compiled from the code cache has no callback for one (Node 20). So the
    // tree-sitter runtime is its CommonJS build (the ES one imports Node's `module` dynamically), and what dynamic
    // imports remain become require.
    {
      ...common, ...nodeCjs, entryPoints: ['src/cli/plens.ts'], outfile: `${outdir}/plens.js`, supported: { 'dynamic-import': false },
      alias: { ...common.alias, 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' },
      define: { ...nodeCjs.define, PLENS_VERSION: JSON.stringify(version) },
    },
    // Layout searches (seconds each) run their parts in these, one per core.
    { ...common, ...nodeCjs, entryPoints: ['src/worker/searchWorker.ts'], outfile: `${outdir}/searchWorker.js` },
  ];
}
