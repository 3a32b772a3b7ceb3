// The Response api.json answers with. A route's answer is read by the host as the text
// api.json wrote (serialisedBodyText), so the body stream a Response builds for a string
// (a ReadableStream and its controller, ~50 µs in a route worker, on every page of a sync)
// is built only when something reads the body: the route itself, a test, a server that
// streams it. Everything a reader can see is a Response's: instanceof, status, headers,
// body, bodyUsed, text(), json(), clone() and the rest, with the same errors.

/** Statuses a Response may not have a body with (Response refuses a body with them). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Response as a base class: its body readers are declared as properties in the DOM types, so they could not be overridden. */
const ResponseBase = Response as unknown as new (body: null, init: ResponseInit) => Pick<Response, "status" | "statusText" | "headers">;

export class JsonResponse extends ResponseBase {
  readonly #text: string;
  /** The Response that holds the body once something reads it. */
  #reader: Response | undefined;

  private constructor(text: string, init: ResponseInit) {
    super(null, init);
    this.#text = text;
  }

  /** A Response for `text` (JSON) with `init`; refused as `new Response(text, init)` refuses it. */
  static of(text: string, init: ResponseInit): Response {
    if (init.status !== undefined && NULL_BODY_STATUSES.has(init.status)) return new Response(text, init);
    return new JsonResponse(text, init) as unknown as Response;
  }

  /** The text this Response was made with, while its body is unread; undefined for any other Response. */
  static unreadText(response: Response): string | undefined {
    return response instanceof JsonResponse && !response.bodyUsed ? response.#text : undefined;
  }

  #body(): Response {
    return (this.#reader ??= new Response(this.#text, { headers: this.headers }));
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#body().body;
  }

  get bodyUsed(): boolean {
    return this.#reader?.bodyUsed ?? false;
  }

  text(): Promise<string> {
    return this.#body().text();
  }

  json(): Promise<unknown> {
    return this.#body().json();
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#body().arrayBuffer();
  }

  blob(): Promise<Blob> {
    return this.#body().blob();
  }

  formData(): Promise<FormData> {
    return this.#body().formData();
  }

  bytes(): Promise<Uint8Array> {
    return (this.#body() as Response & { bytes(): Promise<Uint8Array> }).bytes();
  }

  clone(): Response {
    if (this.#reader) {
      // Read or locked: Response's own refusal. Otherwise the stream is tee'd, as Response clones it.
      const teed = this.#reader.clone();
      return new Response(teed.body, { status: this.status, statusText: this.statusText, headers: this.headers });
    }
    return new JsonResponse(this.#text, { status: this.status, statusText: this.statusText, headers: this.headers }) as unknown as Response;
  }
}
