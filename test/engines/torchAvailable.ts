/** Whether the PyTorch tests can run here: a python3 with torch (src/engines/torch/findPython.ts), else the skip reason. */
import { findTorchPython } from '../../src/engines/torch/findPython.ts';

function find(): string | null {
  try { return findTorchPython().python; } catch { return null; }
}

/** The python3 with torch, or null. */
export const TORCH_PYTHON: string | null = find();
/** `skip` option of the torch tests: false, or why they skip. */
export const TORCH_SKIP: string | false = TORCH_PYTHON ? false : 'no python3 with PyTorch (apt-get install -y --no-install-recommends python3-torch)';
