/**
 * The network configurations sdekit can train, and the factory from a (JSON) config to a {@link Net}.
 */
import { createMlp, type MlpConfig } from './mlp.ts';
import { createUnet, type UnetConfig } from './unet.ts';
import type { Net } from './layers.ts';

/** Any trainable network configuration (stored in a run's config.json). */
export type NetConfig = MlpConfig | UnetConfig;

/** Build the network a config describes. */
export function createNet(cfg: NetConfig): Net {
  if (cfg.kind === 'mlp') return createMlp(cfg);
  if (cfg.kind === 'unet') return createUnet(cfg);
  throw new Error(`unknown network kind ${JSON.stringify((cfg as { kind: unknown }).kind)}`);
}
