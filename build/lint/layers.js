// The layers of the code base, enforced by lint (in the spirit of VS Code's code-layering rule):
// each folder lists the folders of ours it may import from. A relative import that resolves into a
// folder not in its row is an error; so is a package in the folder's forbidden list.
import { isBuiltin } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * folder → folders it may import from (itself always allowed); first matching row wins.
 * packages.forbid: package names (or prefixes ending in '/' or ':'); builtins: false forbids Node's modules.
 */
export const LAYERS = [
  { folder: 'shared', may: [], packages: { builtins: false, forbid: ['electron', 'react', 'react-dom', '@kubernetes/', '@aws-sdk/'] } },
  { folder: 'electron/base', may: ['shared'], packages: { forbid: ['electron', '@kubernetes/', '@aws-sdk/'] } },
  { folder: 'electron/substrates', may: ['shared', 'electron/base'], packages: { forbid: ['electron'] } },
  { folder: 'electron/load', may: ['shared', 'electron/base'], packages: { forbid: ['electron', '@kubernetes/', '@aws-sdk/'] } },
  { folder: 'electron/sandbox', may: ['shared', 'electron/base'], packages: { forbid: ['electron'] } },
  { folder: 'electron/core/rules', may: ['shared', 'electron/base', 'electron/substrates', 'electron/load'], packages: { forbid: ['electron'] } },
  { folder: 'electron/core/records', may: ['shared', 'electron/base', 'electron/core/rules'], packages: { forbid: ['electron'] } },
  { folder: 'electron/core/run', may: ['shared', 'electron/base', 'electron/substrates', 'electron/load', 'electron/core/rules', 'electron/core/records'], packages: { forbid: ['electron'] } },
  { folder: 'electron/core/service', may: ['shared', 'electron/base', 'electron/substrates', 'electron/load', 'electron/core'], packages: { forbid: ['electron'] } },
  { folder: 'electron/core', may: ['shared', 'electron/base', 'electron/substrates', 'electron/load'], packages: { forbid: ['electron'] } },
  { folder: 'electron/headless', may: ['shared', 'electron/base', 'electron/substrates', 'electron/load', 'electron/sandbox', 'electron/core'], packages: { forbid: ['electron'] } },
  { folder: 'electron/preload', may: ['shared'], packages: { forbid: [] } },
  { folder: 'electron/main', may: ['shared', 'electron/base', 'electron/substrates', 'electron/load', 'electron/sandbox', 'electron/core', 'electron/headless'], packages: { forbid: [] } },
  { folder: 'renderer', may: ['shared'], packages: { builtins: false, forbid: ['electron', '@kubernetes/', '@aws-sdk/'] } },
];

const within = (path, folder) => path === folder || path.startsWith(folder + '/');
const rowFor = (path) => LAYERS.find((r) => within(path, r.folder));
const toPosix = (p) => p.split(sep).join('/');

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: { type: 'problem', docs: { description: 'imports follow the layer table in build/lint/layers.js' }, schema: [] },
  create(context) {
    const file = toPosix(relative(root, context.filename));
    const row = rowFor(file);
    if (!row) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.')) {
        const target = toPosix(relative(root, resolve(dirname(context.filename), spec)));
        if (within(target, row.folder)) return;
        if (row.may.some((m) => within(target, m))) return;
        context.report({ node, message: `${row.folder}/ may not import ${target} (layers: ${row.folder} may import ${row.may.join(', ') || 'nothing of ours'}; see build/lint/layers.js)` });
        return;
      }
      if (row.packages.builtins === false && isBuiltin(spec)) {
        context.report({ node, message: `${row.folder}/ may not import Node's ${spec} (it runs outside Node; see build/lint/layers.js)` });
        return;
      }
      const bad = row.packages.forbid.find((p) => (p.endsWith('/') || p.endsWith(':') ? spec.startsWith(p) : spec === p || spec.startsWith(p + '/')));
      if (bad) context.report({ node, message: `${row.folder}/ may not import the package ${spec} (see build/lint/layers.js)` });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export const layersPlugin = { rules: { layers: layersRule } };

/** The table as Markdown (ARCHITECTURE.md shows it; a test keeps the two the same). */
export function layersTable() {
  const code = (f) => `\`${f}/\``;
  const rows = LAYERS.map((r) => {
    const may = r.may.length ? r.may.map(code).join(', ') : 'nothing of ours';
    const forbid = [...(r.packages.builtins === false ? ["Node's modules"] : []), ...r.packages.forbid.map((p) => `\`${p}\``)];
    return `| ${code(r.folder)} | ${may} | ${forbid.length ? forbid.join(', ') : '—'} |`;
  });
  return ['| folder (first match wins) | may import (besides itself) | may not import (packages) |', '| --- | --- | --- |', ...rows].join('\n');
}
