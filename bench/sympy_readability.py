"""Readability of sdekit's derivations next to SymPy's (issue 10 part 4), run by bench/readability.ts.

stdin: a JSON list of {"declaration": <scheme declaration>, "derivation": <`sdekit derive --json`>}.
For each continuous scheme this derives every quantity `derive` shows in SymPy (parameters as
positive symbols, `simplify`), parses sdekit's mathjs strings with SymPy's parser (functions
sdekit has and SymPy lacks are expanded into SymPy's elementary functions, so both sides are
measured the same way), and prints one JSON object per line:
  {"scheme", "quantity", "sympy": count_ops | null, "ours": count_ops | null, "agree": "yes" | "declared" | "no" | null,
   "sympy_expr", "ours_expr"}
"agree" checks that the pair is the same function at the declared parameters (so a count is never
compared against a different quantity) and at other admissible ones ("declared": only there).
"""
import json
import math
import random
import signal
import sys

import sympy as sp
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

t = sp.Symbol('t', positive=True)
u = sp.Symbol('u', positive=True)
x = sp.Symbol('x', real=True)
score = sp.Symbol('s', real=True)  # DESIGN.md: the score is `s` in the reverse drift
lam = sp.Symbol('lambda', real=True)
TIMEOUT = 60  # seconds SymPy may spend on one quantity

ELEMENTARY = {
    'log1p': lambda a: sp.log(1 + a),
    'expm1': lambda a: sp.exp(a) - 1,
    'sigmoid': lambda a: 1 / (1 + sp.exp(-a)),
    'softplus': lambda a: sp.log(1 + sp.exp(a)),
    'logit': lambda a: sp.log(a / (1 - a)),
    'pi': sp.pi, 'e': sp.E, 'E': sp.E,
}


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


signal.signal(signal.SIGALRM, _alarm)


def limited(fn, *args):
    """fn(*args), or None after TIMEOUT seconds."""
    signal.alarm(TIMEOUT)
    try:
        return fn(*args)
    except Timeout:
        return None
    finally:
        signal.alarm(0)


def parser(params, extra):
    local = dict(ELEMENTARY)
    local.update({'t': t, 'x': x, 'lambda': lam, 'Lambda': lam})
    local.update(extra)
    local.update(params)

    def parse(src):
        # `lambda` is a Python keyword: rename it before SymPy's parser sees it
        src = str(src).replace('lambda', 'Lambda')
        return parse_expr(src, local_dict=local, transformations=standard_transformations + (convert_xor,))
    return parse


def derive_sympy(decl, params):
    """The quantities of `sdekit derive` in SymPy, unsimplified (simplified one at a time later)."""
    P = parser(params, {})
    q = {}
    if 'sde' in decl:
        sde = decl['sde']
        f = P(sde['f'])
        g2 = P(sde['g2']) if 'g2' in sde else P(sde['g']) ** 2
        F = sp.integrate(f.subs(t, u), (u, 0, t))
        alpha = sp.exp(F)
        integral = sp.integrate((g2 * sp.exp(-2 * F)).subs(t, u), (u, 0, t))
        sigma2 = alpha ** 2 * integral
        q.update(alpha=alpha, sigma=sp.sqrt(sigma2), sigma2=sigma2, f=f, g2=g2)
    else:
        if 'marginal' in decl:
            alpha, sigma = P(decl['marginal']['alpha']), P(decl['marginal']['sigma'])
        else:  # logSnr form, variance preserving: alpha^2 = sigmoid(2 lambda)
            l = P(decl['logSnr'])
            alpha, sigma = 1 / sp.sqrt(1 + sp.exp(-2 * l)), 1 / sp.sqrt(1 + sp.exp(2 * l))
        f = sp.diff(sp.log(alpha), t)
        q.update(alpha=alpha, sigma=sigma, sigma2=sigma ** 2, f=f, g2=sp.diff(sigma ** 2, t) - 2 * f * sigma ** 2)
    q['logSnr'] = sp.log(q['alpha'] / q['sigma'])
    q['dlogSnr'] = sp.diff(q['logSnr'], t)
    q['weight elbo'] = -q['dlogSnr']
    q['weight likelihood'] = q['g2'] / q['sigma2']
    q['weight edm'] = 1 + sp.exp(-2 * q['logSnr']) / sp.Rational(1, 4)
    q['reverse drift'] = q['f'] * x - (1 + lam ** 2) / 2 * q['g2'] * score
    q['reverse diffusion'] = lam * sp.sqrt(q['g2'])
    q['pfOde drift'] = q['f'] * x - q['g2'] * score / 2
    # transition kernel x_t | x_s (MATH.md 1), the earlier time as sdekit names it (s, or u beside a parameter s)
    earlier = sp.Symbol('u' if 's' in params else 's', positive=True)
    q['transition alpha'] = q['alpha'] / q['alpha'].subs(t, earlier)
    q['transition sigma2'] = q['sigma2'] - q['transition alpha'] ** 2 * q['sigma2'].subs(t, earlier)
    return q


def our_strings(d):
    out = {k: v['expr'] for k, v in d['quantities'].items()}
    for k, v in d['weightings'].items():
        if k != 'simple':
            out['weight ' + k] = v['expr']
    out['reverse drift'] = d['reverse']['drift'] if d['reverse']['method'] == 'symbolic' else None
    out['reverse diffusion'] = d['reverse']['diffusion'] if d['reverse']['method'] == 'symbolic' else None
    out['pfOde drift'] = d['pfOde']['drift'] if d['pfOde']['method'] == 'symbolic' else None
    out['inverse'] = d['inverse']['expr']
    if 'transition' in d:
        out['transition alpha'] = d['transition']['alpha']
        out['transition sigma2'] = d['transition']['sigma2']
    return out


