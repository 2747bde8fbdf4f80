// npm run lab -- shell: the guest's serial console on this terminal, with a root login shell.
import {buildLab} from './build.js'
import {Machine} from './machine.js'

export async function runShell(options: {verbose?: boolean} = {}): Promise<number> {
  const images = await buildLab()
  const append: string[] = []
  if (process.stdout.rows && process.stdout.columns) {
    append.push(`lab.stty=rows,${process.stdout.rows},cols,${process.stdout.columns}`)
  }
  if (options.verbose) append.push('loglevel=7')
  process.stderr.write('lab: booting (Ctrl-A X kills the VM; `exit` powers it off)\n')
  const machine = new Machine({images, cpus: 1, memoryMiB: 2048, mode: 'shell', append})
  // Accept the agent's sockets (qemu needs something listening) but leave them idle.
  void machine.sockets.catch(() => {})
  // Ctrl-C belongs to the guest shell: qemu has the terminal in raw mode.
  const ignore = () => {}
  process.on('SIGINT', ignore)
  try {
    const code = await machine.exited
    return typeof code === 'number' ? code : 1
  } finally {
    process.off('SIGINT', ignore)
    machine.destroy()
  }
}
