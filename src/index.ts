/**
 * sdekit: declare a diffusion noise schedule once; derive, prove and compile everything else.
 *
 * The public API, in the order a user meets it (MATH.md for the formulas, DESIGN.md for the
 * file formats):
 *
 * 1. **Schemes**: {@link declareScheme} / {@link loadScheme} turn a declaration (forward SDE,
 *    marginal, log-SNR curve or discrete beta table) into a {@link Scheme}: every view as a
 *    float64 function and, where one exists, as a closed-form expression tree.
 * 2. **Derivations and proofs**: {@link derivation} (closed forms, each tagged symbolic or
 *    numeric), {@link runProofs} (the theorems of `proofs/` checked on a scheme).
 * 3. **Reverse processes**: the lambda-family ({@link reverseDrift}, {@link reverseDiffusion}),
 *    loss weightings ({@link weighting}, {@link edmPrecond}), parameterisation conversions.
 * 4. **Codegen**: float64 JS closures ({@link compile}), LaTeX ({@link toLatex}), PyTorch
 *    ({@link pythonModule}), WGSL/GLSL ({@link shaderModule}).
 * 5. **Sampling**: {@link sample} with any sampler of {@link SAMPLER_NAMES} on any
 *    {@link ScoreModel}; analytic oracles {@link GaussianModel} and {@link GaussianMixtureModel}.
 * 6. **Training and likelihood**: {@link train} (denoising score matching with checkpoints and
 *    resume), {@link pfOdeLikelihood} (PF-ODE log-density), backends ({@link listBackends}).
 *
 * Every user error is a {@link UserError} naming the field, the offending value and, for
 * schedules, the first t where a condition fails.
 *
 * @example
 * ```ts
 * import { declareScheme, runProofs, sample, GaussianMixtureModel } from 'sdekit';
 * const { scheme } = declareScheme({
 *   name: 'mine', params: { b0: 0.1, b1: 20 }, time: { t0: 1e-3, T: 1 },
 *   sde: { f: '-(b0 + t * (b1 - b0)) / 2', g2: 'b0 + t * (b1 - b0)' },
 * });
 * scheme.alpha(0.5);                          // float64 value
 * scheme.quantities.sigma.expr;               // closed form (a mathjs tree), method 'symbolic'
 * runProofs(scheme).every((r) => r.ok);       // every theorem of proofs/ on this scheme
 * const model = new GaussianMixtureModel({ weights: [1], means: [[0, 0]], stds: [0.1] });
 * const { samples } = await sample({ scheme, model, sampler: 'dpm-solver++2m', steps: 10, n: 1000, seed: 0 });
 * ```
 * @packageDocumentation
 */

// errors
export { UserError, isUserError } from './errors.ts';

// schemes: declaration, built-ins, views, validation, derivation
export type { SchemeDeclaration } from './scheme/declaration.ts';
export { FORMS } from './scheme/declaration.ts';
export { declareScheme, type DeclaredScheme } from './scheme/declare.ts';
export { loadScheme, loadDeclared, readDeclaration } from './scheme/load.ts';
export { BUILTINS, BUILTIN_NAMES } from './scheme/builtins.ts';
export type { Scheme, SchemeForm, Quantity, QuantityName, Method, DiscreteInfo } from './scheme/types.ts';
export { QUANTITY_NAMES } from './scheme/types.ts';
export { validateScheme, type ValidationReport } from './scheme/validate.ts';
export { derivation, derivationLatex, DERIVED, type DerivationJson } from './codegen/derivation.ts';
export { betaTable } from './scheme/discrete.ts';

// the symbolic layer (expression trees are mathjs MathNodes restricted to a whitelist)
export { parseExpr, type ParseOptions } from './expr/parse.ts';
export { derivative } from './expr/derivative.ts';
export { simplify, simplifyWith, type SimplifyOptions } from './expr/simplify.ts';
export { stabilize } from './expr/stabilize.ts';
export { provedZero } from './expr/zero.ts';
export { antiderivative, definiteIntegral } from './expr/integrate.ts';
export { integrate as quadrature, type QuadResult } from './expr/quadrature.ts';
export { invert } from './expr/invert.ts';
export { zeroTest, type ZeroTest } from './expr/equal.ts';
export { FUNCTIONS, freeSymbols, type FunctionName, type Env } from './expr/nodes.ts';
export { assumptionsOf, type Assumptions, type ParamAssumption, type Sign } from './expr/assumptions.ts';

