import type { Operator } from '../client/operator';
import {
  describeSilence,
  invalidSilenceRequest,
  MAX_SILENCE_SECONDS,
  parseDuration,
  type SilenceRequest,
  type UnsilenceRequest,
} from '../core/model/silence';

/**
 * `homeostat silence <service> [--class C] --for 2h --by alice --reason "..."` and
 * `homeostat unsilence <id|service> --by bob --reason "..."`. Arguments are checked before connecting,
 * so a mistake gets its fix at once (exit 2) even with no server running.
 */
export const SILENCE_COMMANDS = ['silence', 'unsilence'] as const;

export type SilenceArgs =
  { command: 'silence'; request: SilenceRequest } | { command: 'unsilence'; request: UnsilenceRequest };

export interface SilenceValues {
  by?: string;
  reason?: string;
  for?: string;
  class?: string;
}

export const isSilenceCommand = (command: string): command is SilenceArgs['command'] =>
  (SILENCE_COMMANDS as readonly string[]).includes(command);

/** Parses and checks the arguments; `usage(message)` builds the error the CLI prints with its usage. */
export function parseSilenceArgs(
  command: SilenceArgs['command'],
  positionals: string[],
  values: SilenceValues,
  usage: (message: string) => Error,
): SilenceArgs {
  const target = positionals[0]?.trim();
  const by = values.by?.trim() ?? '';
  const reason = values.reason?.trim() ?? '';
  if (command === 'unsilence') {
    if (!target)
      throw usage('unsilence needs the silence id or the service (`homeostat safety` lists the silences)');
    if (!by || !reason)
      throw usage(
        'unsilence needs --by <approver> and --reason <why>, e.g. --by alice --reason "window over"',
      );
    return { command, request: { target, by, reason } };
  }
  if (!target)
    throw usage(
      'silence needs a service, e.g. homeostat silence checkout --for 2h --by alice --reason "deploy window"',
    );
  if (values.for === undefined)
    throw usage('silence needs --for <duration>, e.g. --for 30m, --for 2h, --for 1d');
  const durationSeconds = parseDuration(values.for);
  if (durationSeconds === undefined || durationSeconds > MAX_SILENCE_SECONDS)
    throw usage(
      `--for ${values.for} is not a duration up to 7d; use a number with s, m, h or d, e.g. --for 2h`,
    );
  if (!by || !reason)
    throw usage('silence needs --by <who> and --reason <why>, e.g. --by alice --reason "deploy window"');
  const request: SilenceRequest = {
    service: target,
    durationSeconds,
    by,
    reason,
    ...(values.class !== undefined ? { failureClass: values.class.trim() } : {}),
  };
  const why = invalidSilenceRequest(request);
  if (why)
    throw usage(
      `silence: ${why === 'failureClass must be a non-empty class name, e.g. bad-release' ? '--class must name a failure class, e.g. --class bad-release' : why}`,
    );
  return { command, request };
}

/** Sends the silence or unsilence to the governor and prints the answer; returns the exit code. */
export async function runSilenceCommand(operator: Operator, args: SilenceArgs): Promise<number> {
  if (args.command === 'silence') {
    const answer = await operator.silence(args.request);
    if (!answer.ok) {
      console.error(`refused: ${answer.message}`);
      return 1;
    }
    console.log(`${answer.value.id}: ${describeSilence(answer.value)}`);
    console.log(
      `(lift it early with \`homeostat unsilence ${answer.value.id} --by <approver> --reason <why>\`)`,
    );
    return 0;
  }
  const answer = await operator.unsilence(args.request);
  if (!answer.ok) {
    console.error(
      answer.reason === 'not-found'
        ? `no active silence ${args.request.target} (nothing was ever silenced here)`
        : `refused: ${answer.message}`,
    );
    return 1;
  }
  for (const s of answer.value) console.log(`lifted ${s.id} by ${args.request.by}: ${describeSilence(s)}`);
  return 0;
}
