/**
 * hypsim's public API: build a system, explore its interleavings, replay a trace, run it live.
 *
 *   import { system, explore, replay, simulate } from 'hypsim';
 *   const r = explore(system({ design: 'legacy', layout: 'collide', cpus: 2 }));
 *   r.result; // 'violation' — r.violation.invariant === 'wrong-translation'
 */
export { system } from './api/system';
export type { System, SystemHeader, HypSystemOptions, CustomSystemOptions } from './api/system';
export { explore, replay, verifyTrace } from './api/explore';
export type { ExploreOptions, ExploreResult, ExploreViolation, ReplayResult } from './api/explore';
export { forAllInterleavings, InterleavingError } from './api/for-all';
export type { ForAllOptions, ForAllResult, InterleavingState, ActorState } from './api/for-all';
export { scenario, Scenario, describeScenario } from './scenario/scenario';
export type { PinnedStep, ScenarioSpec, EventMap, HypEvents, StepOptions } from './scenario/scenario';
export { compileScenario } from './scenario/validate';
export { readScenarioFile } from './api/scenario-file';
export type { CompiledScenario } from './scenario/validate';
export type { ScenarioReport } from './scenario/report';
export { simulate } from './actors/live';
export type { SimulateOptions } from './actors/live';
export { renderTimeline, describeTrace } from './report/timeline';
export { readTraceFile, writeTraceFile, traceFileFor } from './report/trace-file';
export type { TraceFile } from './report/trace-file';
export type { TraceEntry } from './bus/trace';
export type { BusSpec, BusEvent, ActorDecl, Invariant, InvariantReads, WorldView, SendEffect } from './bus/spec';
export { Engine } from './bus/engine';
export type { World, Step } from './bus/engine';
export { LiveBus } from './bus/live-bus';
export { randomDelivery, firstDelivery } from './bus/delivery';
export type { DeliveryPolicy, Pending } from './bus/delivery';
export { allDesigns, presets, mutants, knobs, knobDocs, parseDesign, findDesign } from './design/design';
export type { Design, Knob } from './design/design';
export { collideLayout, disjointLayout, parseLayout, layoutPresets } from './mmu/layout';
export type { Layout, PageRef } from './mmu/layout';
export type { Memory } from './mmu/memory';
export type { CpuContext } from './machines/cpu-context';
export { profiles } from './mmu/profile';
export type { Profile, ProfileName } from './mmu/profile';
export { invariantDocs } from './invariants/hyp';
export { InputError, TraceError, UnsupportedFeatureError } from './util/errors';
// Scale (docs/scale.md): swarms of random/PCT seeds on worker threads or Redis; how a search stored its states.
export { exploreSwarm } from './api/swarm';
export type { SwarmOptions, SwarmReport } from './api/swarm';
export { exploreWorkers } from './api/explore-workers';
export type { WorkersOptions, WorkersReport } from './api/explore-workers';
export type { VisitedSummary, VisitedMode } from './explore/visited';
