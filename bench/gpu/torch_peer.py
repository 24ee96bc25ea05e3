"""PyTorch peer of sdekit's GPU benchmarks (issue 6, part 6), float32, CUDA or CPU.

Workloads (one JSON line each on stdout):
  sample   exact-score DPM-Solver++(2M) on the 2-D 8-component ring (bench/sample.ts's mixture:
           means on a circle of radius 4, std 0.5, equal weights), vp-linear, uniform-t grid from T
           to t0, using the schedule module that sdekit generates
           (`sdekit derive vp-linear --target python`): its alpha, sigma and dpm_solver_pp_2m.
           Timed like sdekit's device path: host noise -> device, the run, device -> host.
           With --compare, the max |difference| to sdekit's output file on the same noise.
  (train and mlpstep are bench/peers/torch_workloads.py's, the same code as the CPU benches' peer)
  train    the issue-5 DSM training step (bench/train.ts's peer: 2 + 128 -> 256 -> 256 -> 256 -> 2
           SiLU MLP, eps target, simple weighting, uniform t, clip 1, Adam 1e-3, EMA), batch 512,
           alpha/sigma from the generated module; the loss is read every step (as sdekit does).
  mlpstep  the reference step of src/backend/mlpWorkload.ts (bench/mlpStep.ts's peer: fixed batch,
           sinusoidal embedding, MSE, Adam), loss read every step, and pipelined (read once).
Helpers: `gmm --out F` writes the ring mixture as an sdekit GMM file; `noise --n N --seed S --out F`
writes an sdekit noise file ({"noise": rows}) of standard-normal rows.

  python3 bench/gpu/torch_peer.py sample --device cuda --schedule /tmp/vp_linear.py --noise F [--compare OUT]
  python3 bench/gpu/torch_peer.py train --device cuda --steps 300
  python3 bench/gpu/torch_peer.py mlpstep --device cuda --steps 300
"""
import argparse
import importlib.util
import json
import math
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent / "peers"))
import torch_workloads as W  # noqa: E402  (the one implementation of the training workloads)

K_RING = 8


def ring8():
    return {
        "weights": [1.0 / K_RING] * K_RING,
        "means": [[4 * math.cos(2 * math.pi * k / K_RING), 4 * math.sin(2 * math.pi * k / K_RING)] for k in range(K_RING)],
        "stds": [0.5] * K_RING,
    }


