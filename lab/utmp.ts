// A utmp file naming a "terminal" for each test user, so linuxquota's quota_nld, which writes
// quota warnings to the user's terminal from utmp, has somewhere to deliver them: /dev/lab/tty-<user>
// is a FIFO in the guest whose bytes land in /run/lab/tty-<user>.log (lab/guest/rootfs/sbin/lab-init).

/** glibc's struct utmp on x86_64. */
const UTMP_SIZE = 384
const USER_PROCESS = 7

export interface UtmpLogin {
  user: string
  /** Relative to /dev, as utmp's ut_line is. */
  line: string
  id: string
  pid: number
}

export function utmpRecord(login: UtmpLogin): Buffer {
  const record = Buffer.alloc(UTMP_SIZE)
  record.writeInt16LE(USER_PROCESS, 0) // ut_type
  record.writeInt32LE(login.pid, 4) // ut_pid
  record.write(login.line.slice(0, 32), 8, 'ascii') // ut_line[32]
  record.write(login.id.slice(0, 4), 40, 'ascii') // ut_id[4]
  record.write(login.user.slice(0, 32), 44, 'ascii') // ut_user[32]
  record.write('lab', 76, 'ascii') // ut_host[256]
  return record
}

export const LAB_TTY_USERS = ['alice', 'bob', 'carol']

export function labUtmp(): Buffer {
  return Buffer.concat(
    LAB_TTY_USERS.map((user, index) => utmpRecord({user, line: `lab/tty-${user}`, id: `l${index}`, pid: 1})),
  )
}
