/** The explore flags that every strategy reads the same way, whether one process searches or a swarm samples. */
export interface SearchFlags {
  seed?: number;
  walks?: number;
  'pct-depth'?: number;
  'max-states'?: number;
  'max-seconds'?: number;
  'no-symmetry'?: boolean;
  'no-por'?: boolean;
}

export function searchOptions(f: SearchFlags) {
  return {
    seed: f.seed,
    walks: f.walks,
    pctDepth: f['pct-depth'],
    maxStates: f['max-states'],
    maxSeconds: f['max-seconds'],
    symmetry: f['no-symmetry'] !== true,
    por: f['no-por'] !== true,
  };
}
