/** How long a claim holds a task without a heartbeat. */
export const DEFAULT_LEASE_TTL_MS = 30 * 60 * 1000;

export function leaseExpiry(now: Date, ttlMs: number): string {
  return new Date(now.getTime() + ttlMs).toISOString();
}

export function isLeaseExpired(leaseExpiresAt: string | null, now: Date): boolean {
  return leaseExpiresAt !== null && leaseExpiresAt <= now.toISOString();
}
