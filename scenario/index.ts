/** Scenarios: pin part of the schedule and let the explorer vary the rest (semantics: scenario.ts). */
export { Scenario, scenario, predecessors, describePinned, describeScenario } from './scenario';
export type { PinnedStep, ScenarioSpec, EventMap, HypEvents, StepOptions } from './scenario';
export { compileScenario, eventsOf, MAX_PINNED } from './validate';
export type { CompiledScenario } from './validate';
export { ScenarioCheckable } from './product';
export type { ScenarioWorld, ScenarioObservations } from './product';
export { scenarioReport } from './report';
export type { ScenarioReport } from './report';
