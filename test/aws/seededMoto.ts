import {
  createAwsClients,
  createAwsProviders,
  destroyAwsClients,
  type AwsClients,
} from '../../providers/aws';
import type { Providers } from '../../providers/types';
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
