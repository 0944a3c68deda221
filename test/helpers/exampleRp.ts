// The Artillery example's RP (examples/artillery/server.mjs) on a free port, for the engine's tests.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ExampleRp {
  process: ChildProcess;
  /** http://localhost:PORT */
  url: string;
}

/** Starts `node server.mjs` in `cwd` (PORT=0) and waits for the line naming its URL. */
export function startExampleRp(node: string, cwd: string, script = 'server.mjs'): Promise<ExampleRp> {
  const child = spawn(node, [script], { cwd, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const read = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/localhost:\d+)/.exec(out);
      if (m) resolve({ process: child, url: m[1]! });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`the example RP exited ${code}: ${out}`)));
  });
}
