// The lab's smoke suite: one boot for the file. Checks the guest contract (lab/README.md) against
// the kernel with linuxquota's and xfsprogs' own tools as oracles, then quotakit inside the guest.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startLab, type ExecOptions, type ExecResult, type Lab} from '../../lab/index.js'

type QuotaType = 'user' | 'group' | 'project'

interface Mount {
  path: string
  fstype: string
  types: QuotaType[]
}

const MOUNTS: Mount[] = [
  {path: '/mnt/ext4', fstype: 'ext4', types: ['user', 'group', 'project']},
  {path: '/mnt/ext4v0', fstype: 'ext4', types: ['user', 'group']},
  {path: '/mnt/xfs', fstype: 'xfs', types: ['user', 'group', 'project']},
]

/** linuxquota's flag for a quota type, and an id to set limits on (a name from /etc/passwd, /etc/group, /etc/projid). */
const SETQUOTA: Record<QuotaType, {flag: string; name: string; reportName: RegExp}> = {
  user: {flag: '-u', name: 'bob', reportName: /bob/},
  group: {flag: '-g', name: 'staff', reportName: /staff/},
  project: {flag: '-P', name: 'db', reportName: /(db|#43)/},
}

let lab: Lab

async function run(command: string, options?: ExecOptions): Promise<ExecResult> {
  return lab.exec(command, options)
}

/** Runs a command that must succeed; shows its output if it does not. */
async function ok(command: string, options?: ExecOptions): Promise<string> {
  const result = await run(command, options)
  expect(result, `${command}\n${result.stderr}`).toMatchObject({code: 0})
  return result.stdout
}

beforeAll(async () => {
  lab = await startLab()
  console.log(`lab: ready ${lab.bootMs} ms after start (${lab.images.ms} ms of it building/checking images)`)
})

afterAll(async () => {
  await lab?.stop()
})

describe('agent', () => {
  it('returns stdout, stderr and exit code exactly, binary-safe', async () => {
    const bytes = Buffer.from(Array.from({length: 256}, (_, i) => i))
    const result = await run('cat; printf "e\\0rr" >&2; exit 7', {stdin: bytes})
    expect(result.code).toBe(7)
    expect(result.stdoutBuffer.equals(bytes)).toBe(true)
    expect(result.stderrBuffer.equals(Buffer.from('e\0rr'))).toBe(true)
  })

  it('carries megabytes both ways', async () => {
    const bytes = Buffer.alloc(4 << 20)
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i)
    const result = await run('cat', {stdin: bytes})
    expect(result.code).toBe(0)
    expect(result.stdoutBuffer.equals(bytes)).toBe(true)
  })

  it('streams output as it is written', async () => {
    const out: string[] = []
    const err: string[] = []
    const result = await run('echo a; sleep 0.2; echo b >&2; echo c; exit 5', {
      onStdout: (chunk) => out.push(chunk.toString()),
      onStderr: (chunk) => err.push(chunk.toString()),
    })
    expect(result.code).toBe(5)
    expect(out.join('')).toBe('a\nc\n')
    expect(err.join('')).toBe('b\n')
  })

  it('runs commands as a user with their groups, and writes files', async () => {
    expect(await ok('id', {user: 'alice'})).toBe('uid=1000(alice) gid=1000(alice) groups=50(staff),1000(alice)\n')
    await lab.writeFile('/tmp/hello', 'hi\n', {user: 'carol'})
    expect(await ok('stat -c %U:%s /tmp/hello')).toBe('carol:3\n')
    expect((await lab.readFile('/tmp/hello')).toString()).toBe('hi\n')
  })

  it('kills a command at its timeout', async () => {
    const result = await run('sleep 30', {timeoutMs: 1000})
    expect(result).toMatchObject({code: 124, timedOut: true})
  })
})

describe.each(MOUNTS)('$path', (mount) => {
  it('has quota on as the contract says', async () => {
    if (mount.fstype === 'xfs') {
      const state = await ok(`xfs_quota -x -c state ${mount.path}`)
      for (const type of ['User', 'Group', 'Project']) {
        expect(state).toMatch(new RegExp(`${type} quota state on ${mount.path} \\(/dev/vd\\w\\)\\n\\s+Accounting: ON\\n\\s+Enforcement: ON`))
      }
      return
    }
    // quotaon -p exits with the number of quota types that are on: read its output, not its status.
    const {stdout: state} = await run(`quotaon -p ${mount.path}`)
    for (const type of ['user', 'group', 'project'] as const) {
      const on = mount.types.includes(type) ? 'on' : 'off'
      expect(state).toMatch(new RegExp(`^${type} quota on ${mount.path} \\(/dev/vd\\w\\) is ${on}`, 'm'))
    }
  })

  it('has a world-writable shared directory', async () => {
    expect(await ok(`stat -c %a ${mount.path}/shared`)).toBe('1777\n')
  })

  for (const type of mount.types) {
    it(`shows a ${type} limit set by setquota in repquota`, async () => {
      const {flag, name, reportName} = SETQUOTA[type]
      await ok(`setquota ${flag} ${name} 1000 2000 10 20 ${mount.path}`)
      const report = await ok(`repquota -v ${flag} ${mount.path}`)
      const line = new RegExp(`^${reportName.source}\\s+--\\s+\\d+\\s+1000\\s+2000\\s+\\d+\\s+10\\s+20\\s*$`, 'm')
      expect(report).toMatch(line)
    })
  }

  it('gives EDQUOT to a user writing past a 1 MiB hard limit', async () => {
    const file = `${mount.path}/shared/alice-hard`
    await ok(`setquota -u alice 0 1024 0 0 ${mount.path}`)
    await ok(`dd if=/dev/zero of=${file} bs=65536 count=16 conv=fsync 2>/dev/null`, {user: 'alice'})
    expect(await ok(`stat -c %s ${file}`)).toBe(`${1 << 20}\n`)
    const more = await run(`dd if=/dev/zero of=${file} bs=4096 count=1 oflag=append conv=notrunc,fsync`, {user: 'alice'})
    expect(more.code).not.toBe(0)
    expect(more.stderr).toContain('Disk quota exceeded')
  })
})

describe('grace period', () => {
  it('turns an over-soft user\'s next write into EDQUOT once the clock passes the grace', async () => {
    for (const mount of MOUNTS) {
      await ok(`setquota -t -u 60 60 ${mount.path}`)
      await ok(`setquota -u carol 512 8192 0 0 ${mount.path}`)
      // Over the soft limit, under the hard one: allowed, and the grace timer starts.
      await ok(`dd if=/dev/zero of=${mount.path}/shared/carol-soft bs=65536 count=16 conv=fsync 2>/dev/null`, {user: 'carol'})
      await ok(`dd if=/dev/zero of=${mount.path}/shared/carol-soft bs=4096 count=1 oflag=append conv=notrunc,fsync 2>/dev/null`, {user: 'carol'})
      expect(await ok(`repquota -v -u ${mount.path}`)).toMatch(/^carol\s+\+-/m)
    }
    await lab.advanceClock(5 * 60 * 1000)
    for (const mount of MOUNTS) {
      const late = await run(`dd if=/dev/zero of=${mount.path}/shared/carol-soft bs=4096 count=1 oflag=append conv=notrunc,fsync`, {user: 'carol'})
      expect(late.code, `${mount.path}: ${late.stderr}`).not.toBe(0)
      expect(late.stderr).toContain('Disk quota exceeded')
      expect(await ok(`repquota -v -u ${mount.path}`)).toMatch(/^carol\s+\+-\s+\d+\s+512\s+8192\s+none/m)
    }
  })
})

describe('netlink quota warnings', () => {
  it('reach linuxquota\'s quota_nld, which delivers them to the user\'s terminal', async () => {
    await ok('quota_nld -F -D >/tmp/quota_nld.log 2>&1 & echo $! >/tmp/quota_nld.pid; sleep 1')
    await ok('setquota -u bob 256 512 0 0 /mnt/ext4')
    const write = await run('dd if=/dev/zero of=/mnt/ext4/shared/bob-nld bs=65536 count=16', {user: 'bob'})
    expect(write.stderr).toContain('Disk quota exceeded')
    // quota_nld handles the messages asynchronously: poll its terminal for a few seconds.
    const terminal = await ok('for i in $(seq 50); do grep -q "limit reached" /run/lab/tty-bob.log && break; sleep 0.1; done; cat /run/lab/tty-bob.log')
    expect(terminal).toContain('Warning: user bob block quota exceeded.')
    expect(terminal).toContain('Error: user bob block limit reached.')
    expect(await ok('kill $(cat /tmp/quota_nld.pid); cat /tmp/quota_nld.log')).toBe('')
  })
})

/** What the kernel should report per mount: the contract above, in quotakit's words. */
const EXPECTED_FORMAT: Record<string, {format: string; systemFile: boolean}> = {
  '/mnt/ext4': {format: 'vfsv1', systemFile: true},
  '/mnt/ext4v0': {format: 'vfsv0', systemFile: false},
  '/mnt/xfs': {format: 'xfs', systemFile: true},
}

describe('quotakit in the guest', () => {
  it('`quotakit filesystems --json` reports each mount\'s quota types and formats as the kernel has them', async () => {
    const result = await run('quotakit filesystems --json')
    expect(result, result.stderr).toMatchObject({code: 0})
    const parsed = JSON.parse(result.stdout) as {
      filesystems: Array<{mountpoint: string; fstype: string; quotas: Record<string, {accounting: boolean; enforcement: boolean; format: string; systemFile: boolean; blockGraceSeconds: number | null}>}>
    }
    for (const mount of MOUNTS) {
      const fs = parsed.filesystems.find((f) => f.mountpoint === mount.path)
      expect(fs, mount.path).toBeDefined()
      expect(fs!.fstype).toBe(mount.fstype)
      expect(Object.keys(fs!.quotas).sort()).toEqual([...mount.types].sort())
      for (const type of mount.types) {
        expect(fs!.quotas[type], `${mount.path} ${type}`).toMatchObject({
          accounting: true,
          enforcement: true,
          ...EXPECTED_FORMAT[mount.path],
          // The grace test above set user grace to 60 s; the other types keep the 7-day default.
          blockGraceSeconds: type === 'user' ? 60 : 604800,
        })
      }
    }
    // Nothing else in the guest has quota on.
    expect(parsed.filesystems.map((f) => f.mountpoint).sort()).toEqual(MOUNTS.map((m) => m.path).sort())
  })
})

describe('both FFI engines (src/sys/libc.ts) against the real kernel', () => {
  const engines = ['koffi', 'ffi-rs'] as const

  /** repquota's JSON for every mount and type through one engine. */
  async function report(engine: (typeof engines)[number]): Promise<unknown> {
    return JSON.parse(await ok(`QUOTAKIT_FFI=${engine} quotakit repquota -a -u -g -P -v --json`))
  }

  it('limits set through one engine read back identically through the other, on every mount', async () => {
    for (const [i, mount] of MOUNTS.entries()) {
      const writer = engines[i % 2]
      await ok(`QUOTAKIT_FFI=${writer} quotakit setquota -u carol ${100 + i}M ${200 + i}M ${30 + i} ${40 + i} ${mount.path}`)
    }
    const [viaKoffi, viaFfiRs] = [await report('koffi'), await report('ffi-rs')]
    expect(viaFfiRs).toEqual(viaKoffi)
    const text = JSON.stringify(viaKoffi)
    for (const i of MOUNTS.keys()) expect(text).toContain(`"hardLimitBytes":${(200 + i) * 1048576}`)
  })
})