// proofs
export { runProofs, allPassed, PROOFS } from './proofs/runner.ts';
export type { Proof, ProofReport, ProofResult, ProofMethod } from './proofs/types.ts';

// reverse processes, weightings, parameterisations
export { reverseDrift, reverseDiffusion, pfOdeDrift, familyExprs, familyVars, type FamilyVars } from './reverse/family.ts';
export { weighting, weightingExpr, edmPrecond, WEIGHTINGS, type WeightingName, type EdmPrecond } from './reverse/weighting.ts';
export { convert, PARAMETERIZATIONS, type Parameterization } from './reverse/parameterization.ts';

// codegen
export { compile, compile1, interpret, type Fn1, type FnN } from './expr/compile.ts';
export { toLatex } from './codegen/latex.ts';
export { pythonModule, toTorch } from './codegen/python.ts';
export { shaderModule, toShader, type ShaderLanguage } from './codegen/shader.ts';

// score models
export type { ScoreModel, ModelViews, NoiseLevel, ViewRequest } from './score/model.ts';
export { GaussianModel, type GaussianModelOptions } from './score/gaussian.ts';
export { GaussianMixtureModel, validateGmm, type GmmSpec, type GmmModelOptions } from './score/gmm.ts';

// sampling
export { sample, resolveSampler, type SampleOptions, type SampleResult } from './sample/sample.ts';
export { chooseAuto, schemeKind, AUTO_TABLE, type AutoChoice, type SchemeKind } from './sample/auto.ts';
export { tuneGrid, tuneAuto, defaultTuneN, rmsDistance, TUNE_CANDIDATES, type TuneOptions, type TuneResult, type TuneAutoOptions, type TuneAutoResult, type TuneCandidate, type TuneSamplerOptions } from './sample/tune.ts';
export { DEFAULT_SAMPLER, SAMPLERS, SAMPLER_NAMES, isSamplerName, type SamplerName } from './sample/registry.ts';
export type { Sampler, SamplerContext, SamplerOptions, Churn } from './sample/types.ts';
export { DEFAULT_SAMPLER_OPTIONS } from './sample/types.ts';
export { makeGrid, gridFromTimes, type GridOptions, type GridPoint } from './sample/steps.ts';
export { SPACINGS, type Spacing } from './scheme/spacing.ts';

// training, likelihood, backends (these load TensorFlow.js when called)
export { train, NonFiniteLossError, TrainingWorkerError, type TrainOptions, type TrainResult } from './train/loop.ts';
export type { TrainConfig } from './train/config.ts';
export { loadRun, type LoadedRun } from './run/load.ts';
export { pfOdeLikelihood, type LikelihoodOptions, type LikelihoodResult } from './likelihood/pfOde.ts';
export { bitsPerDim, dequantize } from './likelihood/bpd.ts';
export { rk45, type Rk45Options } from './likelihood/rk45.ts';
export { listBackends, initBackend, BACKEND_NAMES, type BackendName, type BackendStatus, type BackendInfo } from './backend/select.ts';

// PyTorch engine: safetensors weights, compiled samplers, the torchrun training program
export { encodeSafetensors, decodeSafetensors, type SafeTensor, type SafetensorsDtype, type SafetensorsFile } from './train/safetensors.ts';
export { torchSamplerModule, traceSampler, type TorchSamplerSpec, type TracedSampler } from './engines/torch/torchSampler.ts';
export { trainTorch, TorchRunError, type TorchTrainOptions, type TorchTrainResult } from './engines/torch/engine.ts';
export { writeTorchProgram } from './engines/torch/program.ts';
export { findTorchPython, type TorchPython } from './engines/torch/findPython.ts';
