"""
Peer solvers for bench/accuracy.ts, written for this bench from the papers and the descriptions of
the reference code (not copied from it), run with PyTorch in float64:

- DPM-Solver (Lu et al. 2022, "DPM-Solver", Algorithms 1-2): singlestep order 3, noise prediction,
  the "fast" order split; reference: LuChengTHU/dpm-solver `dpm_solver_pytorch.py`
  (`singlestep_dpm_solver_update`, `get_orders_and_timesteps_for_singlestep_solver`).
- DPM-Solver++ (Lu et al. 2022, "DPM-Solver++", Algorithm 2): multistep 2M and 3M, data prediction,
  `multistep_dpm_solver_second_update` / `_third_update`, lower_order_final when steps < 10.
- UniPC (Zhao et al. 2023): multistep, data prediction, B(h) = h (bh1) or e^h - 1 (bh2), orders 2
  and 3, lower_order_final, no corrector after the last step; reference wl-zhao/UniPC `uni_pc.py`.

Each on each grid the references offer: time_uniform, logSNR, time_quadratic (`get_time_steps`).
Schedule: NoiseScheduleVP('linear', beta 0.1..20), t from 1 to 1e-3. Model: the exact x0 predictor
of an isotropic Gaussian mixture. Input (argv[1]) a JSON job {"cases": [{"name", "weights", "means",
"stds", "noise": file (float64 n x d), "exact": file (float64 n x d)}], "nfe": [...]}; prints one
JSON line per (case, config, nfe) with the RMS over rows of ||x - exact||.
"""
import json
import math
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
B0, B1, T_START, T_END = 0.1, 20.0, 1.0, 1e-3


def log_alpha(t):
    return -0.25 * t * t * (B1 - B0) - 0.5 * t * B0


def alpha(t):
    return math.exp(log_alpha(t))


def sigma(t):
    return math.sqrt(-math.expm1(2 * log_alpha(t)))


def lam(t):
    return log_alpha(t) - math.log(sigma(t))


def inv_lam(l):
    tmp = 2 * (B1 - B0) * math.log1p(math.exp(-2 * l))
    return tmp / (math.sqrt(B0 * B0 + tmp) + B0) / (B1 - B0)


def grid(kind, n):
    if kind == 'time_uniform':
        return [T_START + (T_END - T_START) * i / n for i in range(n + 1)]
    if kind == 'logSNR':
        a, b = lam(T_START), lam(T_END)
        return [inv_lam(a + (b - a) * i / n) for i in range(n + 1)]
    if kind == 'time_quadratic':
        a, b = math.sqrt(T_START), math.sqrt(T_END)
        return [(a + (b - a) * i / n) ** 2 for i in range(n + 1)]
    raise ValueError(kind)


class Mixture:
    """E[x0 | x_t] of sum_k w_k N(mu_k, s_k^2 I) under x_t = alpha x0 + sigma eps."""

    def __init__(self, weights, means, stds):
        w = torch.tensor(weights)
        self.logw = torch.log(w / w.sum())
        self.mu = torch.tensor(means)
        self.s2 = torch.tensor(stds) ** 2
        self.calls = 0

    def x0(self, x, t):
        self.calls += 1
        a, s = alpha(t), sigma(t)
        var = a * a * self.s2 + s * s  # (K,)
        d = x.shape[1]
        diff = x[:, None, :] - a * self.mu[None, :, :]  # (n, K, d)
        logp = self.logw - 0.5 * (diff ** 2).sum(-1) / var - 0.5 * d * torch.log(var)
        r = torch.softmax(logp, dim=1)  # (n, K)
        post = self.mu[None] + (a * self.s2 / var)[None, :, None] * diff
        return (r[:, :, None] * post).sum(1)

    def eps(self, x, t):
        return (x - alpha(t) * self.x0(x, t)) / sigma(t)


