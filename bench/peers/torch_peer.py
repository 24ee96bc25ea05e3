"""The PyTorch peer process of sdekit's CPU benches (bench/peers/torchPeer.ts starts it, with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment and its thread count fixed).
The workloads live in torch_workloads.py (one implementation each).

  python3 bench/peers/torch_peer.py serve --threads N
      prints a hello line (torch version, threads, BLAS: library, OpenBLAS core, environment), then
      answers each stdin line {"workload": "train"|"mlpstep"|"unet", "steps": K, "warmup": W, ...}
      with {"ms": [...], "cpu": [...], "loss": L} (the workload is built once and kept)
  python3 bench/peers/torch_peer.py quality2d POOL STEPS SEED N_OUT OUT THREADS SKIP
      trains the 2-D DDPM recipe on POOL (float32 rows of 2), writes N_OUT samples to OUT (float32),
      prints {"train_s", "version", "threads", "blas"}
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_workloads as W  # noqa: E402


def serve(threads):
    import torch

    torch.set_num_threads(threads)
    print(json.dumps(W.hello(torch)), flush=True)
    built = {}
    for line in sys.stdin:
        req = json.loads(line)
        name = req["workload"]
        key = json.dumps({k: v for k, v in req.items() if k not in ("steps", "warmup")}, sort_keys=True)
        if key not in built:
            kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in req.items() if k not in ("workload", "steps", "warmup")}
            built[key] = W.STEPS[name](torch, torch.device("cpu"), **kw)
        step, last = built[key]
        ms, cpu = W.time_steps(step, req.get("warmup", 3), req["steps"])
        print(json.dumps({"ms": ms, "cpu": cpu, "loss": last[0], "threads": torch.get_num_threads()}), flush=True)


def quality2d(argv):
    import numpy as np
    import torch

    pool_file, steps, seed, n_out, out_file, threads, skip = argv[0], int(argv[1]), int(argv[2]), int(argv[3]), argv[4], int(argv[5]), argv[6]
    torch.set_num_threads(threads)
    pool = torch.from_numpy(np.fromfile(pool_file, dtype=np.float32).reshape(-1, 2))
    samples, train_s = W.quality2d(torch, pool, steps, seed, n_out, skip)
    samples.tofile(out_file)
    print(json.dumps({"train_s": train_s, "version": torch.__version__, "threads": torch.get_num_threads(), "blas": W.blas_info(torch)}))


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "serve":
        serve(int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1)
    elif len(sys.argv) >= 2 and sys.argv[1] == "quality2d":
        quality2d(sys.argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
