/**
 * Waits `ms` milliseconds, or rejects with `signal.reason` as soon as the
 * signal aborts. The timer is cleared on abort, so nothing keeps the program
 * alive.
 *
 * @param ms Milliseconds to wait (negative counts as 0).
 * @param signal Optional abort signal.
 * @returns A promise that resolves after the delay.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A sleep function: waits `ms` or rejects when `signal` aborts. Injectable so tests never wait. */
export type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;
