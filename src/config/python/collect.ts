// Walks a Python config file's tree and lists the settings it writes literally: keyword arguments (with the
// keywords that enclose them, `parallelism=ParallelismConfig(tensor_parallel_degree=8)` → parallelism.
// tensor_parallel_degree), attribute assignments (`recipe.trainer.strategy.tensor_model_parallel_size = 8`)
// and parameter defaults (`def trainer(tensor_parallelism: int = 8)`). Nothing is executed.
import type { Node } from 'web-tree-sitter';
import { dottedName, readLiteral, type Literal, type Names } from './literals';

export interface PySetting {
  path: string[];
  key: Node;
  value: Node;
  literal: Literal;
}

/** Nodes visited at most; keeps adversarial input bounded. */
const MAX_NODES = 200_000;

export function bindNames(root: Node): Names {
  const names: Names = new Map();
  let visited = 0;
  const visit = (node: Node, depth: number): void => {
    if (++visited > MAX_NODES || depth > 200) return;
    if (node.type === 'default_parameter' || node.type === 'typed_default_parameter') {
      const name = node.childForFieldName('name');
      const value = node.childForFieldName('value');
      if (name && value) names.set(name.text, readLiteral(value, names));
    } else if (node.type === 'assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (left?.type === 'identifier' && right && right.type !== 'call') names.set(left.text, readLiteral(right, names));
    }
    for (const child of node.namedChildren) visit(child, depth + 1);
  };
  visit(root, 0);
  return names;
}

export function collectSettings(scope: Node, names: Names, withDefaults: boolean): PySetting[] {
  const settings: PySetting[] = [];
  let visited = 0;
  const record = (path: string[], key: Node, value: Node): void => {
    if (settings.length < 10_000) settings.push({ path, key, value, literal: readLiteral(value, names) });
  };
  const visit = (node: Node, chain: string[], depth: number): void => {
    if (++visited > MAX_NODES || depth > 200) return;
    switch (node.type) {
      case 'keyword_argument': {
        const name = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        if (!name || !value) return;
        const path = [...chain, name.text];
        if (value.type === 'call') {
          // `model_spec=model_registry("405B")`: the flavour is the registry's first argument.
          const first = value.childForFieldName('arguments')?.namedChildren[0];
          const hasKeywords = value.childForFieldName('arguments')?.namedChildren.some((arg) => arg.type === 'keyword_argument');
          if (dottedName(value).at(-1) === 'model_registry' && first?.type === 'string') record(path, name, first);
          // A call without keyword arguments (`get_tp()`) computes the value at run time: kept as symbolic.
          else if (!hasKeywords) record(path, name, value);
          visit(value, path, depth + 1);
        } else if (value.type === 'list' || value.type === 'tuple') {
          if (value.namedChildren.some((child) => child.type === 'call')) visit(value, path, depth + 1);
          else record(path, name, value);
        } else {
          record(path, name, value);
        }
        return;
      }
      case 'call': {
        const callee = dottedName(node).join('.');
        // Low-precision training is switched on by adding a Float8 or MX converter (torchtitan) or a precision
        // plugin (NeMo: `bf16_with_mxfp8_mixed()`).
        if (/float8|(^|\.)mx/i.test(callee) && chain.some((name) => name.includes('converters'))) record(['model', 'converters'], node, node);
        if (/(^|_)(bf16|fp16)_\w*mixed$/.test(dottedName(node).at(-1) ?? '')) record(['precision_plugin'], node, node);
        break;
      }
      case 'assignment': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left?.type === 'attribute' && right) {
          const path = dottedName(left).slice(1);
          if (right.type === 'call') {
            const first = right.childForFieldName('arguments')?.namedChildren[0];
            if (dottedName(right).at(-1) === 'model_registry' && first?.type === 'string') record(path, left, first);
            visit(right, path, depth + 1);
          } else {
            record(path, left, right);
          }
          return;
        }
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter': {
        const name = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        if (withDefaults && name && value) record([name.text], name, value);
        return;
      }
      default:
        break;
    }
    for (const child of node.namedChildren) visit(child, chain, depth + 1);
  };
  visit(scope, [], 0);
  return settings;
}
