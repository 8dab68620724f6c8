import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../workers/temporalCli';

/**
 * The import rules of DESIGN.md are enforced by eslint.config.mjs; these check the guards themselves,
 * so a config edit that silently drops one fails here rather than in a replay months later. Each probe
 * is linted from memory under a path of the folder it stands for; nothing is written to the tree.
 */
interface Probe {
  filePath: string;
  code: string;
}
type Messages = { ruleId: string | null; message: string }[];

const PROBES = {
  workflowReadsFiles: {
    filePath: 'workflows/lintGuardProbe.ts',
    code: "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
  },
  cliRunsAnActivity: {
    filePath: 'cli/lintGuardProbe.ts',
    code: "import { governorActivities } from '../activities/governor';\nexport const acts = governorActivities;\n",
  },
  cliNamesAnActivityType: {
    filePath: 'cli/lintGuardProbe.ts',
    code: "import type { ActivityDeps } from '../activities/deps';\nexport type Deps = ActivityDeps;\n",
  },
  workerRunsActivities: {
    filePath: 'workers/lintGuardProbe.ts',
    code: "import { createActivities } from '../activities';\nexport const acts = createActivities;\n",
  },
} satisfies Record<string, Probe>;

/**
 * ESLint's Node API, in a child process: it loads eslint.config.mjs with a dynamic import, which Jest's
 * module sandbox refuses. The probes are in no tsconfig project (they are not on disk), so they get
 * TypeScript's default project for the type-aware rules.
 */
const LINT_SCRIPT = `
const { ESLint } = require('eslint');
const probes = JSON.parse(process.argv[1]);
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: [...new Set(probes.map((p) => p.filePath))] } },
    },
  },
});
(async () => {
  const out = [];
  for (const p of probes) {
    const [result] = await eslint.lintText(p.code, { filePath: p.filePath });
    out.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

async function lintAll(probes: Record<string, Probe>): Promise<Record<string, Messages>> {
  const names = Object.keys(probes);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-e', LINT_SCRIPT, JSON.stringify(names.map((n) => probes[n]))],
    { cwd: PROJECT_ROOT, maxBuffer: 1 << 20 },
  );
  const results = JSON.parse(stdout) as Messages[];
  return Object.fromEntries(names.map((n, i) => [n, results[i]!]));
}

describe('lint guards', () => {
  let linted: Record<keyof typeof PROBES, Messages>;
  beforeAll(async () => {
    linted = await lintAll(PROBES);
  });

  it('keep Node built-ins out of workflow code', () => {
    expect(linted.workflowReadsFiles).toEqual([
      {
        ruleId: '@typescript-eslint/no-restricted-imports',
        message: expect.stringMatching(/'node:fs'.*workflow code must be deterministic/),
      },
    ]);
  });

  it('keep activities out of non-worker code at runtime', () => {
    expect(linted.cliRunsAnActivity).toEqual([
      {
        ruleId: '@typescript-eslint/no-restricted-imports',
        message: expect.stringMatching(
          /'..\/activities\/governor'.*only workers\/ imports activities\/ at runtime/,
        ),
      },
    ]);
  });

  it('let non-worker code name activity types, and workers import activities', () => {
    expect(linted.cliNamesAnActivityType).toEqual([]);
    expect(linted.workerRunsActivities).toEqual([]);
  });
});
