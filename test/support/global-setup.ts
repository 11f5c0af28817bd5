import type { TestProject } from 'vitest/node';
import { LocalServer } from '../../dev/local-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    servers: { production: number; sandbox: number };
  }
}

/** One pair of private servers for the whole run; test files create uniquely named databases. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [production, sandbox] = await Promise.all([LocalServer.start({ name: 'test-prod' }), LocalServer.start({ name: 'test-sandbox' })]);
  project.provide('servers', { production: production.port, sandbox: sandbox.port });
  return async () => {
    await Promise.all([production.destroy(), sandbox.destroy()]);
  };
}
