// The authorization-code flow as one object: start() and complete().
import type { OAuthFlowDeps } from "./deps.js";
import { startAuthorization, type StartAuthorizationInput, type StartAuthorizationResult } from "./authorize.js";
import { completeAuthorization, type CallbackContext, type CallbackQuery, type CompleteAuthorizationResult } from "./callback.js";

export class OAuthFlow {
  constructor(private readonly deps: OAuthFlowDeps) {}

  startAuthorization(input: StartAuthorizationInput): Promise<StartAuthorizationResult> {
    return startAuthorization(this.deps, input);
  }

  completeAuthorization(query: CallbackQuery, context?: CallbackContext): Promise<CompleteAuthorizationResult> {
    return completeAuthorization(this.deps, query, context);
  }
}
