"""Per-operator profile of the PyTorch twin of sdekit's MNIST U-Net training step (issue 14), one
thread, OPENBLAS_* unset: the table to set against `npx tsx bench/unetProfile.ts` (sdekit's worker).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/probes/unet_torch_profile.py [batch]
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "peers"))
import torch  # noqa: E402
import torch_workloads as w  # noqa: E402

torch.set_num_threads(1)
batch = int(sys.argv[1]) if len(sys.argv) > 1 else 32
step, _ = w.unet_step(torch, "cpu", batch=batch)
for k in range(3):
    step(k, True)
with torch.autograd.profiler.profile() as prof:
    for k in range(3, 8):
        step(k, k == 7)
print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