def numeric(e, at):
    try:
        v = complex(e.subs(at).evalf(30))
        return v.real if abs(v.imag) <= 1e-12 * max(1.0, abs(v.real)) else None
    except Exception:
        return None


def sample_points(decl, params, rng, n=5):
    """(values, declared?) for t inside (t0, T) and the parameters at their declared values and
    at values moved by up to 20% (same sign)."""
    t0 = decl.get('time', {}).get('t0', 0.001)
    T = decl.get('time', {}).get('T', 1.0)
    base = {params[k]: sp.Float(v) for k, v in decl.get('params', {}).items()}
    pts = []
    for i in range(n):
        at = dict(base) if i < 2 else {s: v * sp.Float(1 + rng.uniform(-0.2, 0.2)) for s, v in base.items()}
        at[t] = sp.Float(t0 + (T - t0) * rng.uniform(0.2, 0.8))
        at[x] = sp.Float(rng.uniform(-2, 2))
        at[score] = sp.Float(rng.uniform(-2, 2))
        at[lam] = sp.Float(rng.uniform(0.1, 2))
        at[sp.Symbol('u' if 's' in params else 's', positive=True)] = at[t] / 2  # the kernel's earlier time
        pts.append(at)
    return pts


def agree(a, b, pts):
    """'yes' (equal at the declared and at other parameter values), 'declared' (only at the declared
    values: the parameters were baked in as numbers), or 'no'."""
    if not same(a, b, pts[:2]):
        return 'no'
    return 'yes' if same(a, b, pts[2:]) else 'declared'


def same(a, b, pts):
    for at in pts:
        va, vb = numeric(a, at), numeric(b, at)
        if va is None or vb is None:
            continue
        if not math.isfinite(va) or not math.isfinite(vb) or abs(va - vb) > 1e-7 * max(1.0, abs(va)):
            return False
    return True


def is_inverse(e, logsnr, pts):
    """Does e(lambda) give back t from lambda = logSnr(t) at the sample points?"""
    return all(inverse_at(e, logsnr, at) for at in pts)


def inverse_agree(e, logsnr, pts):
    if not is_inverse(e, logsnr, pts[:2]):
        return 'no'
    return 'yes' if is_inverse(e, logsnr, pts[2:]) else 'declared'


def inverse_at(e, logsnr, at):
    lv = numeric(logsnr, at)
    tv = numeric(e.subs(lam, lv), at) if lv is not None else None
    return tv is not None and abs(tv - float(at[t])) <= 1e-7 * max(1.0, float(at[t]))


def inverse_sympy(logsnr, pts):
    """SymPy's solution of logSnr(t) = lambda that is the inverse (checked numerically)."""
    for s in sp.solve(sp.Eq(logsnr, lam), t):
        if is_inverse(s, logsnr, pts):
            return sp.simplify(s)
    return None


def main():
    docs = json.load(sys.stdin)
    rng = random.Random(10)
    for doc in docs:
        decl, d = doc['declaration'], doc['derivation']
        if 'discrete' in decl:
            continue
        params = {k: sp.Symbol(k, positive=(v > 0), negative=(v < 0)) for k, v in decl.get('params', {}).items()}
        earlier = sp.Symbol('u' if 's' in params else 's', positive=True)
        P = parser(params, {'u': earlier} if 's' in params else {'s': earlier})
        # in the reverse and PF-ODE drifts `s` is the score (DESIGN.md), even where a parameter is called s
        P_drift = parser({k: v for k, v in params.items() if k != 's'}, {'s': score})
        pts = sample_points(decl, params, rng)
        raw = derive_sympy(decl, params)
        ours = our_strings(d)
        names = ['alpha', 'sigma', 'sigma2', 'f', 'g2', 'logSnr', 'dlogSnr', 'inverse',
                 'weight elbo', 'weight likelihood', 'weight edm', 'reverse drift', 'reverse diffusion', 'pfOde drift',
                 'transition alpha', 'transition sigma2']
        simplified = {}
        for k in names:
            row = {'scheme': d['name'], 'quantity': k, 'sympy': None, 'ours': None, 'agree': None, 'sympy_expr': None, 'ours_expr': ours.get(k)}
            sym = None
            try:
                if k == 'inverse':
                    logsnr = simplified.get('logSnr')
                    sym = limited(inverse_sympy, logsnr, pts) if logsnr is not None else None
                else:
                    sym = limited(sp.simplify, raw[k])
                    simplified[k] = sym
                if sym is not None:
                    row['sympy'] = int(sp.count_ops(sym))
                    row['sympy_expr'] = str(sym)
            except Exception as e:  # SymPy fails on this quantity: no count
                row['sympy_error'] = str(e)[:200]
            if ours.get(k) is not None:
                mine = (P_drift if k in ('reverse drift', 'pfOde drift') else P)(ours[k])
                row['ours'] = int(sp.count_ops(mine))
                if k == 'inverse':
                    reference = simplified.get('logSnr') if simplified.get('logSnr') is not None else raw['logSnr']
                    row['agree'] = inverse_agree(mine, reference, pts)
                else:
                    row['agree'] = agree(mine, sym if sym is not None else raw[k], pts)
            print(json.dumps(row), flush=True)


if __name__ == '__main__':
    main()
