import { ReplicoopError } from '../../errors.js';
import type { CommandModule } from '../command.js';

export const applyCommand: CommandModule = {
  command: 'apply <plan>',
  describe: 'Back up the sandbox and run a saved plan, resumably',
  builder: (yargs) => yargs,
  run: async () => {
    throw new ReplicoopError('not_implemented', 'apply is not implemented yet');
  },
};
