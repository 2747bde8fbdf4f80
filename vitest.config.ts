import {defineConfig} from 'vitest/config'

// Two projects: fast unit tests (host only, fakes allowed) and the lab suites, which boot a real
// quota-enabled kernel under qemu. Lab files run one at a time: each boots its own VM and this
// machine has two cores.
export default defineConfig({
  test: {
    disableConsoleIntercept: true,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/lab/**', 'node_modules/**'],
          testTimeout: 20_000,
          disableConsoleIntercept: true,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          disableConsoleIntercept: true,
        },
      },
    ],
  },
})
