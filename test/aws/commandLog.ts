import type { AwsClients } from '../../providers/aws';

/**
 * Records the name of every command the provider's SDK clients send (ECS, ELBv2, CloudWatch). Counting
 * only: the middleware passes each request on unchanged to the real (moto) server.
 */
export interface CommandLog {
  all(): string[];
  count(name: string): number;
  clear(): void;
}

export function recordCommands(clients: AwsClients): CommandLog {
  const sent: string[] = [];
  const record = (name: string | undefined): void => void sent.push(String(name).replace(/Command$/, ''));
  const options = { step: 'initialize', name: 'homeostatTestCommandLog' } as const;
  // Three calls rather than a loop: each client's middleware stack has its own input/output types.
  clients.ecs.middlewareStack.add(
    (next, context) => (args) => {
      record(context.commandName);
      return next(args);
    },
    options,
  );
  clients.elbv2.middlewareStack.add(
    (next, context) => (args) => {
      record(context.commandName);
      return next(args);
    },
    options,
  );
  clients.cloudwatch.middlewareStack.add(
    (next, context) => (args) => {
      record(context.commandName);
      return next(args);
    },
    options,
  );
  return {
    all: () => [...sent],
    count: (name) => sent.filter((n) => n === name).length,
    clear: () => void sent.splice(0),
  };
}
