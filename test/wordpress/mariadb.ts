// The instance's private MariaDB: own data dir, unix socket only (--skip-networking), tuned for speed.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isAlive, run, signal, spawnDetached } from './processes'
import { sleep, tail } from './util'

/**
 * Initialises a data dir, starts mariadbd and waits until the `wordpress` user can query.
 * Sets `db.dbPid` as soon as mariadbd is spawned, so a concurrent stop() can find it.
 */
export async function startMariaDB(db: { dir: string; socket: string; dbPassword: string; dbPid: number; stopped: boolean }) {
  const data = join(db.dir, 'mysql')
  const r = await run(
    [
      'mariadb-install-db',
      '--no-defaults',
      `--datadir=${data}`,
      `--user=${process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'root')}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      '--innodb-log-file-size=16M',
      // Its bootstrap server's temporary tables in the instance's own dir, not the shared /tmp: one vanished from
      // there mid-bootstrap once ("Could not remove temporary table '/tmp/#sql-temptable-…'", exit 1).
      `--tmpdir=${db.dir}`,
    ],
    { timeoutMs: 60_000 },
  )
  if (r.code !== 0) {
    throw new Error(`mariadb-install-db failed (exit ${r.code}):\n${(r.stdout + r.stderr).trim().split('\n').slice(-20).join('\n')}`)
  }
  // stop() may have run while the data dir was being made (a failed start elsewhere): start nothing then.
  if (db.stopped) throw new Error('the WordPress instance was stopped during start-up')
  writeFileSync(
    join(db.dir, 'init.sql'),
    `CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'wordpress'@'localhost' IDENTIFIED BY '${db.dbPassword}';
GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'localhost';
`,
    { mode: 0o600 },
  )
  db.dbPid = spawnDetached(
    [
      '/usr/sbin/mariadbd',
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${db.socket}`,
      `--pid-file=${join(db.dir, 'mariadb.pid')}`,
      `--log-error=${join(db.dir, 'mariadb.err')}`,
      `--tmpdir=${db.dir}`,
      `--init-file=${join(db.dir, 'init.sql')}`,
      '--skip-networking',
      '--skip-name-resolve',
      '--skip-log-bin',
      ...(process.getuid?.() === 0 ? ['--user=root'] : []),
      '--innodb-buffer-pool-size=64M',
      '--innodb-log-file-size=16M',
      '--innodb-flush-log-at-trx-commit=0',
      '--innodb-doublewrite=0',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
    ],
    join(db.dir, 'mariadb.out'),
  )
  const deadline = Date.now() + 30_000
  for (;;) {
    if (db.stopped) {
      // stop() ran before it knew this pid; the server would outlive the test.
      signal([db.dbPid].filter(isAlive), 'SIGKILL')
      throw new Error('the WordPress instance was stopped during start-up')
    }
    if (!isAlive(db.dbPid)) throw new Error(`mariadbd exited during start-up\n${tail(join(db.dir, 'mariadb.out'))}`)
    if (existsSync(db.socket)) {
      const q = await run(
        ['mariadb', '--no-defaults', `--socket=${db.socket}`, '-uwordpress', `-p${db.dbPassword}`, '-e', 'SELECT 1', 'wordpress'],
        { timeoutMs: 10_000 },
      )
      if (q.code === 0) return
    }
    if (Date.now() > deadline) throw new Error('MariaDB did not become ready within 30 s')
    await sleep(50)
  }
}
