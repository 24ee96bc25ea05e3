/**
 * The DSM loss of sdekit's MLP (src/score/mlp.ts) and its gradients by explicit back-propagation
 * (Rumelhart et al. 1986) on the wasm backend: no autodiff tape, matmul + bias fused in the forward
 * pass, transposed products on the flag-free XNNPACK path (backend/wasmMatMul.ts), the SiLU
 * derivative as one kernel (backend/wasmKernels.ts): fewer kernels than tf.valueAndGrads, no tape
 * (compare with `npx tsx bench/probes/mlpBackprop.ts`). For h_0 = [x, emb], z_l = h_l W_l + b_l,
 * h_{l+1} = silu(z_l), F = z_{L-1} and
 *
 *     loss = share * mean_b( weight_b * mean_d (F - target)^2 )   (dsmLoss.ts, times the worker's share)
 *
 * dZ_{L-1} = 2 share weight_b (F - target) / (B D);  dW_l = h_l^T dZ_l;  db_l = 1^T dZ_l;
 * dZ_{l-1} = (dZ_l W_l^T) * silu'(z_{l-1});  with classes, emb = sinusoidal + onehot E_class, so
 * dE_class = onehot^T (dZ_0 W_0^T)[:, D:].
 */
import * as tf from '@tensorflow/tfjs';
import { siluGrad } from '../backend/wasmKernels.ts';
import { sinusoidal, type Weights } from '../score/layers.ts';
import type { MlpConfig } from '../score/mlp.ts';
import type { DsmTensors } from './dsmLoss.ts';

/** Gradients in the network's spec order; a bias comes as the B x n matrix dZ whose column sums are its gradient (`rows` true). */
export interface MlpGradients {
  readonly loss: tf.Scalar;
  readonly grads: tf.Tensor[];
  readonly rows: boolean[];
}

/** Loss and gradients of the MLP `cfg` with weights `w` on batch `b`, the loss scaled by `share`. */
export function mlpDsmGradients(cfg: MlpConfig, w: Weights, b: DsmTensors, share: number): MlpGradients {
  return tf.tidy(() => {
    const L = cfg.hidden.length + 1;
    const B = b.x.shape[0], D = b.x.shape[1] ?? 1;
    let emb: tf.Tensor2D = sinusoidal(b.cNoise, cfg.embDim);
    let onehot: tf.Tensor2D | null = null;
    if (cfg.numClasses > 0) {
      if (!b.labels) throw new Error('class-conditional MLP needs labels (use the null class for none)');
      onehot = tf.oneHot(b.labels, cfg.numClasses + 1).toFloat() as tf.Tensor2D;
      emb = tf.add(emb, tf.matMul(onehot, w['class.emb'] as tf.Tensor2D)) as tf.Tensor2D;
    }
    const hs: tf.Tensor2D[] = [tf.concat([b.x as tf.Tensor2D, emb], 1)];
    const zs: tf.Tensor2D[] = [], ss: tf.Tensor2D[] = [];
    for (let l = 0; l < L; l++) {
      const z = tf.fused.matMul({ a: hs[l], b: w[`fc${l}.w`] as tf.Tensor2D, bias: w[`fc${l}.b`] }) as tf.Tensor2D;
      zs.push(z);
      if (l < L - 1) {
        const s = tf.sigmoid(z) as tf.Tensor2D;
        ss.push(s);
        hs.push(tf.mul(z, s));
      }
    }
    const diff = tf.sub(zs[L - 1], b.target) as tf.Tensor2D;
    const perSample = tf.mean(tf.square(diff), 1);
    const loss = tf.mul(tf.sum(tf.mul(perSample, b.weight)), share / B) as tf.Scalar;
    let dZ = tf.mul(diff, tf.reshape(tf.mul(b.weight, (2 * share) / (B * D)), [B, 1])) as tf.Tensor2D;
    const byName: Record<string, tf.Tensor> = {};
    for (let l = L - 1; l >= 0; l--) {
      const W = w[`fc${l}.w`] as tf.Tensor2D;
      byName[`fc${l}.w`] = tf.matMul(hs[l], dZ, true, false);
      byName[`fc${l}.b`] = dZ;
      if (l > 0) dZ = siluGrad(tf.matMul(dZ, W, false, true), zs[l - 1], ss[l - 1]) as tf.Tensor2D;
      else if (onehot) {
        const dEmb = tf.slice(tf.matMul(dZ, W, false, true), [0, D], [B, cfg.embDim]) as tf.Tensor2D;
        byName['class.emb'] = tf.matMul(onehot, dEmb, true, false);
      }
    }
    const names = [...(cfg.numClasses > 0 ? ['class.emb'] : []), ...Array.from({ length: L }, (_, l) => [`fc${l}.w`, `fc${l}.b`]).flat()];
    return { loss, grads: names.map((n) => byName[n]), rows: names.map((n) => /^fc\d+\.b$/.test(n)) };
  });
}
