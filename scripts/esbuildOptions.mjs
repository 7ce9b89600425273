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
