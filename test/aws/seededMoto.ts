import {
  createAwsClients,
  createAwsProviders,
  destroyAwsClients,
  type AwsClients,
} from '../../providers/aws';
import type { Providers, RemediationProvider } from '../../providers/types';
import { recordCommands, type CommandLog } from './commandLog';
import { startMoto, type MotoServer } from './motoServer';
import { seed, type Seeded } from './seed';

/** A moto server with the standard seed, clients with their command log, and the providers over them. */
export interface SeededMoto {
  moto: MotoServer;
  seeded: Seeded;
  clients: AwsClients;
  commands: CommandLog;
  providers: Providers;
  stop(): Promise<void>;
}

export async function startSeededMoto(): Promise<SeededMoto> {
  const moto = await startMoto();
  try {
    const seeded = await seed(moto);
    const clients = createAwsClients(seeded.config, { credentials: moto.credentials });
    return {
      moto,
      seeded,
      clients,
      commands: recordCommands(clients),
      providers: createAwsProviders(seeded.config, clients),
      stop: async () => {
        destroyAwsClients(clients);
        await moto.stop();
      },
    };
  } catch (err) {
    await moto.stop();
    throw err;
  }
}

/** The seeded moto of a describe block; its fields throw when read before beforeAll has started it. */
export interface MotoForTests extends Omit<SeededMoto, 'stop'> {
  remediation: RemediationProvider;
}

/**
 * One seeded moto for a describe block: started before its first test and stopped after its last. The
 * command log is cleared before each test, so a test counts only the AWS calls it made itself.
 */
export function useSeededMoto(): MotoForTests {
  let aws: SeededMoto | undefined;
  const get = (): SeededMoto => {
    if (!aws) throw new Error('moto starts in beforeAll: use it inside a test or a hook');
    return aws;
  };
  beforeAll(async () => {
    aws = await startSeededMoto();
  });
  afterAll(async () => {
    await aws?.stop();
  });
  beforeEach(() => get().commands.clear());
  return {
    get moto() {
      return get().moto;
    },
    get seeded() {
      return get().seeded;
    },
    get clients() {
      return get().clients;
    },
    get commands() {
      return get().commands;
    },
    get providers() {
      return get().providers;
    },
    get remediation() {
      return get().providers.remediation;
    },
  };
}
