import { ReplicoopError } from '../../errors.js';
import type { CommandModule } from '../command.js';

export const statusCommand: CommandModule = {
  command: 'status',
  describe: 'List runs, their steps, checkpoints and what to do next',
  builder: (yargs) => yargs,
  run: async () => {
    throw new ReplicoopError('not_implemented', 'status is not implemented yet');
  },
};
