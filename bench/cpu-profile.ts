import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** The parts of a V8 `.cpuprofile` that the summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time of one group of code in a profile. */
export interface ProfileShare {
  readonly group: string;
  readonly seconds: number;
  /** Share of the non-idle samples, in percent. */
  readonly percent: number;
}

/**
 * Runs `work` under the V8 sampling profiler when `file` is given and writes the profile there
 * (open it in Chrome DevTools), returning `work`'s result and the profile; without `file` it only
 * runs `work`.
 */
export async function profiled<T>(
  file: string | undefined,
  work: () => Promise<T>,
): Promise<{ result: T; profile?: CpuProfile }> {
  if (!file) return { result: await work() };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as {
      profile: CpuProfile;
    };
    writeFileSync(file, JSON.stringify(profile));
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/**
 * Self time of a profile grouped by npm package (the innermost `node_modules/<package>` of the
 * frame's file), `our code` (the repository's own files), `node internals` (`node:` modules and
 * native frames) and `gc`; idle time is left out. Largest first.
 */
export function selfTimeByPackage(profile: CpuProfile): ProfileShare[] {
  const groupOf = new Map(profile.nodes.map((node) => [node.id, frameGroup(node.callFrame)]));
  const micros = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const group = groupOf.get(id) ?? 'node internals';
    micros.set(group, (micros.get(group) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  micros.delete('idle');
  const busy = [...micros.values()].reduce((sum, value) => sum + value, 0) || 1;
  return [...micros.entries()]
    .map(([group, value]) => ({
      group,
      seconds: Math.round(value / 1e4) / 100,
      percent: Math.round((value / busy) * 1000) / 10,
    }))
    .sort((a, b) => b.seconds - a.seconds);
}

function frameGroup(frame: { functionName: string; url: string }): string {
  if (!frame.url) {
    if (frame.functionName === '(idle)') return 'idle';
    if (frame.functionName === '(garbage collector)') return 'gc';
    return 'node internals';
  }
  const packages = frame.url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
  if (packages) return packages[packages.length - 1]!.slice('node_modules/'.length);
  if (frame.url.startsWith('node:')) return 'node internals';
  if (frame.url.startsWith('wasm://')) return 'wasm';
  return 'our code';
}
