import fs from 'node:fs';
import path from 'node:path';

/**
 * The folders of src/ and the order they may depend on one another (docs/architecture.md, "Modules
 * and their dependencies"). A folder imports only from its own layer's row or a row above it here;
 * folders on one row do not import each other unless a cycle test below allows it (none do).
 */
const LAYERS: readonly string[][] = [
  ['config'],
  ['common'],
  ['access'],
  ['audit'],
  ['four-eyes'],
  ['agencies'],
  ['users'],
  ['auth', 'outbox'],
  ['reports'],
  ['correlation', 'assessments'],
  ['threat-level', 'admin-changes', 'retention'],
  ['dissemination', 'bootstrap', 'health'],
  ['database'],
  ['demo', '(root)'],
];

const SRC = path.join(__dirname, '..', 'src');
/** Every relative import: `from '…'`, `import '…'` and `import('…')`, type-only ones included. */
const IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

type Edge = { from: string; to: string; file: string; spec: string };

function folderOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts.length > 1 ? parts[0] : '(root)';
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

/** The edges between folders of src/ (spec files excluded: a test may reach across). */
function folderEdges(root = SRC): Edge[] {
  return sourceFiles(root).flatMap((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(IMPORT)]
      .map((m) => ({ from: folderOf(file), to: folderOf(path.resolve(path.dirname(file), m[1])), file: path.relative(root, file), spec: m[1] }))
      .filter((e) => e.from !== e.to),
  );
}

/** The strongly connected components of more than one folder (Tarjan): each is a cycle. */
function cycles(edges: Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

const rankOf = (folder: string) => LAYERS.findIndex((row) => row.includes(folder));
const describeEdges = (edges: Edge[]) => edges.map((e) => `${e.from} -> ${e.to}: ${e.file} imports '${e.spec}'`);

describe('module boundaries of src/', () => {
  const edges = folderEdges();

  it('has no import cycle between folders', () => {
    const found = cycles(edges);
    const inCycle = edges.filter((e) => found.some((c) => c.includes(e.from) && c.includes(e.to)));
    expect({ cycles: found, edges: describeEdges(inCycle) }).toEqual({ cycles: [], edges: [] });
  });

  it('has every folder on a layer, and imports only downwards', () => {
    const folders = [...new Set(edges.flatMap((e) => [e.from, e.to]))];
    expect(folders.filter((f) => rankOf(f) < 0)).toEqual([]);
    expect(describeEdges(edges.filter((e) => rankOf(e.to) >= rankOf(e.from)))).toEqual([]);
  });

  it('keeps config and common free of capabilities (common imports config only; config imports nothing)', () => {
    expect(describeEdges(edges.filter((e) => (e.from === 'common' && e.to !== 'config') || e.from === 'config'))).toEqual([]);
  });
});

describe('the folder graph itself', () => {
  it('finds a cycle and the edges that make it', () => {
    const edges: Edge[] = [
      { from: 'a', to: 'b', file: 'a/x.ts', spec: '../b/y' },
      { from: 'b', to: 'c', file: 'b/y.ts', spec: '../c/z' },
      { from: 'c', to: 'a', file: 'c/z.ts', spec: '../a/x' },
      { from: 'c', to: 'd', file: 'c/z.ts', spec: '../d/w' },
    ];
    expect(cycles(edges)).toEqual([['a', 'b', 'c']]);
    expect(cycles(edges.slice(0, 2))).toEqual([]);
  });
});
