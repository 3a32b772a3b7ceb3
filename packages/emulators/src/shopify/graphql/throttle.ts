// Shopify's leaky bucket for GraphQL: each app-and-shop pair has `maximumAvailable` points
// that refill at `restoreRate` per second; a query needs its requested cost up front and is
// refunded the difference once the actual cost is known.
import type { Bucket, ShopifyEmulatorState } from "../state.js";

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class LeakyBucket {
  constructor(
    private readonly state: ShopifyEmulatorState,
    private readonly key: string,
  ) {}

  private bucket(): Bucket {
    const now = this.state.now();
    let bucket = this.state.buckets.get(this.key);
    if (!bucket) {
      bucket = { available: this.state.maximumAvailable, updatedAt: now };
      this.state.buckets.set(this.key, bucket);
    }
    const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.available = Math.min(this.state.maximumAvailable, bucket.available + elapsed * this.state.restoreRate);
    bucket.updatedAt = now;
    return bucket;
  }

  /** Take `cost` points if they are there; false means the query is throttled. */
  take(cost: number): boolean {
    const bucket = this.bucket();
    if (bucket.available < cost) return false;
    bucket.available -= cost;
    return true;
  }

  refund(points: number): void {
    const bucket = this.bucket();
    bucket.available = Math.min(this.state.maximumAvailable, bucket.available + points);
  }

  status(): ThrottleStatus {
    const bucket = this.bucket();
    return {
      maximumAvailable: this.state.maximumAvailable,
      currentlyAvailable: Math.floor(bucket.available),
      restoreRate: this.state.restoreRate,
    };
  }
}
