/**
 * The built-in scheme declarations (files in schemes/), bundled so that the browser has them too.
 */
import type { SchemeDeclaration } from './declaration.ts';
import vpLinear from '../../schemes/vp-linear.json' with { type: 'json' };
import subVp from '../../schemes/sub-vp.json' with { type: 'json' };
import ve from '../../schemes/ve.json' with { type: 'json' };
import vpCosine from '../../schemes/vp-cosine.json' with { type: 'json' };
import edm from '../../schemes/edm.json' with { type: 'json' };
import rectifiedFlow from '../../schemes/rectified-flow.json' with { type: 'json' };
import ddpmLinear from '../../schemes/ddpm-linear-1000.json' with { type: 'json' };
import sdScaledLinear from '../../schemes/sd-scaled-linear.json' with { type: 'json' };
import squaredcos from '../../schemes/squaredcos-cap-v2.json' with { type: 'json' };

/** name -> declaration, in the order `sdekit schemes` lists them */
export const BUILTINS: Readonly<Record<string, SchemeDeclaration>> = Object.fromEntries(
  [vpLinear, subVp, ve, vpCosine, edm, rectifiedFlow, ddpmLinear, sdScaledLinear, squaredcos].map((d) => [d.name, d as SchemeDeclaration]),
);

/** Names of the built-in schemes (`schemes/*.json`), as `sdekit schemes` lists them. */
export const BUILTIN_NAMES: readonly string[] = Object.keys(BUILTINS);
