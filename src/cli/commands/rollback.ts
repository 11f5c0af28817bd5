import { ReplicoopError } from '../../errors.js';
import type { CommandModule } from '../command.js';

export const rollbackCommand: CommandModule = {
  command: 'rollback',
  describe: 'Restore the sandbox from the backup of a run',
  builder: (yargs) => yargs,
  run: async () => {
    throw new ReplicoopError('not_implemented', 'rollback is not implemented yet');
  },
};
