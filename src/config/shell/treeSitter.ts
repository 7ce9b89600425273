// One web-tree-sitter runtime per process, shared by the shell and Python grammars. The caller supplies the
// .wasm bytes (src/config must not read files: it also runs in a browser webview).
import { Language, Parser } from 'web-tree-sitter';

let runtimeReady: Promise<void> | undefined;

function initRuntime(runtime: Uint8Array): Promise<void> {
  if (!runtimeReady) {
    // Emscripten takes the runtime module's bytes as `wasmBinary` instead of fetching `web-tree-sitter.wasm`.
    runtimeReady = Parser.init({ wasmBinary: runtime }).catch((error: unknown) => {
      runtimeReady = undefined;
      throw error;
    });
  }
  return runtimeReady;
}

/** A parser for one grammar; rejects when the bytes are not a usable tree-sitter runtime or grammar. */
export async function loadParser(runtime: Uint8Array, grammar: Uint8Array): Promise<Parser> {
  await initRuntime(runtime);
  const language = await Language.load(grammar);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
