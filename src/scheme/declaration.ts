/**
 * The declaration a user writes (JSON scheme file or TS object), DESIGN.md "The scheme file".
 * Exactly one of sde | marginal | logSnr | discrete.
 */
export interface SchemeDeclaration {
  name?: string;
  description?: string;
  params?: Record<string, number>;
  /**
   * admissible ranges of parameters, inclusive, null for an unbounded end: {"b0": [0, null]}.
   * Without one a parameter keeps the sign of its declared value (expr/assumptions.ts).
   */
  ranges?: Record<string, [number | null, number | null]>;
  time?: { t0?: number; T?: number };
  /** forward SDE dx = f x dt + g dW; give g2 (= g^2) or g */
  sde?: { f: string | number; g2?: string | number; g?: string | number };
  /** x_t = alpha x0 + sigma eps */
  marginal?: { alpha: string | number; sigma: string | number };
  /** half log-SNR log(alpha/sigma) of a variance-preserving process */
  logSnr?: string;
  /**
   * sampling defaults for this scheme (used when `sdekit sample` gets no --spacing / --rho):
   * e.g. EDM's Karras grid. The names are those of `--spacing`.
   */
  sampling?: { spacing?: string; rho?: number };
  /** a discrete beta table, explicit or generated as in diffusers */
  discrete?: {
    betas?: number[];
    schedule?: 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
    betaStart?: number;
    betaEnd?: number;
    steps?: number;
  };
}

/** The four declaration forms of DESIGN.md, one of which a scheme file gives. */
export const FORMS = ['sde', 'marginal', 'logSnr', 'discrete'] as const;
/** Top-level keys a declaration may hold. */
export const TOP_LEVEL_KEYS = ['name', 'description', 'params', 'ranges', 'time', 'sampling', ...FORMS, '$schema'] as const;
