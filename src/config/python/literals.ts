// Python literals read from a tree-sitter-python tree without running anything: numbers, strings, booleans,
// None, negation, lists and tuples of those, and names the file binds to such a literal.
import type { Node } from 'web-tree-sitter';
import type { Symbolic } from '../../model/design';

export type PyValue = number | string | boolean | null | PyValue[] | Symbolic;

export interface Literal {
  value: PyValue;
  /** Names read that the file does not bind to a literal (the value is then Symbolic). */
  unknown: string[];
}

export type Names = Map<string, Literal>;

function stringValue(node: Node): string | undefined {
  const parts = node.namedChildren;
  if (parts.some((part) => part.type === 'interpolation')) return undefined;
  return parts.filter((part) => part.type === 'string_content').map((part) => part.text).join('');
}

export function readLiteral(node: Node, names: Names, depth = 0): Literal {
  if (depth > 20) return { value: { symbolic: node.text.slice(0, 80) }, unknown: [] };
  switch (node.type) {
    case 'integer':
    case 'float': {
      const value = Number(node.text.replace(/_/g, ''));
      return Number.isFinite(value) ? { value, unknown: [] } : { value: { symbolic: node.text }, unknown: [] };
    }
    case 'true':
      return { value: true, unknown: [] };
    case 'false':
      return { value: false, unknown: [] };
    case 'none':
      return { value: null, unknown: [] };
    case 'string': {
      const text = stringValue(node);
      return text === undefined ? { value: { symbolic: node.text.slice(0, 80) }, unknown: [node.text.slice(0, 40)] } : { value: text, unknown: [] };
    }
    case 'unary_operator': {
      const operand = node.namedChildren[0];
      const inner = operand ? readLiteral(operand, names, depth + 1) : undefined;
      if (inner && typeof inner.value === 'number' && node.text.trim().startsWith('-')) return { value: -inner.value, unknown: [] };
      return inner ?? { value: { symbolic: node.text }, unknown: [] };
    }
    case 'parenthesized_expression': {
      const inner = node.namedChildren[0];
      return inner ? readLiteral(inner, names, depth + 1) : { value: null, unknown: [] };
    }
    case 'list':
    case 'tuple': {
      const items = node.namedChildren.filter((child) => child.type !== 'comment').slice(0, 1000).map((child) => readLiteral(child, names, depth + 1));
      return { value: items.map((item) => item.value), unknown: items.flatMap((item) => item.unknown) };
    }
    case 'identifier': {
      const bound = names.get(node.text);
      return bound ?? { value: { symbolic: node.text }, unknown: [node.text] };
    }
    default:
      return { value: { symbolic: node.text.slice(0, 80) }, unknown: [node.text.slice(0, 40)] };
  }
}

/** The dotted name of a call's callee or an attribute chain: `Trainer.Config`, `recipe.trainer.strategy.tp`. */
export function dottedName(node: Node | null): string[] {
  if (!node) return [];
  if (node.type === 'identifier') return [node.text];
  if (node.type === 'attribute') {
    const object = node.childForFieldName('object');
    const attribute = node.childForFieldName('attribute');
    return [...dottedName(object), attribute?.text ?? ''];
  }
  if (node.type === 'call') return dottedName(node.childForFieldName('function'));
  return [];
}
