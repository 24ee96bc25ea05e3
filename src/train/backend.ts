/**
 * The one place training / likelihood pick their TensorFlow.js backend: delegates to the
 * project's backend selection (src/backend/select.ts: native, hardware WebGPU, wasm with the
 * transposed-matmul fix, cpu; `--backend` / SDEKIT_BACKEND override).
 */
import { initBackend } from '../backend/select.ts';

/** Activate a backend (`name` from `--backend`, else automatic) and return a one-line description. */
export async function initTrainBackend(name?: string): Promise<string> {
  const info = await initBackend(name);
  return info.adapter ? `${info.name} (${info.adapter})` : info.name;
}
