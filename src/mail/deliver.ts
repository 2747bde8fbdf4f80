// Delivering one mail through a transport with retries, and running many deliveries at once.
// nodemailer does not retry; quotakit does, for temporary failures only: an SMTP 4xx reply, a
// connection that could not be made or broke, a mailer that exited 75 (EX_TEMPFAIL). A 5xx reply
// or any other mailer failure is permanent and never retried. Each retry goes only to the
// recipients still pending, after a delay that doubles each time (retryDelayMs, 2x, 4x, ...).

import type {Envelope, MailTransport, Rejection} from './transports.js'

export type RecipientStatus = 'sent' | 'failed' | 'deferred'

export interface RecipientResult {
  address: string
  role: 'to' | 'cc'
  status: RecipientStatus
  /** SMTP reply code or mailer exit status of the last failure; null when sent or none */
  code: number | null
  /** the last failure's message; null when sent */
  message: string | null
}

export interface Delivery {
  /** from the To: recipients: all sent -> sent; any failed for good -> failed; else deferred */
  status: RecipientStatus
  attempts: number
  recipients: RecipientResult[]
}

export interface RetryPolicy {
  /** retries after the first attempt */
  retries: number
  retryDelayMs: number
  sleep?: (ms: number) => Promise<void>
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export async function deliver(transport: MailTransport, envelope: Envelope, to: readonly string[], raw: Buffer, policy: RetryPolicy): Promise<Delivery> {
  const sleep = policy.sleep ?? defaultSleep
  const results = new Map<string, RecipientResult>()
  for (const address of envelope.to) {
    results.set(address, {address, role: to.includes(address) ? 'to' : 'cc', status: 'deferred', code: null, message: null})
  }
  let pending = [...envelope.to]
  let attempts = 0
  while (pending.length > 0 && attempts <= policy.retries) {
    if (attempts > 0) await sleep(policy.retryDelayMs * 2 ** (attempts - 1))
    attempts++
    const attempt = await transport.send({envelope: {from: envelope.from, to: pending}, raw})
    const rejected = new Map<string, Rejection>(attempt.rejected.map((r) => [r.address, r]))
    const still: string[] = []
    for (const address of pending) {
      const result = results.get(address) as RecipientResult
      const r = rejected.get(address)
      if (!r && attempt.accepted.includes(address)) Object.assign(result, {status: 'sent', code: null, message: null})
      else if (r && !r.temporary) Object.assign(result, {status: 'failed', code: r.code, message: r.message})
      else {
        // temporary, or neither accepted nor rejected (should not happen): try again
        Object.assign(result, {status: 'deferred', code: r?.code ?? null, message: r?.message ?? 'no answer for this recipient'})
        still.push(address)
      }
    }
    pending = still
  }
  const recipients = [...results.values()]
  const primary = recipients.filter((r) => r.role === 'to')
  const status: RecipientStatus = primary.every((r) => r.status === 'sent') ? 'sent' : primary.some((r) => r.status === 'failed') ? 'failed' : 'deferred'
  return {status, attempts, recipients}
}

/**
 * Runs `work` over `items` with at most `concurrency` in flight, and hands each result to `done`
 * in the order of `items` (later results wait for earlier ones), so output stays deterministic.
 */
export async function inOrderPool<T, R>(
  items: Iterable<T>,
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  done: (result: R, item: T, index: number) => void | Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.iterator]()
  const finished = new Map<number, {result: R; item: T}>()
  let next = 0 // next index to hand to done()
  let started = 0
  let failure: unknown = null
  let flushing: Promise<void> = Promise.resolve()

  const flush = async () => {
    while (finished.has(next)) {
      const {result, item} = finished.get(next) as {result: R; item: T}
      finished.delete(next)
      await done(result, item, next)
      next++
    }
  }

  const worker = async () => {
    for (;;) {
      if (failure !== null) return
      const step = iterator.next()
      if (step.done) return
      const index = started++
      try {
        const result = await work(step.value, index)
        finished.set(index, {result, item: step.value})
        flushing = flushing.then(flush)
        await flushing
      } catch (e) {
        failure ??= e
        return
      }
    }
  }
  await Promise.all(Array.from({length: Math.max(1, concurrency)}, worker))
  await flushing
  if (failure !== null) throw failure
}