def dpmpp_multistep(m, x, ts, order):
    steps = len(ts) - 1
    hist = []
    for i in range(steps):
        s, t = ts[i], ts[i + 1]
        h = lam(t) - lam(s)
        hist.insert(0, m.x0(x, s))
        k = min(order, i + 1)
        if steps < 10:
            k = min(k, steps - i)
        phi1 = math.expm1(-h)
        base = sigma(t) / sigma(s) * x - alpha(t) * phi1 * hist[0]
        if k == 1:
            x = base
        elif k == 2:
            r0 = (lam(s) - lam(ts[i - 1])) / h
            x = base - 0.5 * alpha(t) * phi1 * (hist[0] - hist[1]) / r0
        else:
            r0 = (lam(s) - lam(ts[i - 1])) / h
            r1 = (lam(ts[i - 1]) - lam(ts[i - 2])) / h
            d10 = (hist[0] - hist[1]) / r0
            d11 = (hist[1] - hist[2]) / r1
            D1 = d10 + r0 / (r0 + r1) * (d10 - d11)
            D2 = (d10 - d11) / (r0 + r1)
            phi2 = phi1 / h + 1
            phi3 = phi2 / h - 0.5
            x = base + alpha(t) * phi2 * D1 - alpha(t) * phi3 * D2
        del hist[3:]
    return x


def fast_orders(steps):
    K = steps // 3 + 1
    if steps % 3 == 0:
        return [3] * (K - 2) + [2, 1]
    if steps % 3 == 1:
        return [3] * (K - 1) + [1]
    return [3] * (K - 1) + [2]


def dpm_singlestep3(m, x, kind, steps):
    orders = fast_orders(steps)
    if kind == 'logSNR':
        outer = grid(kind, len(orders))
        plans = []
        for j, k in enumerate(orders):
            s, t = outer[j], outer[j + 1]
            h = lam(t) - lam(s)
            rs = {1: [], 2: [0.5], 3: [1 / 3, 2 / 3]}[k]
            plans.append([s] + [inv_lam(lam(s) + r * h) for r in rs] + [t])
    else:
        fine = grid(kind, steps)
        plans, idx = [], 0
        for k in orders:
            plans.append(fine[idx:idx + k + 1])
            idx += k
    for pts in plans:
        k = len(pts) - 1
        s, t = pts[0], pts[-1]
        h = lam(t) - lam(s)
        e0 = m.eps(x, s)
        ea = lambda u: math.exp(log_alpha(u) - log_alpha(s))
        if k == 1:
            x = ea(t) * x - sigma(t) * math.expm1(h) * e0
        elif k == 2:
            s1 = pts[1]
            r1 = (lam(s1) - lam(s)) / h
            x1 = ea(s1) * x - sigma(s1) * math.expm1(r1 * h) * e0
            e1 = m.eps(x1, s1)
            x = ea(t) * x - sigma(t) * math.expm1(h) * e0 - 0.5 / r1 * sigma(t) * math.expm1(h) * (e1 - e0)
        else:
            s1, s2 = pts[1], pts[2]
            r1, r2 = (lam(s1) - lam(s)) / h, (lam(s2) - lam(s)) / h
            phi22 = math.expm1(r2 * h) / (r2 * h) - 1
            phi2 = math.expm1(h) / h - 1
            x1 = ea(s1) * x - sigma(s1) * math.expm1(r1 * h) * e0
            e1 = m.eps(x1, s1)
            x2 = ea(s2) * x - sigma(s2) * math.expm1(r2 * h) * e0 - r2 / r1 * sigma(s2) * phi22 * (e1 - e0)
            e2 = m.eps(x2, s2)
            x = ea(t) * x - sigma(t) * math.expm1(h) * e0 - 1 / r2 * sigma(t) * phi2 * (e2 - e0)
    return x


