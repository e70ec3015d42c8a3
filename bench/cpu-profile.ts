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

/** The profiles of one {@link profiled} run: the main thread's and each worker thread's. */
export interface ThreadProfiles {
  readonly main: CpuProfile;
  /** By worker title (`[worker 1]`, …), the worker threads alive when profiling started. */
  readonly workers: ReadonlyMap<string, CpuProfile>;
}

/**
 * Runs `work` under the V8 sampling profiler when `file` is given, on the main thread and on
 * every worker thread alive when it starts (through the inspector's NodeWorker domain), and writes
 * the main thread's profile to `file` and each worker's beside it (`file` with `.worker-N` before
 * the extension; open them in Chrome DevTools). Without `file` it only runs `work`.
 */
export async function profiled<T>(
  file: string | undefined,
  work: () => Promise<T>,
): Promise<{ result: T; profile?: CpuProfile; threads?: ThreadProfiles }> {
  if (!file) return { result: await work() };
  const session = new Session();
  session.connect();
  try {
    const workers = await attachWorkers(session);
    for (const worker of workers) {
      await worker.post('Profiler.enable');
      await worker.post('Profiler.setSamplingInterval', { interval: 500 });
      await worker.post('Profiler.start');
    }
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as {
      profile: CpuProfile;
    };
    writeFileSync(file, JSON.stringify(profile));
    const workerProfiles = new Map<string, CpuProfile>();
    for (const worker of workers) {
      const stopped = (await worker.post('Profiler.stop')) as { profile: CpuProfile };
      workerProfiles.set(worker.title, stopped.profile);
      writeFileSync(workerFile(file, worker.id), JSON.stringify(stopped.profile));
    }
    return { result, profile, threads: { main: profile, workers: workerProfiles } };
  } finally {
    session.disconnect();
  }
}

/**
 * CPU microseconds (user + system) each worker thread alive now has used so far, by thread title,
 * read through the inspector (`process.threadCpuUsage()` evaluated in each worker).
 */
export async function workerThreadCpu(): Promise<Map<string, number>> {
  const session = new Session();
  session.connect();
  try {
    const used = new Map<string, number>();
    for (const worker of await attachWorkers(session)) {
      const { result } = (await worker.post('Runtime.evaluate', {
        expression: '(({ user, system }) => user + system)(process.threadCpuUsage())',
        returnByValue: true,
      })) as { result: { value: number } };
      used.set(worker.title, result.value);
    }
    return used;
  } finally {
    session.disconnect();
  }
}

/** An inspector session to one worker thread, reached through the main thread's session. */
interface WorkerSession {
  readonly id: string;
  readonly title: string;
  post(method: string, params?: object): Promise<unknown>;
}

async function attachWorkers(session: Session): Promise<WorkerSession[]> {
  const workers: WorkerSession[] = [];
  const pending = new Map<
    number,
    { resolve: (result: unknown) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  session.on('NodeWorker.attachedToWorker', ({ params }) => {
    const { sessionId, workerInfo } = params as {
      sessionId: string;
      workerInfo: { workerId: string; title: string };
    };
    workers.push({
      id: workerInfo.workerId,
      title: workerInfo.title,
      post: (method, methodParams = {}) =>
        new Promise((resolve, reject) => {
          const id = (nextId += 1);
          pending.set(id, { resolve, reject });
          const message = JSON.stringify({ id, method, params: methodParams });
          session.post('NodeWorker.sendMessageToWorker', { sessionId, message }).catch(reject);
        }),
    });
  });
  session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
    const message = JSON.parse((params as { message: string }).message) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    const request = message.id === undefined ? undefined : pending.get(message.id);
    if (!request) return;
    pending.delete(message.id!);
    if (message.error) request.reject(new Error(`worker inspector: ${message.error.message}`));
    else request.resolve(message.result);
  });
  // Attaching is announced before this call resolves, one event per worker alive now.
  await session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  return workers;
}

function workerFile(file: string, workerId: string): string {
  const dot = file.lastIndexOf('.');
  return dot > file.lastIndexOf('/')
    ? `${file.slice(0, dot)}.worker-${workerId}${file.slice(dot)}`
    : `${file}.worker-${workerId}`;
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
