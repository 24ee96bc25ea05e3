/**
 * Theorem (transition kernel and Chapman-Kolmogorov, MATH.md section 1): x_t | x_s is Gaussian with
 * alpha_{t|s} = alpha_t/alpha_s and sigma^2_{t|s} = sigma_t^2 - alpha_{t|s}^2 sigma_s^2, and for
 * s < u < t the kernels compose: alpha_{t|s} = alpha_{t|u} alpha_{u|s},
 * sigma^2_{t|s} = alpha_{t|u}^2 sigma^2_{u|s} + sigma^2_{t|u}; composing from the data (s = 0 or
 * t0) gives the marginal. Checked on Scheme.transition (float64) at random ordered triples.
 */
import { mixedError, probeTimes, proofRng } from '../src/proofs/probe.ts';
import type { Proof } from '../src/proofs/types.ts';
import { verdict } from '../src/proofs/verdict.ts';

/** Relative tolerance on alpha_{t|s} and sigma^2_{t|s} (scaled by sigma_t^2). */
export const TRANSITION_TOL = 1e-10;

export const transitionKernel: Proof = {
  id: 'transition-kernel',
  title: 'transition kernel x_t | x_s composes (Chapman-Kolmogorov)',
  statement: String.raw`x_t \mid x_s \sim \mathcal N\big(\alpha_{t|s} x_s,\ \sigma^2_{t|s} I\big),\ \ \alpha_{t|s} = \frac{\alpha_t}{\alpha_s},\ \ \sigma^2_{t|s} = \sigma_t^2 - \alpha_{t|s}^2\sigma_s^2;\quad s<u<t:\ \alpha_{t|s} = \alpha_{t|u}\alpha_{u|s},\ \ \sigma^2_{t|s} = \alpha_{t|u}^2\sigma^2_{u|s} + \sigma^2_{t|u}.`,
  source: 'MATH.md section 1 (transition); Kingma et al. 2021 (VDM, q(z_t | z_s))',
  check(s) {
    const ts = probeTimes(s, 30, 11);
    const rng = proofRng(11);
    let error = 0, at = NaN;
    for (let k = 0; k < 40; k++) {
      const pick = () => ts[Math.floor(rng.uniform() * ts.length)];
      const [a, u, b] = [pick(), pick(), pick()].sort((x, y) => x - y);
      if (!(a < u && u < b)) continue;
      const ts_ = s.transition(a, b), tu = s.transition(a, u), ut = s.transition(u, b);
      const scale = s.sigma2(b);
      const e = Math.max(
        mixedError(ts_.alpha, s.alpha(b) / s.alpha(a)),
        mixedError(ts_.alpha, ut.alpha * tu.alpha),
        Math.abs(ts_.sigma ** 2 - (ut.alpha ** 2 * tu.sigma ** 2 + ut.sigma ** 2)) / scale,
        Math.abs(ts_.sigma ** 2 - (s.sigma2(b) - ts_.alpha ** 2 * s.sigma2(a))) / scale,
      );
      if (!(e <= error)) { error = e; at = b; }
    }
    return verdict('numeric', { error, at, identical: false }, TRANSITION_TOL, 'alpha_{t|s}, sigma^2_{t|s} of Scheme.transition vs the marginals and composed through a middle time');
  },
};
