/**
 * Injects a named fault into a running local fleet:
 *   node --import tsx scripts/fault.ts <scenario> [--service s] [--target id] [--by who] [--url controlUrl]
 *   node --import tsx scripts/fault.ts <scenario> --clear [--service s]   (undo without healing)
 *   node --import tsx scripts/fault.ts reset [--by who] [--url controlUrl]   (every fault, release, weight,
 *     replica count, cache and queue back to the start; history kept)
 *   node --import tsx scripts/fault.ts --list
 * The control URL defaults to HOMEOSTAT_FLEET_URL, else http://127.0.0.1:$HOMEOSTAT_FLEET_CONTROL_PORT (7400).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { FAULT_SCENARIOS } from '../fleet/faultScenarios';

const USAGE =
  'usage: scripts/fault.ts <scenario> [--service s] [--target id] [--by who] [--url controlUrl] [--clear]\n' +
  '       scripts/fault.ts reset [--by who] [--url controlUrl]\n' +
  '       scripts/fault.ts --list';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function list(): string {
  return FAULT_SCENARIOS.map(
    (s) => `  ${s.name.padEnd(18)} ${s.description} [default service ${s.defaultService}; heal: ${s.heals}]`,
  ).join('\n');
}

function parseCommandLine() {
  return parseArgs({
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      target: { type: 'string' },
      by: { type: 'string' },
      url: { type: 'string' },
      clear: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine();
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (values.list) return void process.stdout.write(`fault scenarios:\n${list()}\n`);
  if (positionals.length !== 1) fail('name exactly one scenario (see --list), or reset');
  const url =
    values.url ??
    process.env.HOMEOSTAT_FLEET_URL ??
    `http://127.0.0.1:${process.env.HOMEOSTAT_FLEET_CONTROL_PORT || '7400'}`;
  const by = values.by ?? process.env.USER ?? 'fault-script';

  if (positionals[0] === 'reset') {
    // A reset acts on the whole fleet: an option that names a part of it would be silently ignored.
    const partial = (['service', 'target', 'clear'] as const).filter((o) => values[o]);
    if (partial.length > 0) fail(`reset acts on the whole fleet; drop --${partial.join(', --')}`);
    const action = await post(url, '/reset', { actionId: `reset-${randomUUID()}`, by });
    process.stdout.write(`${action.result?.summary ?? `reset: ${action.status}`}\n`);
    return;
  }
  const scenario = FAULT_SCENARIOS.find((s) => s.name === positionals[0]);
  if (!scenario) fail(`unknown scenario "${positionals[0]}"; pick one of:\n${list()}\nor reset`);
  const service = values.service ?? scenario.defaultService;
  const path = values.clear ? 'faults/clear' : 'faults';
  const body = values.clear
    ? { actionId: `fault-clear-${randomUUID()}`, scenario: scenario.name }
    : { actionId: `fault-${randomUUID()}`, scenario: scenario.name, target: values.target, by };
  const action = await post(url, `/services/${encodeURIComponent(service)}/${path}`, body);
  process.stdout.write(`${action.result?.summary ?? `${scenario.name}: ${action.status}`}\n`);
  if (!values.clear) process.stdout.write(`heal with: ${scenario.heals}\n`);
}

interface Action {
  status: string;
  result?: { summary: string };
  error?: string;
}

/** Posts to the control API and returns the finished action; any refusal or failure ends the script. */
async function post(url: string, path: string, body: unknown): Promise<Action> {
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (err) {
    fail(
      `cannot reach the fleet at ${url} (${(err as Error).message}); start it with scripts/fleet.ts or pass --url`,
    );
  }
  const reply = (await response.json()) as { error?: string; field?: string; action?: Action };
  if (!response.ok || !reply.action)
    fail(
      `the fleet refused: ${reply.error ?? response.status}${reply.field ? ` (field ${reply.field})` : ''}`,
    );
  if (reply.action.status === 'failed') fail(`the action failed: ${reply.action.error}`);
  return reply.action;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
