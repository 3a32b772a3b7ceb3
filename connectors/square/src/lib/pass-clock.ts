// When a sync pass starts, in Square's clock when we have it (the HTTP Date header of a
// Square response), else the host's. The next pass filters from this instant (minus the
// consistency overlap): anything updated after the pass began is read again, whatever
// page or location batch it sat in.
export function passStartInstant(dateHeader: string | undefined, now: () => number = Date.now): string {
  const t = dateHeader ? Date.parse(dateHeader) : NaN;
  return new Date(Number.isFinite(t) ? t : now()).toISOString();
}
