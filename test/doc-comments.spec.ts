import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

// A `/** … */` block documents the declaration right below it (editors show it there). One that is
// followed by a blank line, a statement, an import or the end of the file documents nothing: it is
// either misplaced or meant as a plain `//` comment.

const ROOT = join(__dirname, '..');

// Statements a doc block may stand above; any other statement (an import, a return, a plain call) takes none.
const DOCUMENTABLE = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.ModuleDeclaration,
  ts.SyntaxKind.ExportAssignment,
  ts.SyntaxKind.ExportDeclaration,
]);

/** describe(…), it(…) and the other test blocks: a doc block above one says what it checks. */
const TEST_BLOCK = /^(describe|it|test|beforeAll|beforeEach|afterAll|afterEach)\b/;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

function takesDoc(node: ts.Node, sf: ts.SourceFile): boolean {
  if (node.kind === ts.SyntaxKind.EndOfFileToken) return false;
  if (ts.isExpressionStatement(node)) return TEST_BLOCK.test(node.expression.getText(sf));
  // Class members, properties, parameters, union members, array elements: what the block stands above.
  return !ts.isStatement(node) || DOCUMENTABLE.has(node.kind);
}

/** `file:line` of every doc block that is not directly above something it can document. */
export function detachedDocComments(path: string, text = readFileSync(path, 'utf8')): string[] {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const seen = new Set<number>();
  const visit = (node: ts.Node): void => {
    if (ts.isJSDoc(node)) return;
    if (node.kind === ts.SyntaxKind.SyntaxList) {
      // A list of statements or members starts where its first one does: let that one claim the comments.
      for (const child of node.getChildren(sf)) visit(child);
      return;
    }
    // Nodes that start at the same place share their leading comments: the outermost one owns them.
    const blocks = (ts.getLeadingCommentRanges(text, node.pos) ?? []).filter((r) => !seen.has(r.pos));
    blocks.forEach((range, i) => {
      seen.add(range.pos);
      if (range.kind !== ts.SyntaxKind.MultiLineCommentTrivia || !/^\/\*\*[^/]/.test(text.slice(range.pos, range.end))) return;
      // Directly above: the last comment, with only a line break and indentation before what follows.
      const direct = i === blocks.length - 1 && /^[ \t]*\r?\n?[ \t]*$/.test(text.slice(range.end, node.getStart(sf)));
      if (!direct || !takesDoc(node, sf)) found.push(`${relative(ROOT, path)}:${sf.getLineAndCharacterOfPosition(range.pos).line + 1}`);
    });
    for (const child of node.getChildren(sf)) visit(child);
  };
  visit(sf);
  return found;
}

describe('doc comments', () => {
  it('finds a detached block: before a blank line, before an import, before a statement, at the end of the file', () => {
    const text = [
      '/** Before a blank line. */',
      '',
      "import { a } from 'a';",
      '/** Before an import. */',
      "import { b } from 'b';",
      '/** Attached. */',
      'export const c = a + b;',
      'function f(): void {',
      '  /** Before a statement that declares nothing. */',
      '  return;',
      '}',
      '/** At the end. */',
      '',
    ].join('\n');
    expect(detachedDocComments(join(ROOT, 'x.ts'), text)).toEqual(['x.ts:1', 'x.ts:4', 'x.ts:9', 'x.ts:12']);
  });

  it('takes a block directly above a member, a union member or a test block as attached', () => {
    const text = [
      'class A {',
      '  /** A member. */',
      '  m = 1;',
      '}',
      "type T =",
      "  /** A union member. */",
      "  | 'x'",
      "  | 'y';",
      '/** A test block. */',
      "describe('d', () => undefined);",
    ].join('\n');
    expect(detachedDocComments(join(ROOT, 'y.ts'), text)).toEqual([]);
  });

  it('no doc block in src/ or test/ is detached from what it documents', () => {
    const files = ['src', 'test'].flatMap((dir) => tsFiles(join(ROOT, dir)));
    expect(files.flatMap((f) => detachedDocComments(f))).toEqual([]);
  });
});
