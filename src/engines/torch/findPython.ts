/**
 * Finding a Python interpreter with PyTorch for `--engine torch`: `--python PATH`, else
 * `SDEKIT_PYTHON`, else `python3` on PATH, else /usr/bin/python3 (Debian's python3-torch lives
 * there while a pyenv or venv python3 may shadow it on PATH). A chosen interpreter that lacks
 * torch, or none found, is a {@link UserError} (exit 2) with the install hint.
 */
import { spawnSync } from 'node:child_process';
import { UserError } from '../../errors.ts';

/** How to install PyTorch, for error messages. */
export const TORCH_INSTALL_HINT = 'install PyTorch (Debian/Ubuntu: apt-get install -y --no-install-recommends python3-torch; elsewhere: pip install torch) or point --python / SDEKIT_PYTHON at a python3 that has it';

/** A python with torch: its path and torch's version. */
export interface TorchPython { readonly python: string; readonly torchVersion: string; readonly cuda: boolean }

/** Probe one interpreter; null when it cannot import torch. */
export function probeTorch(python: string): TorchPython | null {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__, int(torch.cuda.is_available()))'], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return null;
  const [version, cuda] = r.stdout.trim().split(/\s+/);
  return { python, torchVersion: version, cuda: cuda === '1' };
}

/** The interpreter to use; throws a {@link UserError} naming what was tried. */
export function findTorchPython(opts: { python?: string; env?: Readonly<Record<string, string | undefined>> } = {}): TorchPython {
  const env = opts.env ?? process.env;
  if (opts.python !== undefined) {
    const p = probeTorch(opts.python);
    if (!p) throw new UserError('--python', `cannot import torch with this interpreter; ${TORCH_INSTALL_HINT}`, { value: opts.python });
    return p;
  }
  if (env.SDEKIT_PYTHON) {
    const p = probeTorch(env.SDEKIT_PYTHON);
    if (!p) throw new UserError('SDEKIT_PYTHON', `cannot import torch with this interpreter; ${TORCH_INSTALL_HINT}`, { value: env.SDEKIT_PYTHON });
    return p;
  }
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const p = probeTorch(candidate);
    if (p) return p;
  }
  throw new UserError('--engine', `torch needs a python3 with PyTorch; none of python3 (on PATH), /usr/bin/python3 can import torch; ${TORCH_INSTALL_HINT}`, { value: 'torch' });
}
