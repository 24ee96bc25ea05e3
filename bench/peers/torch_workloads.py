"""PyTorch peers of sdekit's benchmarks: ONE implementation per workload, used by every bench
(bench/train.ts, bench/mlpStep.ts, bench/quality2d.ts through bench/peers/torch_peer.py, and
bench/gpu/torch_peer.py on a GPU machine). Written for these benches; it uses nothing of sdekit.

Training workloads are built as `step(k, read)` closures (k: 0-based step, read: fetch the loss
with .item(), a device sync, as sdekit reads its loss):
  train    sdekit train's reference DSM step: 2 + 128 -> 256 -> 256 -> 256 -> 2 SiLU MLP, vp-linear,
           eps target, simple weighting, uniform t, global-norm clip 1, Adam 1e-3, EMA 0.999, batch 512
  mlpstep  the reference step of src/backend/mlpWorkload.ts (fixed batch, sinusoidal embedding, MSE, Adam)
  unet     the twin of sdekit's MNIST U-Net (src/score/unet.ts; widths 32,64,64, group norm 8, residual
           blocks with the noise/class embedding, space-to-depth downsampling, conv-then-nearest
           upsampling, class-conditional), the same DSM step as `train`, batch 32 of 28x28 images
and `quality2d(...)` trains the DDPM recipe on a pool of 2-D points and samples with DPM-Solver++(2M).
"""
import ctypes
import json
import math
import os
import time

OPENBLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def blas_info(torch):
    """Which BLAS the process runs (after a matmul has loaded it): library, OpenBLAS core and config."""
    a = torch.randn(64, 64)
    (a @ a).sum().item()
    libs = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.split()[-1].rsplit("/", 1)[-1]})
    info = {"libraries": libs, "env": {k: os.environ.get(k) for k in OPENBLAS_ENV}}
    try:
        import threadpoolctl  # noqa: F401  (optional)

        info["threadpoolctl"] = [{k: p.get(k) for k in ("internal_api", "version", "architecture", "threading_layer", "num_threads")}
                                 for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
    except ImportError:
        pass
    for lib in libs:
        try:
            so = ctypes.CDLL(lib)
            core, cfg = so.openblas_get_corename, so.openblas_get_config
            core.restype = cfg.restype = ctypes.c_char_p
            info["openblas_core"], info["openblas_config"] = core().decode(), cfg().decode()
        except (OSError, AttributeError):
            continue
    if "openblas_core" in info:
        info["summary"] = f"OpenBLAS {info['openblas_core']} kernels ({info['openblas_config'].split()[0]} {info['openblas_config'].split()[1] if len(info['openblas_config'].split()) > 1 else ''})".strip()
    elif any("/blas/libblas" in lib for lib in libs):
        info["summary"] = "reference BLAS (netlib; apt-get install libopenblas0-pthread for a fair peer)"
    else:
        info["summary"] = torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0] if "BLAS_INFO=" in torch.__config__.show() else "unknown"
    return info


def mlp(torch, D, E, H, dev, out=None):
    nn = torch.nn
    return nn.Sequential(nn.Linear(D + E, H), nn.SiLU(), nn.Linear(H, H), nn.SiLU(),
                         nn.Linear(H, H), nn.SiLU(), nn.Linear(H, out or D)).to(dev)


def vp_linear(torch, t, b0=0.1, b1=20.0):
    """alpha, sigma of vp-linear: log alpha = -t^2 (b1 - b0)/4 - t b0/2."""
    al = torch.exp(-0.25 * t ** 2 * (b1 - b0) - 0.5 * t * b0)
    return al, torch.sqrt(1 - al ** 2)


