/**
 * Every theorem sdekit proves about a scheme, in the order reports list them. One theorem per
 * file in this folder; add a new one here. Browser-safe: no node-only imports.
 */
import type { Proof } from '../src/proofs/types.ts';
import { closedForms } from './closedForms.ts';
import { discreteConsistency } from './discreteConsistency.ts';
import { lambdaFamily } from './lambdaFamily.ts';
import { logSnrInverse } from './logSnrInverse.ts';
import { meanOde } from './meanOde.ts';
import { parameterizationRoundTrip } from './parameterizationRoundTrip.ts';
import { sdeMarginalRoundTrip } from './sdeMarginalRoundTrip.ts';
import { transitionKernel } from './transitionKernel.ts';
import { tweedie } from './tweedie.ts';
import { validity } from './validity.ts';
import { varianceOde } from './varianceOde.ts';
import { weightingFactorTwo } from './weightingFactorTwo.ts';

export const PROOFS: readonly Proof[] = [
  validity,
  meanOde,
  varianceOde,
  sdeMarginalRoundTrip,
  closedForms,
  logSnrInverse,
  transitionKernel,
  lambdaFamily,
  tweedie,
  parameterizationRoundTrip,
  weightingFactorTwo,
  discreteConsistency,
];
