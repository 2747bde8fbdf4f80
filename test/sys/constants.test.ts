import {describe, expect, it} from 'vitest'

import * as C from '../../src/sys/constants.js'

describe('QCMD', () => {
  it.each([
    ['Q_GETQUOTA user', C.QCMD(C.Q_GETQUOTA, C.USRQUOTA), -2147481856],
    ['Q_GETQUOTA user as u32', C.QCMD(C.Q_GETQUOTA, C.USRQUOTA) >>> 0, 0x80000700],
    ['Q_SYNC user', C.QCMD(C.Q_SYNC, C.USRQUOTA) >>> 0, 0x80000100],
    ['Q_SETQUOTA group', C.QCMD(C.Q_SETQUOTA, C.GRPQUOTA) >>> 0, 0x80000801],
    ['Q_GETNEXTQUOTA project', C.QCMD(C.Q_GETNEXTQUOTA, C.PRJQUOTA) >>> 0, 0x80000902],
    ['Q_XGETQUOTA user', C.QCMD(C.Q_XGETQUOTA, C.USRQUOTA), 0x580300],
    ['Q_XSETQLIM project', C.QCMD(C.Q_XSETQLIM, C.PRJQUOTA), 0x580402],
    ['Q_XGETQSTATV', C.QCMD(C.Q_XGETQSTATV, 0), 0x580800],
  ])('%s', (_, got, want) => expect(got).toBe(want))

  it('is an int32: negative for every VFS command, positive for XFS ones', () => {
    for (const cmd of [C.Q_SYNC, C.Q_QUOTAON, C.Q_QUOTAOFF, C.Q_GETFMT, C.Q_GETINFO, C.Q_SETINFO, C.Q_GETQUOTA, C.Q_SETQUOTA, C.Q_GETNEXTQUOTA]) {
      for (const t of [0, 1, 2]) {
        const v = C.QCMD(cmd, t)
        expect(v).toBeLessThan(0)
        expect(v | 0).toBe(v)
        expect(v >> 8 & 0xffffff).toBe(cmd)
        expect(v & 0xff).toBe(t)
      }
    }
    expect(C.QCMD(C.Q_XGETNEXTQUOTA, 2)).toBe(0x580902)
  })
})

describe('kernel constants (quota-reference 1.2-1.3)', () => {
  it('sub-commands', () => {
    expect([C.Q_SYNC, C.Q_QUOTAON, C.Q_QUOTAOFF, C.Q_GETFMT, C.Q_GETINFO, C.Q_SETINFO, C.Q_GETQUOTA, C.Q_SETQUOTA, C.Q_GETNEXTQUOTA])
      .toEqual([0x800001, 0x800002, 0x800003, 0x800004, 0x800005, 0x800006, 0x800007, 0x800008, 0x800009])
    expect([C.Q_XQUOTAON, C.Q_XQUOTAOFF, C.Q_XGETQUOTA, C.Q_XSETQLIM, C.Q_XGETQSTAT, C.Q_XQUOTARM, C.Q_XQUOTASYNC, C.Q_XGETQSTATV, C.Q_XGETNEXTQUOTA])
      .toEqual([0x5801, 0x5802, 0x5803, 0x5804, 0x5805, 0x5806, 0x5807, 0x5808, 0x5809])
  })

  it('flags', () => {
    expect([C.QIF_BLIMITS, C.QIF_SPACE, C.QIF_ILIMITS, C.QIF_INODES, C.QIF_BTIME, C.QIF_ITIME]).toEqual([1, 2, 4, 8, 16, 32])
    expect([C.QIF_LIMITS, C.QIF_USAGE, C.QIF_TIMES, C.QIF_ALL]).toEqual([0x05, 0x0a, 0x30, 0x3f])
    expect([C.IIF_BGRACE, C.IIF_IGRACE, C.IIF_FLAGS, C.IIF_ALL]).toEqual([1, 2, 4, 7])
    expect([C.DQF_ROOT_SQUASH, C.DQF_SYS_FILE]).toEqual([1, 0x10000])
    expect([C.FS_DQ_LIMIT_MASK, C.FS_DQ_TIMER_MASK, C.FS_DQ_WARNS_MASK, C.FS_DQ_ACCT_MASK, C.FS_DQ_BIGTIME]).toEqual([0x3f, 0x1c0, 0xe00, 0x7000, 0x8000])
    expect(C.FS_DQ_ISOFT | C.FS_DQ_IHARD | C.FS_DQ_BSOFT | C.FS_DQ_BHARD | C.FS_DQ_RTBSOFT | C.FS_DQ_RTBHARD).toBe(C.FS_DQ_LIMIT_MASK)
    expect(C.FS_DQ_BTIMER | C.FS_DQ_ITIMER | C.FS_DQ_RTBTIMER).toBe(C.FS_DQ_TIMER_MASK)
    expect(C.FS_DQ_BWARNS | C.FS_DQ_IWARNS | C.FS_DQ_RTBWARNS).toBe(C.FS_DQ_WARNS_MASK)
    expect(C.FS_DQ_BCOUNT | C.FS_DQ_ICOUNT | C.FS_DQ_RTBCOUNT).toBe(C.FS_DQ_ACCT_MASK)
    expect([C.FS_QUOTA_UDQ_ACCT, C.FS_QUOTA_UDQ_ENFD, C.FS_QUOTA_GDQ_ACCT, C.FS_QUOTA_GDQ_ENFD, C.FS_QUOTA_PDQ_ACCT, C.FS_QUOTA_PDQ_ENFD]).toEqual([1, 2, 4, 8, 0x10, 0x20])
    expect([C.FS_USER_QUOTA, C.FS_PROJ_QUOTA, C.FS_GROUP_QUOTA]).toEqual([1, 2, 4])
    expect([C.QFMT_VFS_OLD, C.QFMT_VFS_V0, C.QFMT_OCFS2, C.QFMT_VFS_V1]).toEqual([1, 2, 3, 4])
    expect(C.SYS_quotactl_fd).toBe(443)
  })

  it('domain mappings', () => {
    expect(C.QTYPE).toEqual({user: 0, group: 1, project: 2})
    expect(C.XFS_QTYPE_FLAG).toEqual({user: 1, group: 4, project: 2})
    expect([1, 2, 3, 4, 5, 99].map(C.formatName)).toEqual(['vfsold', 'vfsv0', 'ocfs2', 'vfsv1', 'unknown', 'unknown'])
    expect(C.QFMT_OF).toEqual({vfsold: 1, vfsv0: 2, vfsv1: 4})
  })
})