def optimise(torch, net, opt, ema, loss, k):
    """Backward, global-norm clip 1, Adam, EMA with decay min(0.999, (1 + k)/(10 + k)) (sdekit's ema.ts)."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    opt.step()
    d = min(0.999, (1 + k) / (10 + k))
    with torch.no_grad():
        torch._foreach_mul_(ema, d)
        torch._foreach_add_(ema, list(net.parameters()), alpha=1 - d)


def sinusoidal(torch, c, freqs):
    arg = c[:, None] * freqs[None, :]
    return torch.cat([torch.sin(arg), torch.cos(arg)], 1)


def train_step(torch, dev, batch=512, schedule=None):
    """sdekit train's reference DSM step on ring8 (see the module doc)."""
    torch.manual_seed(0)
    B, D, E, H = batch, 2, 128, 256
    net = mlp(torch, D, E, H, dev)
    ema = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    freqs = 0.25 * (1000.0 ** (torch.arange(E // 2, dtype=torch.float32, device=dev) / (E // 2 - 1)))
    centers = torch.tensor([[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)], device=dev) * math.sqrt(2)
    T0 = float(schedule.T0) if schedule else 1e-3

    def alpha_sigma(t):
        if schedule:  # the generated closed forms, float64, then float32 like sdekit's host batch
            t64 = t.double()
            return schedule.alpha(t64).float(), schedule.sigma(t64).float()
        return vp_linear(torch, t)

    last = [float("nan")]

    def step(k, read):
        x0 = centers[torch.randint(0, 8, (B,), device=dev)] + 0.1 * torch.randn(B, D, device=dev)
        t = T0 + (1 - T0) * torch.rand(B, device=dev)
        al, sg = alpha_sigma(t)
        eps = torch.randn(B, D, device=dev)
        xt = al[:, None] * x0 + sg[:, None] * eps
        c = 2 * torch.tanh(torch.log(sg / al) / 8)
        h = torch.cat([xt / torch.sqrt(sg ** 2 + al ** 2)[:, None], sinusoidal(torch, c, freqs)], 1)
        loss = torch.mean((net(h) - eps) ** 2)
        optimise(torch, net, opt, ema, loss, k)
        if read:
            last[0] = loss.item()

    return step, last


def mlpstep_step(torch, dev, batch=512):
    """The reference MLP step of src/backend/mlpWorkload.ts: fixed batch, MSE, Adam (no clip, no EMA)."""
    torch.manual_seed(0)
    B, D, E, H = batch, 2, 128, 256
    net = mlp(torch, D, E, H, dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(B, D, device=dev)
    t = torch.rand(B, device=dev)
    target = torch.randn(B, D, device=dev)
    freqs = 1000 * torch.exp(-math.log(10000) * torch.arange(E // 2, dtype=torch.float32, device=dev) / (E // 2))
    last = [float("nan")]

    def step(k, read):
        h = torch.cat([x, sinusoidal(torch, t, freqs)], 1)
        loss = torch.mean((net(h) - target) ** 2)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if read:
            last[0] = loss.item()

    return step, last


def unet(torch, widths=(32, 64, 64), channels=1, E=128, groups=8, classes=10):
    """The twin of src/score/unet.ts (NCHW, PyTorch's native layout)."""
    nn, F = torch.nn, torch.nn.functional

    class Res(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.n1, self.c1 = nn.GroupNorm(groups, cin), nn.Conv2d(cin, cout, 3, padding=1)
            self.emb = nn.Linear(E, cout)
            self.n2, self.c2 = nn.GroupNorm(groups, cout), nn.Conv2d(cout, cout, 3, padding=1)
            self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

        def forward(self, x, emb):
            h = self.c1(F.silu(self.n1(x))) + self.emb(F.silu(emb))[:, :, None, None]
            h = self.c2(F.silu(self.n2(h)))
            return h + (self.skip(x) if self.skip is not None else x)

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            L = len(widths)
            self.freqs = 0.25 * (1000.0 ** (torch.arange(E // 2, dtype=torch.float32) / (E // 2 - 1)))
            self.temb = nn.Sequential(nn.Linear(E, E), nn.SiLU(), nn.Linear(E, E))
            self.cls = nn.Embedding(classes + 1, E) if classes else None
            self.inp = nn.Conv2d(channels, widths[0], 3, padding=1)
            self.down = nn.ModuleList([Res(widths[l], widths[l]) for l in range(L)])
            # space-to-depth by 2, then a dense map (sdekit's down2)
            self.ds = nn.ModuleList([nn.Conv2d(4 * widths[l], widths[l + 1], 1) for l in range(L - 1)])
            self.mid = Res(widths[-1], widths[-1])
            self.us = nn.ModuleList([nn.Conv2d(widths[l + 1], widths[l], 3, padding=1) for l in range(L - 1)])
            self.up = nn.ModuleList([Res(2 * widths[l], widths[l]) for l in range(L)])
            self.outn, self.out = nn.GroupNorm(groups, widths[0]), nn.Conv2d(widths[0], channels, 3, padding=1)

        def forward(self, x, c, labels):
            emb = self.temb(sinusoidal(torch, c, self.freqs))
            if self.cls is not None:
                emb = emb + self.cls(labels)
            h, skips, L = self.inp(x), [], len(widths)
            for l in range(L):
                h = self.down[l](h, emb)
                skips.append(h)
                if l + 1 < L:
                    h = self.ds[l](F.pixel_unshuffle(h, 2))
            h = self.mid(h, emb)
            for l in range(L - 1, -1, -1):
                if l < L - 1:
                    h = F.interpolate(self.us[l](h), scale_factor=2, mode="nearest")
                h = self.up[l](torch.cat([h, skips[l]], 1), emb)
            return self.out(F.silu(self.outn(h)))

    return UNet()


def unet_step(torch, dev, batch=32, widths=(32, 64, 64), classes=10):
    """sdekit's MNIST U-Net training step in PyTorch: the `train` DSM step on 28x28 images, with
    classifier-free label dropout 0.1. The pixels are a fixed random batch (the cost of a step does
    not depend on their values); times, labels and noise are drawn every step."""
    torch.manual_seed(0)
    net = unet(torch, widths=widths, classes=classes).to(dev)
    ema = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.Adam(net.parameters(), lr=5e-4)
    pool = torch.rand(4 * batch, 1, 28, 28, device=dev) * 2 - 1
    last = [float("nan")]

    def step(k, read):
        x0 = pool[torch.randint(0, pool.shape[0], (batch,), device=dev)]
        labels = torch.randint(0, classes, (batch,), device=dev)
        labels = torch.where(torch.rand(batch, device=dev) < 0.1, torch.full_like(labels, classes), labels)
        t = 1e-3 + (1 - 1e-3) * torch.rand(batch, device=dev)
        al, sg = vp_linear(torch, t)
        eps = torch.randn_like(x0)
        xt = al[:, None, None, None] * x0 + sg[:, None, None, None] * eps
        c = 2 * torch.tanh(torch.log(sg / al) / 8)
        loss = torch.mean((net(xt, c, labels) - eps) ** 2)
        optimise(torch, net, opt, ema, loss, k)
        if read:
            last[0] = loss.item()

    return step, last


STEPS = {"train": train_step, "mlpstep": mlpstep_step, "unet": unet_step}


def time_steps(step, warmup, steps, read_every=1):
    """Per-step wall and process-CPU milliseconds after `warmup` steps."""
    for k in range(warmup):
        step(k, True)
    ms, cpu = [], []
    for k in range(steps):
        c, s = time.process_time(), time.perf_counter()
        step(warmup + k, k % read_every == 0)
        ms.append((time.perf_counter() - s) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return ms, cpu


def quality2d(torch, pool, steps, seed, n_out, skip, sampler_steps=20, batch=512):
    """DDPM recipe (eps, simple weighting, uniform t, DDPM's timestep embedding of 1000 t) trained on
    rows of `pool` ([N, 2] float32), then EMA weights sampled with DPM-Solver++(2M) (Lu et al. 2022)
    on a grid uniform in t ('time_uniform') or in lambda ('logSNR'). Returns (samples [n_out, 2]
    float32, training seconds)."""
    torch.manual_seed(seed)
    B, D, E, H = batch, 2, 128, 256
    b0, b1, t_eps, T = 0.1, 20.0, 1e-3, 1.0

    def log_alpha(t):
        return -0.25 * t ** 2 * (b1 - b0) - 0.5 * t * b0

    def alpha_sigma(t):
        return vp_linear(torch, t, b0, b1)

    half = E // 2
    freqs = 1000.0 * torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    net = mlp(torch, D, E, H, "cpu")

    def eps_net(x, t):
        return net(torch.cat([x, sinusoidal(torch, t, freqs)], 1))

    ema = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    perm = torch.randperm(pool.shape[0])
    t0 = time.perf_counter()
    for k in range(steps):
        idx = perm[(k * B) % pool.shape[0]:][:B]
        if idx.shape[0] < B:
            idx = torch.randint(0, pool.shape[0], (B,))
        x0 = pool[idx]
        t = t_eps + (T - t_eps) * torch.rand(B)
        a, s = alpha_sigma(t)
        eps = torch.randn(B, D)
        loss = torch.mean((eps_net(a[:, None] * x0 + s[:, None] * eps, t) - eps) ** 2)
        optimise(torch, net, opt, ema, loss, k)
    train_s = time.perf_counter() - t0
    with torch.no_grad():
        for e, p in zip(ema, net.parameters()):
            p.copy_(e)

        def lam(t):  # lambda = log(alpha / sigma)
            return log_alpha(t) - 0.5 * torch.log(-torch.expm1(2 * log_alpha(t)))

        ts = torch.linspace(T, t_eps, sampler_steps + 1, dtype=torch.float64)
        if skip == "logSNR":  # t of lambda for vp-linear: log alpha = -0.5 log(1 + e^(-2 lambda)) solved for t
            lams = torch.linspace(float(lam(ts[0])), float(lam(ts[-1])), sampler_steps + 1, dtype=torch.float64)
            la = -0.5 * torch.log1p(torch.exp(-2 * lams))
            ts = (-b0 + torch.sqrt(b0 ** 2 - 4 * (b1 - b0) * la)) / (b1 - b0)
        x = torch.randn(n_out, D, dtype=torch.float64) * alpha_sigma(ts[0])[1]
        prev = None
        for i in range(len(ts) - 1):
            s_, t_ = ts[i], ts[i + 1]
            a_s, sg_s = alpha_sigma(s_)
            a_t, sg_t = alpha_sigma(t_)
            e = eps_net(x.float(), torch.full((n_out,), float(s_))).double()
            x0 = (x - sg_s * e) / a_s
            h = lam(t_) - lam(s_)
            if prev is None:
                dx = x0
            else:
                r = (lam(s_) - lam(prev[1])) / h
                dx = x0 + (x0 - prev[0]) / (2 * r)
            x = (sg_t / sg_s) * x - a_t * torch.expm1(-h) * dx
            prev = (x0, s_)
    return x.float().numpy(), train_s


def hello(torch):
    return {"ready": True, "version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_info(torch)}


def dumps(o):
    return json.dumps(o)
