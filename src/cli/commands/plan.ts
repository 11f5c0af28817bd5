import { ReplicoopError } from '../../errors.js';
import type { CommandModule } from '../command.js';

export const planCommand: CommandModule = {
  command: 'plan',
  describe: 'Snapshot both schemas, diff them and write plan.json',
  builder: (yargs) => yargs,
  run: async () => {
    throw new ReplicoopError('not_implemented', 'plan is not implemented yet');
  },
};
