// Fails fast with one clear line when Redis is not reachable, before anything else starts.
// Plain TCP PING so it runs before dependencies are built.
import net from 'node:net';

const url = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
const host = url.hostname || '127.0.0.1';
const port = Number(url.port || 6379);

const socket = net.connect({ host, port });
const fail = (why) => {
  console.error(
    `Redis is not reachable at ${host}:${port} (${why}): start Redis (redis-server --daemonize yes) or set REDIS_URL to a reachable server.`,
  );
  process.exit(1);
};
socket.setTimeout(2000, () => fail('timed out'));
socket.on('error', (err) => fail(err.code || err.message));
socket.on('connect', () => socket.end(url.password ? '' : 'PING\r\n'));
socket.on('close', () => process.exit(0));
