"""Helpers of bench/gpu/run.sh (standard library only).

  report.py tag --stdout F --stderr F --rc N [key=value ...]
      the last JSON object line of F (a command's stdout), with the key=value fields added (numbers
      parsed), printed as one JSON line; a failed command becomes {"error": <its stderr tail>}.
  report.py table RESULTS.jsonl
      the markdown table of the results (sdekit vs PyTorch on the same work), on stdout.
"""
import json
import statistics
import sys


def parse_value(v):
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return v


def cmd_tag(argv):
    opts, extra = {}, {}
    i = 0
    while i < len(argv):
        if argv[i] in ("--stdout", "--stderr", "--rc"):
            opts[argv[i][2:]] = argv[i + 1]
            i += 2
        else:
            k, _, v = argv[i].partition("=")
            extra[k] = parse_value(v)
            i += 1
    obj = None
    try:
        for line in open(opts["stdout"]):
            line = line.strip()
            if line.startswith("{"):
                try:
                    obj = json.loads(line)
                except ValueError:
                    pass
    except OSError:
        pass
    rc = int(opts.get("rc", "0"))
    if obj is None or rc != 0:
        try:
            err = open(opts["stderr"]).read()
        except OSError:
            err = ""
        lines = [l.strip() for l in err.splitlines() if l.strip() and not l.startswith("Warning: max")]
        # the message lines, then where it was thrown (the first stack frame)
        msg = [l for l in lines if not l.startswith("at ")]
        frames = [l for l in lines if l.startswith("at ")]
        text = " | ".join(msg[-4:] + frames[:2])[-900:]
        if rc == 124:
            text = f"timed out; {text}"
        obj = {**(obj or {}), "error": text or f"exit status {rc}, no output", "rc": rc}
    print(json.dumps({**extra, **obj}))


def fmt(x, digits=3):
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    if x >= 1e5:
        return f"{x:.3g}"
    return f"{x:.{digits}g}"


def cmd_table(path):
    rows = [json.loads(l) for l in open(path) if l.strip().startswith("{")]
    out = []
    env = [r for r in rows if r.get("workload") == "env"]
    for r in env:
        out.append(f"- {r.get('what')}: {r.get('value')}")
    errors = [r for r in rows if "error" in r]

    def pick(workload, pred):
        return [r for r in rows if r.get("workload") == workload and "error" not in r and pred(r)]

    table = ["| workload | size | sdekit | sdekit | PyTorch | PyTorch | sdekit / PyTorch | note |", "|---|---|---|---|---|---|---|---|"]
    # sampling: samples/s (upload to readback, kernels compiled) per n
    ns = sorted({r.get("n") for r in rows if r.get("workload") == "sample" and r.get("n")}, reverse=True)
    for n in ns:
        peers = pick("sample", lambda r: r.get("n") == n and r.get("impl", "").startswith("pytorch"))
        peer = peers[0] if peers else None
        impls = sorted({r["impl"] for r in pick("sample", lambda r: r.get("n") == n and r.get("impl", "").startswith("sdekit"))})
        for impl in impls:
            mine = pick("sample", lambda r: r.get("n") == n and r.get("impl") == impl)
            sec = statistics.median(r["seconds"] for r in mine)
            wall = statistics.median(r["wall_s"] for r in mine if "wall_s" in r) if any("wall_s" in r for r in mine) else None
            rate = n / sec
            note = f"{len(mine)} CLI runs, median of `seconds` (upload->readback, kernels compiled)"
            if wall is not None:
                note += f"; CLI wall {wall:.2f} s incl. JSON I/O"
            if peer and "max_abs_diff_vs_sdekit" in peer and impl.startswith("sdekit webgpu"):
                note += f"; max abs diff vs PyTorch {peer['max_abs_diff_vs_sdekit']:.1e}"
            table.append(
                f"| sample, 2-D ring8 exact score, dpm-solver++2m 20 steps | {n:,} pts | {impl} | {fmt(rate)} samples/s ({sec * 1e3:.1f} ms) | "
                f"{peer['impl'] if peer else '-'} | {fmt(peer['samples_per_s']) + ' samples/s (' + format(peer['seconds'] * 1e3, '.1f') + ' ms)' if peer else '-'} | "
                f"{fmt(rate / peer['samples_per_s'], 2) if peer else '-'} | {note} |"
            )
        if peer:
            table.append(f"| (PyTorch on-device only, no transfers) | {n:,} pts | | | {peer['impl']} | {fmt(n / peer['seconds_on_device'])} samples/s ({peer['seconds_on_device'] * 1e3:.1f} ms) | | |")
    # training through the CLI: steps/s, and the differential rate between a short and a long run
    peers = pick("train", lambda r: r.get("impl", "").startswith("pytorch"))
    peer = peers[0] if peers else None
    for impl in sorted({r["impl"] for r in pick("train", lambda r: r.get("impl", "").startswith("sdekit"))}):
        mine = sorted(pick("train", lambda r: r.get("impl") == impl), key=lambda r: r.get("step", 0))
        if not mine:
            continue
        long = mine[-1]
        sps = long["stepsPerSecond"]
        note = f"`sdekit train --json` stepsPerSecond over {long.get('step')} steps"
        if len(mine) >= 2 and long["step"] > mine[0]["step"]:
            diff = (long["step"] - mine[0]["step"]) / max(long["seconds"] - mine[0]["seconds"], 1e-9)
            note += f"; warm rate from the {mine[0]['step']}- and {long['step']}-step runs {diff:.1f} steps/s"
            sps = diff
        table.append(
            f"| train ring8 MLP (DSM step, batch {long.get('batch', '?')}) | {long.get('step')} steps | {impl} | {fmt(sps)} steps/s | "
            f"{peer['impl'] if peer else '-'} | {fmt(peer['steps_per_s']) + ' steps/s' if peer else '-'} | {fmt(sps / peer['steps_per_s'], 2) if peer else '-'} | {note} |"
        )
    if peer:
        table.append(f"| (PyTorch DSM step, loss read once per block) | {peer['steps']} steps | | | {peer['impl']} | {fmt(peer['steps_per_s_pipelined'])} steps/s | | |")
    # reference MLP step (src/backend/mlpWorkload.ts)
    peers = pick("mlpstep", lambda r: r.get("impl", "").startswith("pytorch"))
    peer = peers[0] if peers else None
    for r in pick("mlpstep", lambda r: r.get("impl", "").startswith("sdekit")):
        for mode, key in (("loss read every step", "steps_per_s"), ("pipelined", "steps_per_s_pipelined")):
            p = peer[key] if peer else None
            table.append(
                f"| reference MLP step ({r.get('variant')}, {mode}) | batch {r.get('batch')} | {r['impl']} | {fmt(r[key])} steps/s | "
                f"{peer['impl'] if peer else '-'} | {fmt(p) + ' steps/s' if p else '-'} | {fmt(r[key] / p, 2) if p else '-'} | {r.get('adapter', '')} |"
            )
    out.append("")
    out.extend(table)
    if errors:
        out.append("")
        out.append("Errors:")
        for r in errors:
            out.append(f"- {r.get('workload')} / {r.get('impl')}: {r['error']}")
    print("\n".join(out))


def main(argv):
    if argv and argv[0] == "tag":
        cmd_tag(argv[1:])
    elif len(argv) == 2 and argv[0] == "table":
        cmd_table(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
