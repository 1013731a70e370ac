/**
 * For the Redis swarm row of `npm run bench`: a throw-away redis-server on a free loopback port and
 * `hypsim worker` processes on it; `stop()` ends them all.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

const freePortScript = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";

export function redisWithWorkers(cli: string, workers: number): { url: string; stop: () => void } | string {
  if (!existsSync('/usr/bin/redis-server') || !existsSync('/usr/bin/redis-cli')) return 'redis-server not installed (apt-get install -y redis-server)';
  const port = spawnSync(process.execPath, ['-e', freePortScript], { encoding: 'utf8' }).stdout.trim();
  const children: ChildProcess[] = [
    spawn('/usr/bin/redis-server', ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }),
  ];
  const stop = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  for (let i = 0; spawnSync('/usr/bin/redis-cli', ['-p', port, 'ping'], { encoding: 'utf8' }).stdout.trim() !== 'PONG'; i++) {
    if (i > 100) {
      stop();
      return 'redis-server did not start';
    }
    spawnSync('sleep', ['0.05']);
  }
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < workers; i++) children.push(spawn(process.execPath, [cli, 'worker', '--redis', url, '--threads', '1'], { stdio: 'ignore' }));
  return { url, stop };
}
