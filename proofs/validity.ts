/**
 * Theorem (validity, MATH.md section 1): on [t0, T], alpha > 0 (alpha(T) = 0 allowed: zero terminal
 * SNR), sigma > 0 for t > 0, g^2 >= 0 (equivalently logSnr non-increasing), every view finite; and
 * the terminal KL of unit-variance data to the prior N(0, sigma_T^2) is reported.
 * Runs src/scheme/validate.ts on its dense grid; a violation fails with the first t where it occurs.
 * The terminal KL is informative (a large KL is a warning, not a failure: the engines still work,
 * only the prior at T is wrong).
 */
import { isUserError } from '../src/errors.ts';
import { fmt } from '../src/proofs/probe.ts';
import type { Proof } from '../src/proofs/types.ts';
import { validateScheme } from '../src/scheme/validate.ts';

export const validity: Proof = {
  id: 'validity',
  title: 'valid schedule (alpha > 0, sigma > 0, g^2 >= 0, finite); terminal KL',
  statement: String.raw`\forall t \in [t_0, T]:\ \alpha(t) > 0,\ \sigma(t) > 0\ (t > 0),\ g^2(t) \ge 0 \iff \tfrac{\mathrm{d}}{\mathrm{d}t}\lambda(t) \le 0;\quad \mathrm{KL}\big(\mathcal N(0, \alpha_T^2 + \sigma_T^2)\,\|\,\mathcal N(0, \sigma_T^2)\big) = \tfrac12\big(\mathrm{SNR}_T - \log(1 + \mathrm{SNR}_T)\big).`,
  source: 'MATH.md section 1 (validity)',
  check(s) {
    try {
      const r = validateScheme(s);
      const warn = r.warnings.length ? `; warning: ${r.warnings.join('; ')}` : '';
      return { ok: true, method: 'numeric', error: 0, tolerance: 0, detail: `valid at all ${r.points} grid points; terminal KL = ${fmt(r.terminalKl)} nats/dim${warn}` };
    } catch (e) {
      if (!isUserError(e)) throw e;
      return { ok: false, method: 'numeric', error: Infinity, tolerance: 0, detail: e.message };
    }
  },
};