def load_schedule(path):
    spec = importlib.util.spec_from_file_location("sdekit_schedule", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def sync(torch, dev):
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def device_name(torch, dev):
    if dev.type == "cuda":
        return torch.cuda.get_device_name(dev)
    return f"cpu, {torch.get_num_threads()} threads"


def cmd_gmm(a):
    with open(a.out, "w") as f:
        json.dump(ring8(), f)


def cmd_noise(a):
    z = np.random.default_rng(a.seed).standard_normal((a.n, 2))
    with open(a.out, "w") as f:
        f.write('{"noise":')
        json.dump(z.tolist(), f)
        f.write("}")


def read_rows(path, key):
    with open(path) as f:
        return np.asarray(json.load(f)[key], dtype=np.float64)


def cmd_sample(a):
    import torch

    torch.set_grad_enabled(False)
    dev = torch.device(a.device)
    sched = load_schedule(a.schedule)
    spec = ring8()
    mu = torch.tensor(spec["means"], dtype=torch.float32, device=dev)
    s2 = torch.tensor(spec["stds"], dtype=torch.float32, device=dev) ** 2
    w = torch.tensor(spec["weights"], dtype=torch.float32, device=dev)
    logw = torch.log(w / w.sum())
    D = mu.shape[1]
    mu2 = (mu * mu).sum(1)

    def x0_model(x, t):
        """E[x0 | x_t] of the isotropic mixture: per component (a s2/c) x + (sigma^2/c) mu, c = a^2 s2 + sigma^2."""
        a_t, s_t = float(sched.alpha(t)), float(sched.sigma(t))
        c = a_t * a_t * s2 + s_t * s_t
        d2 = (x * x).sum(1, keepdim=True) - 2 * a_t * (x @ mu.T) + (a_t * a_t) * mu2
        r = torch.softmax(logw - 0.5 * D * torch.log(c) - d2 / (2 * c), dim=1)
        return (r @ (a_t * s2 / c))[:, None] * x + r @ ((s_t * s_t / c)[:, None] * mu)

    if a.noise:
        noise64 = read_rows(a.noise, "noise")
    else:
        noise64 = np.random.default_rng(a.seed).standard_normal((a.n, 2))
    noise_host = torch.from_numpy(noise64.astype(np.float32))
    if dev.type == "cuda":
        noise_host = noise_host.pin_memory() if a.pin else noise_host
    n = noise_host.shape[0]
    T, T0 = float(sched.T), float(sched.T0)
    ts = [T + i / a.steps * (T0 - T) for i in range(a.steps + 1)]  # uniform-t, as sdekit's steps.ts

    def run(x_host):
        x = x_host.to(dev)
        return sched.dpm_solver_pp_2m(x0_model, x, ts).cpu()

    for _ in range(a.warmup):
        out = run(noise_host)
    times = []
    for _ in range(a.repeat):
        sync(torch, dev)
        t0 = time.perf_counter()
        out = run(noise_host)
        sync(torch, dev)
        times.append(time.perf_counter() - t0)
    # device-only: noise already on the device, no readback
    x_dev = noise_host.to(dev)
    dev_times = []
    for _ in range(a.repeat):
        sync(torch, dev)
        t0 = time.perf_counter()
        y = sched.dpm_solver_pp_2m(x0_model, x_dev, ts)
        sync(torch, dev)
        dev_times.append(time.perf_counter() - t0)
    del y
    res = {
        "workload": "sample",
        "impl": f"pytorch {a.device} f32 eager",
        "device": device_name(torch, dev),
        "torch": torch.__version__,
        "n": n,
        "steps": a.steps,
        "nfe": a.steps,
        "seconds": statistics.median(times),
        "seconds_min": min(times),
        "samples_per_s": n / statistics.median(times),
        "seconds_on_device": statistics.median(dev_times),
        "repeat": a.repeat,
    }
    out64 = out.double().numpy()
    res["finite"] = bool(np.isfinite(out64).all())
    res["radius_mean"] = float(np.sqrt((out64 ** 2).sum(1)).mean())  # ~4 for the ring
    if a.compare:
        theirs = read_rows(a.compare, "samples")
        if theirs.shape != out64.shape:
            res["compare_error"] = f"shape {theirs.shape} vs {out64.shape}"
        else:
            diff = np.abs(theirs - out64)
            res["max_abs_diff_vs_sdekit"] = float(diff.max())
            res["p999_abs_diff_vs_sdekit"] = float(np.quantile(diff.max(1), 0.999))
    print(json.dumps(res), flush=True)


def timed_steps(torch, dev, step, warmup, steps):
    """(median ms per step with the loss read every step, the minimum, ms per step of one block that reads it once)."""
    for k in range(warmup):
        step(k, True)
    sync(torch, dev)
    each = []
    for k in range(steps):
        t0 = time.perf_counter()
        step(k, True)  # .item(): a device sync, as sdekit reads each loss
        each.append((time.perf_counter() - t0) * 1000)
    sync(torch, dev)
    t0 = time.perf_counter()
    for k in range(steps):
        step(k, k == steps - 1)
    sync(torch, dev)
    pipelined = (time.perf_counter() - t0) * 1000 / steps
    return statistics.median(each), min(each), pipelined


def cmd_train(a):
    import torch

    dev = torch.device(a.device)
    sched = load_schedule(a.schedule) if a.schedule else None
    step, last = W.train_step(torch, dev, a.batch, sched)
    report_steps(torch, dev, a, "train", a.batch, step, last, schedule="generated" if sched else "inline")


def report_steps(torch, dev, a, workload, B, step, last, **extra):
    """Time `step` (timed_steps) and print the JSON line shared by the training workloads."""
    ms, ms_min, pipelined = timed_steps(torch, dev, step, a.warmup, a.steps)
    print(json.dumps({
        "workload": workload, "impl": f"pytorch {a.device} f32 eager", "device": device_name(torch, dev), "torch": torch.__version__,
        "batch": B, "steps": a.steps, "ms_per_step": ms, "ms_min": ms_min, "steps_per_s": 1000 / ms,
        "ms_per_step_pipelined": pipelined, "steps_per_s_pipelined": 1000 / pipelined, "loss_last": last[0],
        **extra,
    }), flush=True)


def cmd_mlpstep(a):
    import torch

    dev = torch.device(a.device)
    step, last = W.mlpstep_step(torch, dev, a.batch)
    report_steps(torch, dev, a, "mlpstep", a.batch, step, last)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gmm")
    g.add_argument("--out", required=True)
    z = sub.add_parser("noise")
    z.add_argument("--n", type=int, required=True)
    z.add_argument("--seed", type=int, default=0)
    z.add_argument("--out", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--schedule", required=True, help="the module of `sdekit derive vp-linear --target python`")
    s.add_argument("--noise", help="an sdekit noise file (else --n rows from --seed)")
    s.add_argument("--n", type=int, default=100_000)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--steps", type=int, default=20)
    s.add_argument("--compare", help="sdekit sample --out file from the same noise")
    s.add_argument("--pin", action="store_true", help="pinned host memory for the noise (CUDA)")
    for q in (s, sub.add_parser("train"), sub.add_parser("mlpstep")):
        q.add_argument("--device", default="cuda")
        q.add_argument("--warmup", type=int, default=3)
        q.add_argument("--threads", type=int, default=0, help="CPU threads (0: PyTorch's default)")
    s.add_argument("--repeat", type=int, default=5)
    for name in ("train", "mlpstep"):
        q = sub.choices[name]
        q.add_argument("--steps", type=int, default=300)
        q.add_argument("--batch", type=int, default=512)
        if name == "train":
            q.add_argument("--schedule", help="the generated vp-linear module (else inline closed forms)")
    a = p.parse_args(argv)
    if a.cmd in ("sample", "train", "mlpstep"):
        import torch

        if a.threads > 0:
            torch.set_num_threads(a.threads)
        if a.device.startswith("cuda") and not torch.cuda.is_available():
            print(json.dumps({"workload": a.cmd, "impl": f"pytorch {a.device}", "error": "torch.cuda.is_available() is False"}), flush=True)
            return 1
    {"gmm": cmd_gmm, "noise": cmd_noise, "sample": cmd_sample, "train": cmd_train, "mlpstep": cmd_mlpstep}[a.cmd](a)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
