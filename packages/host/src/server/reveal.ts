// Every JSON or text answer passes the redactor on its way out. The few answers that must
// carry a new secret once (a minted connect session token, a new host API key) are marked
// here by the handler that minted it, and only those skip the redactor.
const revealed = new WeakSet<Response>();

/** Marks `response` as the one answer allowed to carry the secret it reveals. */
export function revealOnce(response: Response): Response {
  revealed.add(response);
  return response;
}

export function isRevealed(response: Response): boolean {
  return revealed.has(response);
}
