import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How to run a replica. Replicas run as plain JavaScript bundled once per control-process start with
 * esbuild (it ships with tsx), because a tsx-loaded process costs ~30 MB more RSS per replica. Where
 * esbuild cannot be loaded, replicas fall back to running the TypeScript source through tsx.
 */
export interface ReplicaCommand {
  /** Arguments to `node` before the memory flag is added. */
  args: string[];
}

const SOURCE = join(__dirname, 'replica', 'replicaMain.ts');

export async function prepareReplicaCommand(stateDir: string): Promise<ReplicaCommand> {
  try {
    const esbuild = (await import('esbuild')) as typeof import('esbuild');
    const outDir = join(stateDir, 'build');
    mkdirSync(outDir, { recursive: true });
    const outfile = join(outDir, 'replica.js');
    await esbuild.build({
      entryPoints: [SOURCE],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'silent',
    });
    // esbuild keeps a helper process alive after a build; we need it only once.
    await esbuild.stop();
    return { args: [outfile] };
  } catch {
    return { args: ['--import', 'tsx', SOURCE] };
  }
}
