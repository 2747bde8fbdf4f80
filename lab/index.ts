// The kernel lab's host API (lab/README.md). Tests: `const lab = await startLab()`.
export {startLab, LabError, type Lab, type LabOptions} from './lab.js'
export {type ExecOptions, type ExecResult, DEFAULT_EXEC_TIMEOUT_MS} from './agent-client.js'
export {buildLab, type LabImages} from './build.js'
export {LabDepsError} from './host.js'
export {shellQuote} from './shell-quote.js'
