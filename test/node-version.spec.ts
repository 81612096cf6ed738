import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const read = (file: string) => readFileSync(resolve(ROOT, file), 'utf8');
const parse = (v: string) => v.replace(/^v/, '').split('.').map(Number) as [number, number, number];
const atLeast = (v: number[], min: number[]) => v[0] !== min[0] ? v[0] > min[0] : v[1] !== min[1] ? v[1] > min[1] : v[2] >= min[2];

/** package.json's engines are `^20.19.0 || >=22.12.0` (docs/development.md says why): does `version` satisfy them? */
function satisfiesEngines(engines: string, version: string): boolean {
  const v = parse(version);
  return engines.split('||').some((range) => {
    const r = range.trim();
    const caret = /^\^(\d+\.\d+\.\d+)$/.exec(r);
    if (caret) return v[0] === parse(caret[1])[0] && atLeast(v, parse(caret[1]));
    const min = /^>=(\d+\.\d+\.\d+)$/.exec(r);
    if (min) return atLeast(v, parse(min[1]));
    throw new Error(`engines range not understood by this test: ${r}`);
  });
}

describe('the Node.js version the project states', () => {
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const nvmrc = read('.nvmrc').trim();

  it('is one story: .nvmrc names the LTS line the Docker images use, and package.json’s engines accept it', () => {
    expect(nvmrc).toMatch(/^\d+$/);
    const images = [...read('Dockerfile').matchAll(/^FROM node:(\d+)[-\w.]*/gm)].map((m) => m[1]);
    expect(images.length).toBeGreaterThan(0);
    expect(new Set(images)).toEqual(new Set([nvmrc]));
    expect(satisfiesEngines(engines, `${nvmrc}.99.0`)).toBe(true);
    expect((JSON.parse(read('package-lock.json')) as { packages: { '': { engines: { node: string } } } }).packages[''].engines.node).toBe(engines);
  });

  it('accepts the Node.js running these tests, and refuses those without require(esm) (20.18, 21, 22.11)', () => {
    expect(satisfiesEngines(engines, process.version)).toBe(true);
    for (const old of ['20.18.3', '21.7.3', '22.11.0', '18.20.0']) expect({ old, ok: satisfiesEngines(engines, old) }).toEqual({ old, ok: false });
    for (const ok of ['20.19.0', '22.12.0', '24.1.0']) expect({ ok, yes: satisfiesEngines(engines, ok) }).toEqual({ ok, yes: true });
  });
});
