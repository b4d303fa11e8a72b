/**
 * Per-account brake on password guessing, on top of the per-address rate limit on the login route:
 * after too many failures for one email, that email is refused for the rest of the window whatever
 * the address. In memory: a restart forgets, which is acceptable for a brake (the audit trail keeps
 * every failure).
 */
const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60_000;
const MAX_TRACKED = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  isBlocked(email: string): boolean {
    const entry = this.failures.get(email);
    if (!entry) return false;
    if (this.now() - entry.since > WINDOW_MS) {
      this.failures.delete(email);
      return false;
    }
    return entry.count >= MAX_FAILURES;
  }

  recordFailure(email: string): void {
    const entry = this.failures.get(email);
    if (entry && this.now() - entry.since <= WINDOW_MS) entry.count += 1;
    else {
      if (this.failures.size >= MAX_TRACKED) this.failures.delete(this.failures.keys().next().value as string);
      this.failures.set(email, { count: 1, since: this.now() });
    }
  }

  recordSuccess(email: string): void {
    this.failures.delete(email);
  }
}
