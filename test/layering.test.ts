/**
 * The source tree's layering, in the spirit of the package-exports test: src/ is in folders by
 * data flow (image → pixels → tensor → session → logits → predictions, the API on top; see
 * docs/architecture.md), and these checks keep it so. Each failure names the offending import.
 *
 * Imports are read with TypeScript's parser: static imports, re-exports, `import()` calls and
 * `import('…')` types. An import of types only (`import type`, or every name marked `type`) is
 * told apart: it adds no code to a bundle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'src');

/** One import of one module. */
interface Edge {
  /** Importing file, relative to src/. */
  from: string;
  /** The specifier as written. */
  spec: string;
  /** The imported file relative to src/, for a relative specifier; else `null` (a package). */
  to: string | null;
  typeOnly: boolean;
  line: number;
}

/** Every import of `text` (a TypeScript module at `file`, relative to src/). */
function importsOf(file: string, text: string): Edge[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edges: Edge[] = [];
  const add = (spec: string, typeOnly: boolean, node: ts.Node) => {
    const to = spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)) : null;
    edges.push({ from: file, spec, to, typeOnly, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const names = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!names && names.length > 0 && names.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly, node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const names = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier.text, node.isTypeOnly || (!!names && names.length > 0 && names.every((e) => e.isTypeOnly)), node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      add(node.arguments[0].text, false, node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

/** The folder of a file under src/ (`'.'` for the entry points at the top). */
const folderOf = (file: string) => (file.includes('/') ? file.split('/')[0] : '.');
const show = (e: Edge) => `src/${e.from}:${e.line} imports ${e.typeOnly ? 'types from ' : ''}'${e.spec}'`;

/**
 * What each folder may import besides itself: `code` (any import) and `types` (types only). The
 * steps import only steps before them in the flow; nothing below the classifiers imports api/,
 * local/ or worker/; tools/ (Node) is imported by no browser code.
 */
const FLOW: Record<string, { code: string[]; types?: string[] }> = {
  common: { code: [] },
  input: { code: ['common'] },
  preprocess: { code: ['common', 'input'] },
  model: { code: ['common', 'preprocess'] },
  runtime: { code: ['common'] },
  wordnet: { code: ['common'] },
  output: { code: ['common', 'wordnet'] },
  // preprocess/view.ts: the per-call view (region, rotation), checked before an image crosses.
  api: { code: ['common', 'preprocess', 'output', 'local', 'worker'], types: ['input', 'model', 'runtime'] },
  local: { code: ['common', 'input', 'preprocess', 'model', 'runtime', 'output', 'api'] },
  // The page side of the worker pulls no runtime code into the page's bundle.
  worker: { code: ['common', 'input', 'preprocess', 'output', 'api', 'local'], types: ['model', 'runtime'] },
  standalone: { code: ['common'], types: ['runtime'] },
  tools: { code: ['common', 'model'] },
};
const STEPS = ['input', 'preprocess', 'model', 'runtime', 'output'];
/** Entry points that run in Node, not in the page: they may use tools/. */
const NODE_ENTRIES = ['cli.ts', 'vite.ts'];
const runsInNode = (file: string) => folderOf(file) === 'tools' || NODE_ENTRIES.includes(file);
/** Generated files (the WordNet table, the resize passes' WebAssembly: long lines of data). */
const GENERATED = ['wordnet/table.ts', 'preprocess/resize-wasm.ts'];
const MAX_LINES = 450;

/** The rule an import breaks, or `null`. */
function flowViolation(e: Edge): string | null {
  if (e.to === null) return null;
  const from = folderOf(e.from);
  const to = folderOf(e.to);
  if (to === 'tools' && !runsInNode(e.from)) return 'browser code never imports tools/ (Node only)';
  if (from === '.' || from === to) return null;
  const rule = FLOW[from];
  if (!rule) return `src/${from}/ is not a known folder: add it to FLOW in test/layering.test.ts and docs/architecture.md`;
  if (from === 'api' && (to === 'local' || to === 'worker') && e.from !== 'api/create.ts') {
    return 'the contract (api/) never imports the classifiers; only api/create.ts picks one';
  }
  if (rule.code.includes(to) || (e.typeOnly && rule.types?.includes(to))) return null;
  return `${from}/ may import ${[...rule.code, ...(rule.types ?? []).map((t) => `${t} (types)`)].join(', ') || 'nothing outside itself'}; not ${to}/`;
}

/** The first import cycle among `edges`, as the chain of files, or `null`. */
function findCycle(edges: Edge[]): string[] | null {
  const next = new Map<string, string[]>();
  for (const e of edges) if (e.to) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const dfs = (f: string): string[] | null => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of next.get(f) ?? []) {
      if (state.get(t) === 'open') return [...stack.slice(stack.indexOf(t)), t];
      if (!state.has(t)) {
        const c = dfs(t);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of next.keys()) {
    if (state.has(f)) continue;
    const c = dfs(f);
    if (c) return c;
  }
  return null;
}

const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.split(path.sep).join('/'))
  .sort();
const texts = new Map(files.map((f) => [f, readFileSync(path.join(src, f), 'utf8')]));
const edges = files.flatMap((f) => importsOf(f, texts.get(f)!));

describe('src/ layering', () => {
  it('finds the imports (the checks below see every module)', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(edges.length).toBeGreaterThan(100);
    for (const e of edges.filter((x) => x.to)) expect(texts.has(e.to!), `${show(e)}: no such file`).toBe(true);
  });

  it('has no import cycle', () => {
    const cycle = findCycle(edges);
    expect(cycle && `import cycle: ${cycle.join(' → ')}`).toBeNull();
  });

  it('browser code never imports tools/ or Node built-ins', () => {
    const bad = edges.filter((e) => !runsInNode(e.from) && (folderOf(e.to ?? '') === 'tools' || e.spec.startsWith('node:')));
    expect(bad.map(show)).toEqual([]);
  });

  it('the steps (input, preprocess, model, runtime, output) never import api/, local/ or worker/', () => {
    const bad = edges.filter((e) => STEPS.includes(folderOf(e.from)) && ['api', 'local', 'worker'].includes(folderOf(e.to ?? '')));
    expect(bad.map(show)).toEqual([]);
  });

  it('only runtime/ imports onnxruntime-web', () => {
    const bad = edges.filter((e) => /^onnxruntime-web(\/|$)/.test(e.spec) && folderOf(e.from) !== 'runtime');
    expect(bad.map(show)).toEqual([]);
  });

  it('only tools/ imports protobufjs (a dependency of the models command, not of the page)', () => {
    const bad = edges.filter((e) => /^protobufjs(\/|$)/.test(e.spec) && folderOf(e.from) !== 'tools');
    expect(bad.map(show)).toEqual([]);
  });

  it('every import follows the flow (FLOW above)', () => {
    const bad = edges.flatMap((e) => {
      const why = flowViolation(e);
      return why ? [`${show(e)}: ${why}`] : [];
    });
    expect(bad).toEqual([]);
  });

  it(`no hand-written source file is over ${MAX_LINES} lines`, () => {
    const long = files
      .filter((f) => !GENERATED.includes(f))
      .map((f) => ({ f, n: texts.get(f)!.split('\n').length - 1 }))
      .filter(({ n }) => n > MAX_LINES)
      .map(({ f, n }) => `src/${f}: ${n} lines`);
    expect(long).toEqual([]);
  });
});

describe('the layering checks can fail', () => {
  const edge = (from: string, spec: string, typeOnly = false): Edge => importsOf(from, `import ${typeOnly ? 'type ' : ''}{ x } from '${spec}';`)[0];

  it('reads every kind of import, and which are types only', () => {
    const found = importsOf(
      'a/b.ts',
      "import { x, type Y } from './c.ts';\nimport type { Z } from '../d/e.ts';\nexport { w } from './f.ts';\n" +
        "export type { V } from './g.ts';\nconst m = () => import('../h/i.ts');\ntype T = typeof import('./j.ts');\nimport './k.ts';\n",
    );
    expect(found.map((e) => [e.to, e.typeOnly, e.line])).toEqual([
      ['a/c.ts', false, 1], ['d/e.ts', true, 2], ['a/f.ts', false, 3], ['a/g.ts', true, 4], ['h/i.ts', false, 5], ['a/j.ts', true, 6], ['a/k.ts', false, 7],
    ]);
  });

  it('names an import against the flow', () => {
    expect(flowViolation(edge('input/decode.ts', '../preprocess/geometry.ts'))).toBe('input/ may import common; not preprocess/');
    expect(flowViolation(edge('model/spec.ts', '../api/options.ts', true))).toMatch(/^model\/ may import .*; not api\/$/);
    expect(flowViolation(edge('worker/client.ts', '../runtime/watchdog.ts'))).toMatch(/not runtime\/$/);
    expect(flowViolation(edge('worker/client.ts', '../runtime/backend.ts', true))).toBeNull();
    expect(flowViolation(edge('api/options.ts', '../local/load.ts', true))).toMatch(/only api\/create.ts/);
    expect(flowViolation(edge('output/controls.ts', '../tools/onnx.ts'))).toMatch(/never imports tools/);
    expect(flowViolation(edge('vite.ts', './tools/ort-csp.ts'))).toBeNull();
  });

  it('finds a cycle', () => {
    const cyclic = [edge('a/x.ts', './y.ts'), edge('a/y.ts', '../b/z.ts'), edge('b/z.ts', '../a/x.ts'), edge('b/w.ts', '../a/x.ts')];
    expect(findCycle(cyclic)).toEqual(['a/x.ts', 'a/y.ts', 'b/z.ts', 'a/x.ts']);
    expect(findCycle(cyclic.slice(0, 2))).toBeNull();
  });
});
