#!/usr/bin/env python3
"""Issue 10 check: `sdekit derive --json` closed forms are in t and the parameter names, and hold at
parameter values other than the declared ones. Each closed form is parsed by SymPy with the parameter
names as symbols, evaluated at 40 digits at other values, and compared with
`sdekit eval --param NAME=VALUE` (float64). Prints the worst relative error.

    npm run build && /usr/bin/python3 bench/params_crosscheck.py    (needs python3-sympy)
"""
import os
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import json, subprocess, sys
import sympy as sp
names = ['vp-linear', 'sub-vp', 've', 'vp-cosine', 'edm', 'rectified-flow']
other = {'vp-linear': {'b0': 0.3, 'b1': 12}, 'sub-vp': {'b0': 0.25, 'b1': 31}, 've': {'smin': 0.02, 'smax': 80}, 'vp-cosine': {'s': 0.02}, 'edm': {}, 'rectified-flow': {}}
worst = 0
for n in names:
    d = json.loads(subprocess.run(['node', 'dist/sdekit.mjs', 'derive', n, '--json'], capture_output=True, text=True).stdout)
    vals = other[n]
    ts = [d['t0'] + u * (d['T'] - d['t0']) for u in (0.1, 0.5, 0.9)]
    args = ['node', 'dist/sdekit.mjs', 'eval', n, '--t', ','.join(map(str, ts)), '--json'] + sum([['--param', f'{k}={v}'] for k, v in vals.items()], [])
    ev = json.loads(subprocess.run(args, capture_output=True, text=True).stdout)
    loc = {k: sp.Symbol(k) for k in list(d['params']) + ['t']}
    loc.update({'log1p': lambda x: sp.log(1 + x), 'expm1': lambda x: sp.exp(x) - 1, 'e': sp.E, 'pi': sp.pi})
    for q in ['alpha', 'sigma', 'f', 'g2', 'logSnr', 'dlogSnr']:
        e = d['quantities'][q]['expr']
        if e is None: continue
        ex = sp.sympify(e.replace('^', '**'), locals=loc)
        free = {str(s) for s in ex.free_symbols}
        assert free <= set(d['params']) | {'t'}, (n, q, free)
        for i, t in enumerate(ts):
            v = ex.subs({sp.Symbol(k): sp.Rational(str(x)) for k, x in vals.items()}).subs(sp.Symbol('t'), sp.Rational(repr(t))).evalf(40)
            w = float(ev[q][i]); r = abs(float(v) - w) / max(abs(float(v)), 1e-300)
            worst = max(worst, r)
            if r > 1e-9: print('MISMATCH', n, q, t, float(v), w)
    inv = d['inverse']['expr']
    print(n, 'ok', 'inverse', d['inverse']['method'], 'transition', d['transition']['method'])
print('worst rel error vs 40-digit SymPy evaluation of derive --json at other params:', worst)
