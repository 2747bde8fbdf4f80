// errno numbers -> symbolic names, and quotactl failures -> QuotaError with a message an admin can
// act on. Numbers are asm-generic (x86_64, arm64, riscv share them). Node's os.constants.errno lacks
// ENOTBLK and EUCLEAN, both of which quotactl returns, so the table is spelled out here.

import type {QuotaType} from '../core/types.js'
import {type ErrorKind, QuotaError} from '../errors.js'

const ERRNO: ReadonlyArray<readonly [number, string, string]> = [
  [1, 'EPERM', 'operation not permitted'],
  [2, 'ENOENT', 'no such file or directory'],
  [3, 'ESRCH', 'no such process'],
  [4, 'EINTR', 'interrupted system call'],
  [5, 'EIO', 'input/output error'],
  [6, 'ENXIO', 'no such device or address'],
  [7, 'E2BIG', 'argument list too long'],
  [9, 'EBADF', 'bad file descriptor'],
  [11, 'EAGAIN', 'resource temporarily unavailable'],
  [12, 'ENOMEM', 'out of memory'],
  [13, 'EACCES', 'permission denied'],
  [14, 'EFAULT', 'bad address'],
  [15, 'ENOTBLK', 'block device required'],
  [16, 'EBUSY', 'device or resource busy'],
  [17, 'EEXIST', 'file exists'],
  [18, 'EXDEV', 'invalid cross-device link'],
  [19, 'ENODEV', 'no such device'],
  [20, 'ENOTDIR', 'not a directory'],
  [21, 'EISDIR', 'is a directory'],
  [22, 'EINVAL', 'invalid argument'],
  [23, 'ENFILE', 'too many open files in system'],
  [24, 'EMFILE', 'too many open files'],
  [25, 'ENOTTY', 'inappropriate ioctl for device'],
  [27, 'EFBIG', 'file too large'],
  [28, 'ENOSPC', 'no space left on device'],
  [30, 'EROFS', 'read-only file system'],
  [34, 'ERANGE', 'numerical result out of range'],
  [36, 'ENAMETOOLONG', 'file name too long'],
  [38, 'ENOSYS', 'function not implemented'],
  [40, 'ELOOP', 'too many levels of symbolic links'],
  [61, 'ENODATA', 'no data available'],
  [75, 'EOVERFLOW', 'value too large for defined data type'],
  [95, 'EOPNOTSUPP', 'operation not supported'],
  [107, 'ENOTCONN', 'transport endpoint is not connected'],
  [110, 'ETIMEDOUT', 'connection timed out'],
  [116, 'ESTALE', 'stale file handle'],
  [117, 'EUCLEAN', 'structure needs cleaning'],
  [122, 'EDQUOT', 'disk quota exceeded'],
]

const BY_NUMBER = new Map(ERRNO.map(([n, name, text]) => [n, {name, text}]))
const BY_NAME = new Map(ERRNO.map(([n, name]) => [name, n]))

/** `EPERM` for 1; `E123` style fallback keeps the number visible for codes not in the table. */
export function errnoName(code: number): string {
  return BY_NUMBER.get(code)?.name ?? `errno ${code}`
}

export function errnoNumber(name: string): number | undefined {
  return name === 'ENOTSUP' ? 95 : BY_NAME.get(name)
}

export function errnoText(code: number): string {
  return BY_NUMBER.get(code)?.text ?? `error ${code}`
}

/** What the failing call was doing: shapes the message, never the kind (except via errno). */
export type QuotaOp = 'get' | 'set' | 'next' | 'info' | 'setinfo' | 'sync' | 'quotaon' | 'quotaoff' | 'state' | 'format'

export interface ErrnoContext {
  op: QuotaOp
  mount?: string
  type?: QuotaType
  id?: number
}

interface Mapped {
  kind: ErrorKind
  message: string
  hint?: string
}

const ROOT_HINT = 'run as root: changing quotas and reading other ids needs CAP_SYS_ADMIN'

function describe(name: string, ctx: ErrnoContext): Mapped | undefined {
  const type = ctx.type ? `${ctx.type} ` : '' // "user quota is not on" / "quota is not on"
  switch (name) {
    case 'EPERM':
    case 'EACCES':
      if (ctx.op === 'quotaon' && name === 'EACCES') {
        return {kind: 'permission', message: 'quota file is not a regular file on this filesystem', hint: 'check the quota file path, or recreate it with quotacheck'}
      }
      return {kind: 'permission', message: 'permission denied', hint: ROOT_HINT}
    case 'ESRCH':
      if (ctx.op === 'quotaon') {
        return {kind: 'unsupported', message: 'quota format not supported by the kernel', hint: 'load the format module (modprobe quota_v2) or use the filesystem\'s own quota feature'}
      }
      return {kind: 'unsupported', message: `${type}quota is not on`, hint: 'turn it on with quotaon, or mount with usrquota/grpquota/prjquota'}
    case 'ENOSYS':
    case 'ENOTBLK':
    case 'EOPNOTSUPP':
      return {kind: 'unsupported', message: 'filesystem does not support quota'}
    case 'ERANGE':
      return {kind: 'data', message: 'limit above the quota format\'s maximum', hint: 'vfsv0 stops at 4294967295 KiB and 4294967295 inodes; vfsv1 and hidden ext4 quota allow 2^63-1'}
    case 'EINVAL':
      if (ctx.op === 'quotaon') {
        return {kind: 'failed', message: 'cannot turn quota on: invalid or corrupt quota file, or a quota file given for a filesystem without a block device'}
      }
      return {kind: 'failed', message: `invalid argument: the filesystem does not support ${type}quota or this operation`}
    case 'ENOENT':
      return {kind: 'failed', message: ctx.op === 'quotaon' ? 'quota file not found' : 'no such device or quota file', hint: ctx.op === 'quotaon' ? 'create it with quotacheck' : undefined}
    case 'ENODEV':
      return {kind: 'failed', message: 'device is not mounted'}
    case 'EBUSY':
      return {kind: 'failed', message: `${type}quota is already on`}
    case 'EROFS':
      return {kind: 'failed', message: 'filesystem is read-only'}
    case 'EBADF':
      return {kind: 'failed', message: 'bad file descriptor for the filesystem'}
    default:
      return undefined
  }
}

/**
 * A quotactl failure as a QuotaError. The mount travels in `mount` (QuotaError.line prints it as
 * the prefix), so the message itself does not repeat it.
 */
export function errnoError(code: number, ctx: ErrnoContext): QuotaError {
  const name = errnoName(code)
  const mapped = describe(name, ctx) ?? {kind: 'failed' as const, message: errnoText(code)}
  return new QuotaError(mapped.kind, mapped.message, {errno: name, mount: ctx.mount, id: ctx.id, hint: mapped.hint})
}

/** True when `e` is a QuotaError carrying one of the given errno names. */
export function hasErrno(e: unknown, ...names: string[]): e is QuotaError {
  return e instanceof QuotaError && e.errno !== undefined && names.includes(e.errno)
}
