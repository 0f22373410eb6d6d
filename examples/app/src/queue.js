import pLimit from 'p-limit'

/** Runs jobs with bounded concurrency; a failed job is retried once after `retryMs`. */
export function createQueue({ concurrency = 2, retryMs = 1000 } = {}) {
  const limit = pLimit(concurrency)
  const run = (job) =>
    limit(job).catch(
      () => new Promise((resolve, reject) => setTimeout(() => limit(job).then(resolve, reject), retryMs)),
    )
  return { run, retryLater: (job) => void run(job) }
}
