// Flow errors in words a merchant understands, with what to do next. Sessions are single
// use, so "try again" always means going back to the app that sent them here: only the
// operator can mint a new link.
import type { OAuthFlowError } from "../../oauth/errors.js";

export type MerchantMessage = { title: string; text: string; next: string };

const BACK_TO_APP = "Go back to the app that sent you here and start the connection again; it will give you a new link.";

export function merchantMessage(error: OAuthFlowError, connectorName: string): MerchantMessage {
  switch (error.code) {
    case "provider_error":
      return error.details?.error === "access_denied"
        ? {
            title: "You cancelled the connection",
            text: `${connectorName} was not connected because the request was declined on ${connectorName}'s page. Nothing was shared.`,
            next: BACK_TO_APP,
          }
        : { title: `${connectorName} refused the connection`, text: error.message, next: BACK_TO_APP };
    case "missing_scopes":
      return {
        title: "Some permissions were not granted",
        text: `The app needs every permission it asked for, but ${connectorName} granted fewer (${((error.details?.missingScopes as string[] | undefined) ?? []).join(", ")}).`,
        next: `${BACK_TO_APP} Approve every permission on ${connectorName}'s page.`,
      };
    case "provider_account_mismatch":
      return {
        title: "That is a different account",
        text: `This link reconnects an existing ${connectorName} account, but you signed in to another one. The connection was not changed.`,
        next: `Sign in to the account that was connected before, or ask the app for a new connection instead of a reconnect. ${BACK_TO_APP}`,
      };
    case "connect_session_expired":
    case "state_expired":
      return { title: "This link has expired", text: "Connection links work for a limited time, and this one ran out before the connection finished.", next: BACK_TO_APP };
    case "connect_session_used":
    case "state_replayed":
      return { title: "This link was already used", text: "Each connection link works once.", next: BACK_TO_APP };
    case "connect_session_invalid":
    case "connect_session_required":
    case "unknown_state":
    case "missing_state":
      return { title: "This link is not valid", text: "The link is incomplete or was not made for this service.", next: BACK_TO_APP };
    case "browser_mismatch":
      return {
        title: "Finish in the same browser",
        text: "The connection was started in another browser (or its cookies were cleared), so it could not be finished here.",
        next: BACK_TO_APP,
      };
    case "missing_client_credential":
      return {
        title: "The app is not set up yet",
        text: `The app has no ${connectorName} credentials yet.`,
        next: "Tell the app's support team; nothing needs to change on your side.",
      };
    default:
      return { title: "The connection did not finish", text: error.message, next: BACK_TO_APP };
  }
}
