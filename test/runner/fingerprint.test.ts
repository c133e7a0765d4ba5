/**
 * The fingerprint of a labelled function: what its source says, not how a tool printed it. The
 * texts below are what tsx (esbuild: minified, `__name()` helpers) and tsc print for the same
 * TypeScript; eval makes functions whose source text is exactly that.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { label } from '../../src/index.js';

const fnOf = (text: string): ((...args: never[]) => unknown) => (0, eval)(`(${text})`) as (...args: never[]) => unknown;
const fp = (text: string): string => label({ varNames: 'y' }, fnOf(text) as (p: { x: number }) => number).fingerprint;

// What tsc (target ES2022) prints for the model, comments kept, formatting as written.
const TSC = `({ omega, gamma, tag = 'a' }) => {
    /* block comment */
    const n = 1_000;
    let total = 0.50;
    function inner(k) { return k * 2; }
    const sq = (v) => v ** 2;
    for (let i = 0; i < n; i++) {
        total += (Math.sin(omega * i) * gamma) / (i + 1);
    }
    const obj = { 'a': 1, b: [1, 2, 3,], c: tag?.length ?? 0 };
    const s = \`\${tag}-\${obj.c}\`;
    class Acc {
        x = 0;
        add(v) { this.x += v; return this; }
        get value() { return this.x; }
    }
    const acc = new Acc().add(inner(2)).add(sq(3));
    return [total + acc.value + obj.b.length, s + "x"]; // a tuple
}`;
// What tsx prints for the same TypeScript (measured with tsx 4 on Node 20).
const TSX =
  '({omega,gamma,tag="a"})=>{const n=1e3;let total=.5;function inner(k){return k*2}__name(inner,"inner");const sq=__name(v=>v**2,"sq");for(let i=0;i<n;i++){total+=Math.sin(omega*i)*gamma/(i+1)}const obj={a:1,b:[1,2,3],c:tag?.length??0};const s=`${tag}-${obj.c}`;class Acc{static{__name(this,"Acc")}x=0;add(v){this.x+=v;return this}get value(){return this.x}}const acc=new Acc().add(inner(2)).add(sq(3));return[total+acc.value+obj.b.length,s+"x"]}';

describe('the fingerprint of a function', () => {
  it('is the same for the JavaScript tsc and tsx print from one TypeScript source', () => {
    assert.match(fp(TSC), /^sha256:[0-9a-f]{64}$/);
    assert.equal(fp(TSX), fp(TSC));
  });

  it('ignores comments, whitespace, semicolons, redundant parentheses, quotes, number spelling and trailing commas', () => {
    const base = fp('({ x }) => { const k = 1000; return [x * k, "a"]; }');
    for (const same of [
      '({ x }) => {\n  // a comment\n  const k = 1_000\n  return [(x * k), \'a\',]\n}',
      '({x})=>{const k=1e3;return[x*k,"a"]}',
      '({ x }) => { /* k */ const k = 0x3e8; return [ ( x ) * k, `a` ]; }',
    ]) {
      assert.equal(fp(same), base, same);
    }
  });

  it('changes with every real change of the body', () => {
    const base = fp('({ x }) => { const k = 1000; return [x * k, "a"]; }');
    const changed = [
      '({ x }) => { const k = 1001; return [x * k, "a"]; }',
      '({ x }) => { const k = 1000; return [x + k, "a"]; }',
      '({ x }) => { const k = 1000; return [k * x, "a"]; }',
      '({ x }) => { const k = 1000; return [x * k, "b"]; }',
      '({ x }) => { let k = 1000; return [x * k, "a"]; }',
      '({ x }) => { const m = 1000; return [x * m, "a"]; }',
      '({ x }) => { const k = 1000; return [(x + 1) * k, "a"]; }',
      '({ x, y }) => { const k = 1000; return [x * k, "a"]; }',
      '({ x }) => { const k = 1000; x++; return [x * k, "a"]; }',
      'async ({ x }) => { const k = 1000; return [x * k, "a"]; }',
      '({ x }) => { const k = 1000; return; [x * k, "a"]; }',
    ];
    const prints = changed.map(fp);
    for (const [i, p] of prints.entries()) assert.notEqual(p, base, changed[i]);
    assert.equal(new Set(prints).size, prints.length, 'each change gives its own fingerprint');
  });

  it('fingerprints methods, function expressions and generators; esbuild keepNames helpers do not count', () => {
    const obj = { run({ x }: { x: number }): number { return x + 1; } };
    // A method's own source (`run({ x }) { ... }`) is what is fingerprinted; it does not use `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const method = obj.run;
    assert.match(label({ varNames: 'y' }, method).fingerprint, /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(label({ varNames: 'y' }, method).fingerprint, fp('({ x }) => x + 1'));
    assert.equal(fp('function named({ x }) { return x; }'), fp('function named({x}){return x}'));
    assert.equal(fp('function* g() { yield 1; }'), fp('function*g(){yield 1}'));
    assert.equal(fp('() => { class A { static { __name(this, "A"); } } return new A(); }'), fp('() => { class A {} return new A(); }'));
    assert.notEqual(fp('() => __name(1, 2)'), fp('() => 1'), 'only __name(x, "a string") is the helper');
  });
});
