#!/usr/bin/env python3
"""Cross-check `sdekit eval` on custom SDE schedules (none of them built-ins) against 40-digit mpmath.

alpha(t) = exp(int_0^t f), sigma^2(t) = alpha(t)^2 int_0^t g2(u) / alpha(u)^2 du (MATH.md section 1),
integrated by mpmath.quad at 40 digits; prints the worst relative error of alpha and sigma and the
method `sdekit derive --json` reports for each schedule.

    python3 bench/crosscheck_mpmath.py          (needs python3-mpmath, e.g. Debian python3-sympy)
"""
import json, os, subprocess, sys, tempfile
import mpmath as mp

mp.mp.dps = 40
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
SDEKIT = [os.path.join(ROOT, 'bin', 'sdekit.js')]
TS = [1e-3, 0.01, 0.1, 0.37, 0.5, 0.9, 1.0]

# (name, beta as an sdekit expression, the same beta for mpmath); VP form: f = -beta/2, g2 = beta
VP = [
    ('cubic', '0.05 + 12*t^3', lambda t: 0.05 + 12 * t**3),
    ('sigmoid', '0.1 + 19.9*sigmoid(6*t - 3)', lambda t: 0.1 + 19.9 / (1 + mp.e**(-(6 * t - 3)))),
    ('sin-modulated', '(0.1 + 19.9*t)*(1 + 0.3*sin(7*t))', lambda t: (0.1 + 19.9 * t) * (1 + 0.3 * mp.sin(7 * t))),
    ('sin-squared', '0.1 + 19.9*sin(pi*t/2)^2', lambda t: 0.1 + 19.9 * mp.sin(mp.pi * t / 2)**2),
    ('log1p', 'log(1 + 4*t)', lambda t: mp.log(1 + 4 * t)),
    ('rational', '2/(1.05 - t)', lambda t: 2 / (1.05 - t)),
    ('power', '0.1 + 20*t^0.7', lambda t: 0.1 + 20 * t**0.7),
]
# (name, f, g2 for sdekit, f, g2 for mpmath)
SDE = [
    ('exp-g', '0', '(0.5*exp(3*t))^2', lambda t: 0, lambda t: 0.25 * mp.e**(6 * t)),
    ('t-cos (no closed form)', '-t', '2*t*(1 + cos(t))', lambda t: -t, lambda t: 2 * t * (1 + mp.cos(t))),
]

def run(args):
    return json.loads(subprocess.check_output(['node', *SDEKIT, *args]))

def main():
    cases = [(n, {'f': f'-0.5*({b})', 'g2': b}, (lambda bb: (lambda t: -bb(t) / 2))(bm), bm) for n, b, bm in VP]
    cases += [(n, {'f': f, 'g2': g2}, fm, g2m) for n, f, g2, fm, g2m in SDE]
    worst = 0.0
    with tempfile.TemporaryDirectory() as d:
        for name, sde, fm, g2m in cases:
            path = os.path.join(d, 'scheme.json')
            with open(path, 'w') as fh:
                json.dump({'name': name.split()[0], 'time': {'t0': 1e-3, 'T': 1}, 'sde': sde}, fh)
            out = run(['eval', path, '--t', ','.join(map(str, TS)), '--json'])
            der = run(['derive', path, '--json'])['quantities']
            err = 0.0
            for i, t in enumerate(TS):
                t = mp.mpf(t)
                F = mp.quad(fm, [0, t])
                a = mp.e**F
                s = mp.sqrt(a**2 * mp.quad(lambda u: g2m(u) / mp.e**(2 * mp.quad(fm, [0, u])), [0, t]))
                err = max(err, abs(out['alpha'][i] - a) / a, abs(out['sigma'][i] - s) / s)
            worst = max(worst, err)
            print(f'{name:24s} alpha {der["alpha"]["method"]:9s} sigma {der["sigma"]["method"]:9s} max rel error {float(err):.2e}')
    print(f'worst relative error {float(worst):.2e}')
    return 0 if worst < 1e-9 else 1

if __name__ == '__main__':
    sys.exit(main())
