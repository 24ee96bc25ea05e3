"""The derivations sdekit's `derive` makes for the continuous built-ins, done in SymPy, for the
speed comparison in bench/derive.ts (python3-sympy). Prints the seconds it took."""
import time
t_start = time.time()
import sympy as sp
t, s = sp.symbols('t s', positive=True)
b0, b1 = sp.Rational(1, 10), 20

def from_sde(f, g2):
    F = sp.integrate(f.subs(t, s), (s, 0, t))
    alpha = sp.exp(F)
    I = sp.integrate((g2 * sp.exp(-2 * F)).subs(t, s), (s, 0, t))
    sigma2 = sp.simplify(alpha**2 * I)
    logsnr = sp.simplify(-sp.log(I) / 2)
    return alpha, sigma2, logsnr, sp.simplify(sp.diff(logsnr, t))

def from_marginal(alpha, sigma):
    f = sp.simplify(sp.diff(sp.log(alpha), t))
    g2 = sp.simplify(2 * sigma**2 * sp.diff(sp.log(sigma / alpha), t))
    logsnr = sp.log(alpha / sigma)
    return f, g2, logsnr, sp.simplify(sp.diff(logsnr, t))

beta = b0 + t * (b1 - b0)
B = b0 * t + (b1 - b0) * t**2 / 2
from_sde(-beta / 2, beta)
from_sde(-beta / 2, beta * (1 - sp.exp(-2 * B)))
from_marginal(sp.Integer(1), sp.Rational(1, 100) * 5000**t)
c = sp.Rational(8, 1000)
a = sp.cos(sp.pi / 2 * (t + c) / (1 + c)) / sp.cos(sp.pi / 2 * c / (1 + c))
from_marginal(a, sp.sqrt(1 - a**2))
from_marginal(sp.Integer(1), t)
from_marginal(1 - t, t)
print(time.time() - t_start)
