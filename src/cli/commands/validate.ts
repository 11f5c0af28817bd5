import { ReplicoopError } from '../../errors.js';
import type { CommandModule } from '../command.js';

export const validateCommand: CommandModule = {
  command: 'validate',
  describe: 'Prove the sandbox matches production (exit 2 when it does not)',
  builder: (yargs) => yargs,
  run: async () => {
    throw new ReplicoopError('not_implemented', 'validate is not implemented yet');
  },
};