def unipc(m, x, ts, order, variant):
    steps = len(ts) - 1
    t_hist, m_hist = [ts[0]], [m.x0(x, ts[0])]

    def update(x, t, k, corrector):
        s0, m0 = t_hist[-1], m_hist[-1]
        h = lam(t) - lam(s0)
        rks, D1s = [], []
        for i in range(1, k):
            rk = (lam(t_hist[-1 - i]) - lam(s0)) / h
            rks.append(rk)
            D1s.append((m_hist[-1 - i] - m0) / rk)
        rks.append(1.0)
        hh = -h
        h_phi1 = math.expm1(hh)
        Bh = hh if variant == 'bh1' else math.expm1(hh)
        # b_i = i! * (e^hh - sum_{j<=i} hh^j/j!) / hh^i / B(h), rows r^(i-1)
        R, b, fact, phik = [], [], 1.0, h_phi1 / hh - 1
        for i in range(1, k + 1):
            R.append([r ** (i - 1) for r in rks])
            b.append(phik * fact / Bh)
            fact *= i + 1
            phik = phik / hh - 1 / fact
        R, b = np.array(R), np.array(b)
        base = sigma(t) / sigma(s0) * x - alpha(t) * h_phi1 * m0
        pred = base
        if D1s:
            rho_p = [0.5] if k == 2 else list(np.linalg.solve(R[:-1, :-1], b[:-1]))
            pred = base - alpha(t) * Bh * sum(r * D for r, D in zip(rho_p, D1s))
        if not corrector:
            return pred, None
        rho_c = [0.5] if k == 1 else list(np.linalg.solve(R, b))
        mt = m.x0(pred, t)
        corr = sum((r * D for r, D in zip(rho_c[:-1], D1s)), torch.zeros_like(x))
        return base - alpha(t) * Bh * (corr + rho_c[-1] * (mt - m0)), mt

    for step in range(1, order):
        x, mt = update(x, ts[step], step, True)
        t_hist.append(ts[step])
        m_hist.append(mt)
    for step in range(order, steps + 1):
        k = min(order, steps + 1 - step)
        x, mt = update(x, ts[step], k, step != steps)
        t_hist.append(ts[step])
        m_hist.append(mt)
        del t_hist[:-order], m_hist[:-order]
    return x


def main():
    job = json.load(open(sys.argv[1]))
    torch.set_num_threads(int(job.get('threads', 1)))
    grids = ['logSNR', 'time_uniform', 'time_quadratic']
    for case in job['cases']:
        m = Mixture(case['weights'], case['means'], case['stds'])
        d = len(case['means'][0])
        noise = torch.from_numpy(np.fromfile(case['noise'], dtype=np.float64).reshape(-1, d))
        exact = torch.from_numpy(np.fromfile(case['exact'], dtype=np.float64).reshape(-1, d))
        xT = sigma(T_START) * noise
        n = xT.shape[0]
        for nfe in job['nfe']:
            configs = []
            for g in grids:
                configs.append((f'DPM-Solver++(2M) {g}', lambda g=g: dpmpp_multistep(m, xT, grid(g, nfe), 2)))
                configs.append((f'DPM-Solver++(3M) {g}', lambda g=g: dpmpp_multistep(m, xT, grid(g, nfe), 3)))
                configs.append((f'DPM-Solver-3 singlestep {g}', lambda g=g: dpm_singlestep3(m, xT, g, nfe)))
                for variant in ['bh1', 'bh2']:
                    for order in [2, 3]:
                        configs.append((f'UniPC {variant} order {order} {g}', lambda g=g, v=variant, o=order: unipc(m, xT, grid(g, nfe), o, v)))
            for name, fn in configs:
                m.calls = 0
                x = fn()
                rms = math.sqrt(float(((x - exact) ** 2).sum()) / n)
                print(json.dumps({'case': case['name'], 'config': name, 'nfe': nfe, 'calls': m.calls, 'rms': rms}), flush=True)


if __name__ == '__main__':
    main()
